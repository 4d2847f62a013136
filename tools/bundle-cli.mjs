// Build step (after tsc and build-schema): bundles the CLI (dist/cli/main.js and everything it
// loads, commander and chalk included; protobufjs stays outside, required only when needed) into
// dist/cli-bundle/caffe2torch.cjs, then writes V8's code cache for it in a fresh process after a
// warm-up run (dist/cli-bundle/caffe2torch.v8cache). bin/caffe2torch.js loads them through
// dist/cli/launch.js; both are only speed-ups, see src/cli/launch.ts.
//
//   node tools/bundle-cli.mjs                 bundle, then cache, then check the cache is used
//   node tools/bundle-cli.mjs --write-cache   (internal) the cache step, in its own process
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ENTRY = join(ROOT, "dist", "cli", "main.js");
const LAUNCH = join(ROOT, "dist", "cli", "launch.js");
const OUT_DIR = join(ROOT, "dist", "cli-bundle");
const LAUNCH_CJS = join(OUT_DIR, "launch.cjs");

/** Writes a whole file or nothing (temp + rename), so a stopped build leaves no half file. */
function writeWhole(path, content) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/**
 * Bundles `entry` and what it imports into one CommonJS file at `outfile`. `dynamicImports` is how
 * many `import()` may stay in it: none in the CLI (vm.Script, launch.ts, has no loader for them),
 * one in the launcher (its fallback to the modules).
 */
async function bundleFile(entry, outfile, dynamicImports) {
  const esbuild = await import("esbuild");
  // The modules find files beside them with import.meta.url (package.json, proto/, the schema
  // JSON); in the bundle each use becomes the URL its module had in dist/, so those paths hold.
  let rewrites = 0;
  const keepModuleUrls = {
    name: "keep-module-urls",
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(join(ROOT, "dist") + sep)) return undefined;
        const text = readFileSync(args.path, "utf8");
        const rel = relative(dirname(outfile), args.path).split(sep).join("/");
        const contents = text.replaceAll("import.meta.url", () => {
          rewrites++;
          return `new URL(${JSON.stringify(rel)}, __c2tBundleUrl).href`;
        });
        return { contents, loader: "js" };
      });
    },
  };
  // Two imports that every start would pay for and that the CLI never uses (callgrind, a cold
  // `--version`: ~14 M and ~11 M instructions of Node's ~85 M bare start):
  // - commander requires node:child_process (and with it net, dgram, …) at load, only to spawn
  //   git-style executable subcommands, which we do not have; it gets it on first use instead.
  // - chalk's supports-color imports node:tty and node:os to guess a default colour level; our
  //   colours always pass an explicit level (src/cli/color.ts decides it), so it guesses none.
  const trimStartup = {
    name: "trim-startup",
    setup(build) {
      build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
        /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: "lazy-child-process", namespace: "c2t-stub" } : undefined,
      );
      build.onResolve({ filter: /^#supports-color$/ }, () => ({ path: "no-supports-color", namespace: "c2t-stub" }));
      build.onLoad({ filter: /^lazy-child-process$/, namespace: "c2t-stub" }, () => ({
        contents: 'module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };',
        loader: "js",
      }));
      build.onLoad({ filter: /^no-supports-color$/, namespace: "c2t-stub" }, () => ({
        contents: "export default { stdout: false, stderr: false };",
        loader: "js",
      }));
    },
  };
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    // No comments or indentation: half the bytes to read, check (launch.ts) and hand to V8 at
    // every start, and, with esbuild's default ASCII escaping of strings, an ASCII file, which
    // the launcher decodes as Latin-1 (a copy) instead of UTF-8. Names stay, for stack traces.
    minifyWhitespace: true,
    write: false,
    outfile,
    plugins: [keepModuleUrls, trimStartup],
    banner: { js: 'const __c2tBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: "silent",
  });
  if (result.warnings.length > 0) {
    const text = await esbuild.formatMessages(result.warnings, { kind: "warning" });
    throw new Error(`esbuild warnings:\n${text.join("")}`);
  }
  const code = result.outputFiles[0].text;
  // launch.ts decodes an ASCII bundle as Latin-1; UTF-8 would do too, only slower, so this keeps
  // the build honest about it (esbuild escapes strings, not regular expression literals).
  const nonAscii = code.search(/[^\x00-\x7f]/);
  if (nonAscii !== -1) throw new Error(`${outfile}: not ASCII at offset ${nonAscii}: ${JSON.stringify(code.slice(nonAscii - 40, nonAscii + 10))}`);
  const imports = code.match(/\bimport\s*\(/g)?.length ?? 0;
  if (imports !== dynamicImports) throw new Error(`${outfile}: ${imports} dynamic import() where ${dynamicImports} were expected`);
  if (/\bimport\.meta\b/.test(code)) throw new Error(`${outfile} still uses import.meta`);
  if (rewrites === 0) throw new Error("no import.meta.url found to rewrite: has the source changed?");
  writeWhole(outfile, code);
  return code.length;
}

