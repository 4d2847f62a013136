// Alternating whole-process timing of `caffe2torch encode` builds vs protoc, for performance
// work (the machine is shared: report medians, and CPU time beside wall time).
// Usage: node bench/encode-compare.mjs INPUT ROUNDS [label=dir ...]
// Each label=dir names a checkout with bin/caffe2torch.js (e.g. a saved baseline); default "ours=.".
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROTO_DIR } from "./lib.mjs";

const [input = "/tmp/big.prototxt", roundsArg = "7", ...builds] = process.argv.slice(2);
const rounds = Number(roundsArg);

/** One run under GNU time: wall and CPU seconds, peak RSS in MiB. */
function timed(cmd, args, stdinFile) {
  const r = spawnSync("/usr/bin/time", ["-f", "__T %e %U %S %M", cmd, ...args], {
    input: stdinFile ? readFileSync(stdinFile) : undefined,
    maxBuffer: 1 << 30,
    stdio: [stdinFile ? "pipe" : "ignore", "pipe", "pipe"],
  });
  const m = /__T ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr.toString());
  if (r.status !== 0 || !m) throw new Error(`${cmd} failed: ${r.stderr.toString().slice(0, 400)}`);
  return { wall: +m[1], cpu: +m[2] + +m[3], peak: +m[4] / 1024, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const targets = (builds.length ? builds : ["ours=."]).map((b) => {
  const [label, dir] = b.split("=");
  return { label, bin: join(resolve(dir), "bin", "caffe2torch.js"), runs: [], out: `/tmp/bench-${label}.pb` };
});
const protoc = { label: "protoc", runs: [] };
let protocBytes;
for (let i = 0; i < rounds; i++) {
  for (const t of targets) t.runs.push(timed("node", [t.bin, "encode", input, "-o", t.out]));
  const p = timed("protoc", [`--proto_path=${PROTO_DIR}`, "--encode=caffe.NetParameter", "caffe.proto"], input);
  protoc.runs.push(p);
  protocBytes ??= p.stdout;
}
const line = (x, runs) =>
  `${x.label.padEnd(8)} wall median ${median(runs.map((r) => r.wall)).toFixed(2)} s [${runs.map((r) => r.wall.toFixed(2)).join(" ")}], ` +
  `cpu median ${median(runs.map((r) => r.cpu)).toFixed(2)} s, peak ${Math.max(...runs.map((r) => r.peak)).toFixed(0)} MiB`;
console.log(line(protoc, protoc.runs));
for (const t of targets) {
  const same = readFileSync(t.out).equals(protocBytes);
  const ratios = t.runs.map((r, i) => r.wall / protoc.runs[i].wall);
  console.log(line(t, t.runs) + `; wall ratio: of medians ${(median(t.runs.map((r) => r.wall)) / median(protoc.runs.map((r) => r.wall))).toFixed(2)}, ` +
    `median per round ${median(ratios).toFixed(2)}; identical bytes: ${same}`);
}
