#!/usr/bin/env node
/**
 * A seeded mutation fuzzer over ../shared/corpus (see fuzz/README.md). Each input is a mutated
 * corpus file (or a mutated caffemodel) run through the commands' entry points in-process:
 * encode (strict and lenient), convert (json, python, markdown, --exact, --weights), explain,
 * lint (report and --fix-dry-run), verify (small nets), decode and inspect. A thrown error that
 * is not a CliError (what the CLI would print as "internal error") or an exit code outside
 * {0, 1, 2} is a crash: its input and the command that reproduces it are written to
 * fixtures/fuzz-regressions/, one per distinct error. With --cli, every Nth input also runs the
 * real CLI, which must exit 0, 1 or 2 without a stack trace.
 *
 * Usage: npm run fuzz -- [--seed N] [--iterations N] [--time SECONDS] [--cli N] [--samples N]
 *                       [--record-exit COMMAND:CODE] [--out DIR] [--quiet]
 * Needs `npm run build` (it runs dist/).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mutate, mutateBinary, rng } from "./mutate.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { runConvert } = await import(join(ROOT, "dist/cli/commands/convert.js"));
const { runEncode } = await import(join(ROOT, "dist/cli/commands/encode.js"));
const { runDecode } = await import(join(ROOT, "dist/cli/commands/decode.js"));
const { runExplain } = await import(join(ROOT, "dist/cli/commands/explain.js"));
const { runLint } = await import(join(ROOT, "dist/cli/commands/lint.js"));
const { runVerify } = await import(join(ROOT, "dist/cli/commands/verify.js"));
const { runInspect } = await import(join(ROOT, "dist/cli/commands/inspect.js"));
const { CliError } = await import(join(ROOT, "dist/cli/io-types.js"));
const { fixText } = await import(join(ROOT, "dist/lint/run.js"));

function parseArgs(argv) {
  const options = { seed: 1, iterations: Infinity, time: 60, cli: 0, samples: 0, out: join(ROOT, "fixtures", "fuzz-regressions"), quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--seed") options.seed = Number(value());
    else if (arg === "--iterations") options.iterations = Number(value());
    else if (arg === "--time") options.time = Number(value());
    else if (arg === "--cli") options.cli = Number(value());
    else if (arg === "--samples") options.samples = Number(value());
    else if (arg === "--record-exit") options.recordExit = value();
    else if (arg === "--out") options.out = resolve(value());
    else if (arg === "--quiet") options.quiet = true;
    else throw new Error(`unknown option ${arg} (see fuzz/README.md)`);
  }
  if (!Number.isInteger(options.seed)) throw new Error("--seed must be an integer");
  // --iterations alone runs exactly that many; --time alone (or both) stops at whichever comes first.
  if (argv.includes("--iterations") && !argv.includes("--time")) options.time = Infinity;
  return options;
}

/** A CliIo over in-memory files, recording outputs; the commands never touch the disk here. */
function memoryIo(files) {
  const io = {
    out: 0,
    err: "",
    readFile: (path) => {
      const f = files[path.split("/").pop()];
      if (f === undefined) throw new CliError(`${path}: cannot read: no such file`);
      return typeof f === "string" ? f : Buffer.from(f).toString("utf8");
    },
    readBytes: (path) => {
      const f = files[path.split("/").pop()];
      if (f === undefined) throw new CliError(`${path}: cannot read: no such file`);
      return typeof f === "string" ? Buffer.from(f, "utf8") : f;
    },
    checkOutput: () => undefined,
    writeFileAtomic: (_path, content) => {
      if (typeof content !== "string" && !(content instanceof Uint8Array)) for (const chunk of content) io.out += chunk.length;
    },
    exists: (path) => files[path.split("/").pop()] !== undefined && !path.endsWith(".caffe2torchrc.json"),
    stdout: (s) => {
      io.out += s.length;
    },
    stderr: (s) => {
      io.err += s;
    },
    cwd: "/fuzz",
    color: { stdout: false, stderr: false },
    isTTY: { stdout: false, stderr: false },
    env: {},
  };
  return io;
}