/** Files to lint in the warm-up: our example and lint fixtures (present in a clone, not needed). */
function warmUpFiles() {
  const files = [join(ROOT, "examples", "resnet18-deploy.prototxt")];
  try {
    const dir = join(ROOT, "fixtures", "lint");
    for (const f of readdirSync(dir)) if (f.endsWith(".prototxt") && !f.endsWith(".fixed.prototxt")) files.push(join(dir, f));
  } catch {
    // no fixtures: the example alone
  }
  return files.filter((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
}

/** In its own process (stdout and stderr are ignored): compile, warm up, write the cache. */
async function writeCache(paths) {
  const { compileBundle, encodeCodeCache } = await import(LAUNCH);
  const bundleBytes = readFileSync(paths.bundle);
  const { main, script } = compileBundle(paths.bundle, bundleBytes);
  const files = warmUpFiles();
  // The cache keeps the functions compiled so far: run what a lint run runs, in each format.
  for (const format of ["text", "json", "sarif", "github"]) await main(["lint", "--format", format, ...files]);
  await main(["lint", "--fix-dry-run", ...files]);
  await main(["--help"]);
  writeWhole(paths.cache, encodeCodeCache(bundleBytes, script.createCachedData()));
}

const paths = {
  bundle: join(OUT_DIR, "caffe2torch.cjs"),
  cache: join(OUT_DIR, "caffe2torch.v8cache"),
};

if (process.argv[2] === "--write-cache") {
  await writeCache(paths);
} else {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const size = await bundleFile(ENTRY, paths.bundle, 0);
  // The launcher too, as CommonJS for bin/caffe2torch.js: an ES module entry point would start
  // Node's ESM loader, ~11 M instructions of a cold start (callgrind).
  await bundleFile(LAUNCH, LAUNCH_CJS, 1);
  // A fresh process, without this one's flags or modules, so the cache matches a user's run.
  const made = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--write-cache"], { stdio: ["ignore", "ignore", "pipe"] });
  if (made.status !== 0) throw new Error(`bundle-cli: writing the code cache failed:\n${made.stderr}`);
  const check = spawnSync(
    process.execPath,
    ["-e", `require(${JSON.stringify(LAUNCH_CJS)}).loadCli().then(({ info }) => console.log(JSON.stringify(info)));`],
    { encoding: "utf8" },
  );
  const info = check.status === 0 ? JSON.parse(check.stdout) : { error: check.stderr };
  const cacheSize = readFileSync(paths.cache).length;
  console.log(`bundle-cli: ${relative(ROOT, paths.bundle)} (${Math.round(size / 1024)} KiB), code cache ${Math.round(cacheSize / 1024)} KiB: ${JSON.stringify(info)}`);
  if (info.from !== "bundle") throw new Error("bundle-cli: the CLI does not load from the bundle");
}
