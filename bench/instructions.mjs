// Instruction counts of one `caffe2torch` run, per JavaScript function: the measure that the
// performance work on `encode` used, because this machine's timings vary by ±30% from minute
// to minute while instruction counts of a single-threaded run repeat to 0.1%. Runs node under
// valgrind's callgrind with --single-threaded (JIT compilation on the main thread, so it is
// counted and deterministic) and --perf-basic-prof (names for the JIT code's addresses).
// (--perf-basic-prof itself adds some work, e.g. CalculateLineEndsImpl: compare runs made the same way.)
// Needs valgrind; about 50× slower than a normal run (use a 3 MB input, not the 20 MB one).
// Usage: node bench/instructions.mjs [TOP] -- ARGS...   e.g. -- encode /tmp/mid.prototxt -o /tmp/x.pb
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { BIN } from "./lib.mjs";

const sep = process.argv.indexOf("--");
const top = Number(process.argv[2] !== "--" ? process.argv[2] ?? 15 : 15);
const args = sep < 0 ? ["--version"] : process.argv.slice(sep + 1);
const out = `/tmp/caffe2torch-callgrind.${process.pid}.out`;
const r = spawnSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, "node", "--single-threaded", "--perf-basic-prof", BIN, ...args], { encoding: "utf8" });
const total = /I\s+refs:\s+([\d,]+)/.exec(r.stderr)?.[1];
if (!total) throw new Error(`valgrind failed: ${r.stderr.slice(-500)}`);
console.log(`total instructions: ${total} (a bare \`node -e 0\` is part of it)`);

// JIT code addresses → names, from the newest perf map node wrote.
const maps = readdirSync("/tmp").filter((f) => /^perf-\d+\.map$/.test(f)).map((f) => join("/tmp", f));
const map = maps.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const entries = readFileSync(map, "utf8").split("\n").filter(Boolean).map((l) => {
  const [start, size, ...name] = l.split(" ");
  return { start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), name: name.join(" ") };
}).sort((a, b) => a.start - b.start);
const nameOf = (addr) => {
  let lo = 0, hi = entries.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (entries[mid].start <= addr) lo = mid;
    else hi = mid - 1;
  }
  return entries[lo] && addr < entries[lo].end ? entries[lo].name : undefined;
};
const annotated = spawnSync("callgrind_annotate", ["--threshold=99.9", out], { encoding: "utf8", maxBuffer: 1 << 28 }).stdout;
const byName = new Map();
for (const line of annotated.split("\n")) {
  const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
  if (!m || m[2].startsWith("PROGRAM TOTALS")) continue;
  const jit = /\?\?\?:0x([0-9a-f]+)/.exec(m[2]);
  const name = jit ? nameOf(parseInt(jit[1], 16)) ?? "JIT code (unnamed)" : m[2].replace(/ \[.*\]$/, "").replace(/^\?\?\?:/, "").slice(0, 100);
  byName.set(name, (byName.get(name) ?? 0) + Number(m[1].replaceAll(",", "")));
}
for (const [name, n] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(n / 1e6).toFixed(1).padStart(9)}M  ${name}`);
rmSync(out, { force: true });
rmSync(map, { force: true });