/** The commands run on one prototxt input: [CLI arguments (FILE = the input), in-process call]. */
function prototxtCases(random, small) {
  const phase = random() < 0.5 ? "test" : "train";
  const format = ["json", "python", "markdown"][Math.floor(random() * 3)];
  const exact = random() < 0.5;
  const cases = [
    [["encode", "FILE", "-o", "out.pb"], (io) => runEncode("FILE", { output: "out.pb" }, io)],
    [["encode", "--allow-unknown", "--upgrade", "FILE", "-o", "out.pb"], (io) => runEncode("FILE", { output: "out.pb", allowUnknown: true, upgrade: true }, io)],
    [
      ["convert", "FILE", "--phase", phase, "--format", format, ...(exact ? ["--exact"] : [])],
      (io) => runConvert("FILE", { phase, format, exact }, io),
    ],
    [["explain", "FILE", "--phase", phase, "--verbose"], (io) => runExplain("FILE", { phase, verbose: true }, io)],
    [["lint", "FILE", "--format", "sarif"], (io) => runLint(["FILE", "--format", "sarif"], io)],
    [["lint", "FILE", "--fix-dry-run"], (io) => runLint(["FILE", "--fix-dry-run"], io)],
    [["lint", "FILE", "--fix"], (io) => fixIsIdempotent(io.readFile("FILE"))],
  ];
  // verify is the slow one (a forward pass per block): small nets always, big ones now and then.
  if (small || random() < 0.01) {
    const opts = { phase, steps: "2", inputShape: "2,3,8,8", exact };
    cases.push([
      ["verify", "FILE", "--phase", phase, "--steps", "2", "--input-shape", "2,3,8,8", ...(exact ? ["--exact"] : [])],
      (io) => runVerify("FILE", opts, io, () => 0),
    ]);
  }
  return cases;
}

/**
 * Not a crash check but an invariant of --fix (DESIGN.md: "a second fix pass changes nothing"):
 * fixing the fixed text again must change nothing. Returns 0, or throws (recorded as a finding).
 */
function fixIsIdempotent(text) {
  const once = fixText(text);
  if (once.output === text) return 0;
  const twice = fixText(once.output);
  if (twice.output !== once.output) throw new Error(`lint --fix is not idempotent: a second pass changed ${twice.fixed} more`);
  return 0;
}

/** The commands run on a mutated caffemodel (WEIGHTS) beside trained_small's deploy.prototxt (NET). */
function caffemodelCases() {
  return [
    [["decode", "--full", "WEIGHTS"], (io) => runDecode("WEIGHTS", { full: true }, io)],
    [["inspect", "WEIGHTS"], (io) => runInspect("WEIGHTS", {}, io)],
    [["convert", "NET", "--weights", "WEIGHTS", "--format", "python", "-o", "out.py"], (io) => runConvert("NET", { weights: "WEIGHTS", format: "python", output: "out.py" }, io)],
    [["verify", "NET", "--weights", "WEIGHTS", "--steps", "2"], (io) => runVerify("NET", { weights: "WEIGHTS", steps: "2" }, io, () => 0)],
  ];
}

/** A short stable description of an error: its message with numbers blanked, and the first frame. */
function signature(error) {
  // One stack overflow is one finding, wherever the recursion happened to run out.
  if (/Maximum call stack size exceeded/.test(String(error?.message))) return "RangeError: Maximum call stack size exceeded";
  const message = String(error?.message ?? error).replace(/\d+/g, "N").slice(0, 160);
  const frame = (String(error?.stack ?? "").split("\n").find((l) => l.includes("/dist/")) ?? "").trim().replace(/:\d+:\d+\)?$/, "");
  return `${error?.constructor?.name ?? "Error"}: ${message} @ ${frame}`;
}

/** Runs one case in-process: null when fine, else the problem. */
async function runCase(call, files, exits) {
  const io = memoryIo(files);
  try {
    const code = await call(io);
    exits[code] = (exits[code] ?? 0) + 1;
    if (![0, 1, 2].includes(code)) return { kind: "exit", detail: `exit code ${code}` };
    return { kind: "ok", code };
  } catch (error) {
    if (error instanceof CliError) exits[`${error.exitCode} (usage)`] = (exits[`${error.exitCode} (usage)`] ?? 0) + 1;
    if (error instanceof CliError) return [0, 1, 2].includes(error.exitCode) ? { kind: "ok", code: error.exitCode } : { kind: "exit", detail: `CliError exit ${error.exitCode}` };
    return { kind: "throw", detail: signature(error), stack: String(error?.stack ?? error) };
  }
}

/** Runs the real CLI on the recorded files; a problem when it crashes. */
function runRealCli(args, dir) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/caffe2torch.js"), ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  if (r.error) return { kind: "spawn", detail: String(r.error.message) };
  if (![0, 1, 2].includes(r.status ?? -1)) return { kind: "exit", detail: `CLI exit ${r.status} signal ${r.signal}` };
  if (/internal error|\n\s+at /.test(r.stderr)) return { kind: "throw", detail: `CLI: ${r.stderr.split("\n")[0]}` };
  return null;
}

