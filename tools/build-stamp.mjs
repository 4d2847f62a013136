// Builds once per change, not once per command. `npm ci` builds through `prepare`, and `npm test`
// used to build again (`npm run build && vitest run`): ~6 s of CPU per run for nothing. The build
// now ends by writing dist/.build-stamp, a hash of what it was made from, and `npm test` builds
// only when that stamp is missing or differs.
//
//   node tools/build-stamp.mjs write    (the last step of `npm run build`) writes the stamp
//   node tools/build-stamp.mjs ensure   runs `npm run build` unless dist/ is the build of the sources
//
// The hash is of contents, not modification times, which a git checkout or a copy resets: every
// file under src/, proto/ and tools/ (documentation, *.md, aside), package.json, package-lock.json
// (commander and chalk are bundled), tsconfig.json, and the Node version (V8's code cache in
// dist/cli-bundle/ is only valid for the V8 that wrote it). `npm run build` itself always builds.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const STAMP = join(ROOT, "dist", ".build-stamp");
const INPUT_DIRS = ["src", "proto", "tools"];
const INPUT_FILES = ["package.json", "package-lock.json", "tsconfig.json"];
/** What the build makes; a stamp beside a dist/ missing one of them is not believed. */
const OUTPUTS = [
  "dist/index.js",
  "dist/cli/main.js",
  "dist/schema/caffe-schema.json",
  "dist/cli-bundle/launch.cjs",
  "dist/cli-bundle/caffe2torch.cjs",
  "dist/cli-bundle/caffe2torch.v8cache",
];

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() && !entry.name.endsWith(".md") ? [path] : [];
  });
}

/** The hash of the build's inputs, as hex. */
function inputsHash() {
  const hash = createHash("sha256").update(`node ${process.version}\n`);
  const files = [...INPUT_DIRS.flatMap((d) => filesUnder(join(ROOT, d))), ...INPUT_FILES.map((f) => join(ROOT, f)).filter(existsSync)];
  for (const file of files.map((f) => relative(ROOT, f).split(sep).join("/")).sort()) {
    const content = readFileSync(join(ROOT, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest("hex");
}

/** Why dist/ is not the build of the current sources, or null when it is. */
function staleness() {
  const missing = OUTPUTS.filter((f) => !existsSync(join(ROOT, f)));
  if (missing.length > 0) return `${missing[0]} is missing`;
  if (!existsSync(STAMP)) return "dist/.build-stamp is missing";
  if (readFileSync(STAMP, "utf8").trim() !== inputsHash()) return "the sources changed since the last build";
  return null;
}

const command = process.argv[2];
if (command === "write") {
  writeFileSync(STAMP, `${inputsHash()}\n`);
} else if (command === "ensure") {
  const why = staleness();
  if (why === null) {
    console.error("build-stamp: dist/ is up to date; not building (npm run build forces a build)");
  } else {
    console.error(`build-stamp: ${why}; running npm run build`);
    // npm sets npm_execpath when it runs this script: the same npm, whatever is on PATH.
    const npm = process.env.npm_execpath;
    const run = npm ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: ROOT, stdio: "inherit" }) : spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit", shell: process.platform === "win32" });
    if (run.error) throw run.error;
    process.exitCode = run.status ?? 1;
  }
} else {
  console.error("usage: node tools/build-stamp.mjs write|ensure");
  process.exitCode = 2;
}
