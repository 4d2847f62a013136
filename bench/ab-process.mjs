// A/B comparison of two checkouts' whole-process `encode` (or any command) on a noisy machine:
// each round runs both, in random order; reports the median and quartiles of the per-round
// ratio B/A for wall and CPU time (a ratio within one round cancels slow drifts of the machine).
// Usage: node bench/ab-process.mjs DIR_A DIR_B ROUNDS -- ARGS...   (default ARGS: encode /tmp/big.prototxt -o /tmp/ab.pb)
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const sep = process.argv.indexOf("--");
const [a, b, rounds = "21"] = process.argv.slice(2, sep < 0 ? undefined : sep);
const args = sep < 0 ? ["encode", "/tmp/big.prototxt", "-o", "/tmp/ab.pb"] : process.argv.slice(sep + 1);

function run(dir) {
  const r = spawnSync("/usr/bin/time", ["-f", "__T %e %U %S", "node", join(resolve(dir), "bin", "caffe2torch.js"), ...args], { stdio: ["ignore", "ignore", "pipe"] });
  const m = /__T ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  if (!m) throw new Error(r.stderr.toString());
  return { wall: +m[1], cpu: +m[2] + +m[3] };
}

const ratios = { wall: [], cpu: [] };
const abs = { a: [], b: [] };
for (let i = 0; i < Number(rounds); i++) {
  const first = Math.random() < 0.5;
  const ra = first ? run(a) : null;
  const rb = run(b);
  const ra2 = ra ?? run(a);
  abs.a.push(ra2);
  abs.b.push(rb);
  for (const k of ["wall", "cpu"]) ratios[k].push(rb[k] / ra2[k]);
}
const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
for (const k of ["wall", "cpu"]) {
  console.log(`${k}: A median ${q(abs.a.map((r) => r[k]), 0.5).toFixed(3)} s, B median ${q(abs.b.map((r) => r[k]), 0.5).toFixed(3)} s; ` +
    `B/A per round: median ${q(ratios[k], 0.5).toFixed(3)} (quartiles ${q(ratios[k], 0.25).toFixed(3)}–${q(ratios[k], 0.75).toFixed(3)})`);
}