/** Writes a crash's files and reproduction into `out`, named by the hash of its signature. */
function record(out, problem, files, args, meta) {
  const id = createHash("sha256").update(problem.detail).digest("hex").slice(0, 12);
  mkdirSync(out, { recursive: true });
  const names = {};
  for (const [placeholder, content] of Object.entries(files)) {
    const ext = placeholder === "WEIGHTS" ? "caffemodel" : "prototxt";
    const name = `${id}.${placeholder.toLowerCase()}.${ext}`;
    writeFileSync(join(out, name), content);
    names[placeholder] = name;
  }
  const cliArgs = args.map((a) => names[a] ?? a);
  const entry = { id, kind: "crash", problem: problem.detail, command: ["caffe2torch", ...cliArgs].join(" "), args: cliArgs, ...meta };
  writeFileSync(join(out, `${id}.json`), `${JSON.stringify(entry, null, 2)}\n`);
  return id;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const corpusDir = resolve(ROOT, "../shared/corpus");
  const corpus = readdirSync(corpusDir).filter((f) => f.endsWith(".prototxt")).sort().map((f) => ({ name: f, bytes: readFileSync(join(corpusDir, f)) }));
  const trainedDir = resolve(ROOT, "../shared/golden/trained_small");
  const deploy = readFileSync(join(trainedDir, "deploy.prototxt"));
  const caffemodel = readFileSync(join(trainedDir, "trained_small.caffemodel"));
  const random = rng(options.seed);
  const started = Date.now();
  const stats = { inputs: 0, calls: 0, cliRuns: 0, crashes: new Map(), slow: [], exits: {}, samples: new Map() };
  // The real CLI runs on copies in a scratch directory (its -o outputs land there too).
  const cliDir = mkdtempSync(join(tmpdir(), "caffe2torch-fuzz-"));
  for (let i = 0; i < options.iterations && Date.now() - started < options.time * 1000; i++) {
    const caffemodelInput = random() < 0.1;
    let files;
    let cases;
    let origin;
    if (caffemodelInput) {
      const m = mutateBinary(caffemodel, random);
      files = { WEIGHTS: m.bytes, NET: deploy };
      cases = caffemodelCases();
      origin = `trained_small.caffemodel: ${m.how}`;
    } else {
      const a = corpus[Math.floor(random() * corpus.length)];
      const b = corpus[Math.floor(random() * corpus.length)];
      const m = mutate(a.bytes, b.bytes, random, 4);
      files = { FILE: m.bytes };
      cases = prototxtCases(random, m.bytes.length < 20_000);
      origin = `${a.name} (+${b.name}): ${m.how}`;
    }
    stats.inputs++;
    for (const [args, call] of cases) {
      const t0 = Date.now();
      const command = args[0] === "encode" || args[0] === "lint" ? `${args[0]} ${args[1]}` : args[0];
      const outcome = await runCase(call, files, (stats.exits[command] ??= {}));
      const problem = outcome.kind === "ok" ? null : outcome;
      const ms = Date.now() - t0;
      if (!problem && (options.samples > 0 || options.recordExit)) {
        // A few small inputs per command and exit code, as replay material (fuzz/README.md).
        const key = `${command} exit ${outcome.code}`;
        const size = Object.values(files).reduce((n, f) => n + f.length, 0);
        const wanted = options.recordExit === `${args[0]}:${outcome.code}`;
        if (wanted || ((stats.samples.get(key) ?? 0) < options.samples && size < 12_000)) {
          stats.samples.set(key, (stats.samples.get(key) ?? 0) + 1);
          record(join(options.out, "samples"), { detail: `sample ${key} ${stats.inputs}` }, Object.fromEntries(Object.entries(files).filter(([k]) => args.includes(k))), args, { kind: "sample", exit: outcome.code, seed: options.seed, iteration: i, origin });
        }
      }
      stats.calls++;
      if (ms > 10_000) stats.slow.push({ args: args.join(" "), ms, origin });
      let found = problem;
      if (!found && options.cli > 0 && stats.calls % options.cli === 0) {
        for (const [k, v] of Object.entries(files)) writeFileSync(join(cliDir, k), v);
        stats.cliRuns++;
        found = runRealCli(args, cliDir);
      }
      if (found && !stats.crashes.has(found.detail)) {
        const id = record(options.out, found, Object.fromEntries(Object.entries(files).filter(([k]) => args.includes(k))), args, { seed: options.seed, iteration: i, origin });
        stats.crashes.set(found.detail, { id, count: 1 });
        if (!options.quiet) process.stderr.write(`crash ${id}: ${found.detail}\n    ${origin}\n`);
      } else if (found) {
        stats.crashes.get(found.detail).count++;
      }
    }
    if (!options.quiet && i % 500 === 0 && i > 0) {
      process.stderr.write(`${i} inputs, ${stats.calls} calls, ${stats.crashes.size} distinct crashes, ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
  }
  const summary = {
    seed: options.seed,
    seconds: Math.round((Date.now() - started) / 1000),
    inputs: stats.inputs,
    calls: stats.calls,
    cliRuns: stats.cliRuns,
    exitCodes: stats.exits,
    crashes: [...stats.crashes].map(([detail, c]) => ({ id: c.id, count: c.count, detail })),
    slow: stats.slow,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.exitCode = stats.crashes.size > 0 ? 1 : 0;
}

await main();
