// Alternating whole-process timing of `caffe2torch encode` builds vs protoc, for performance work.
// Usage: node bench/encode-compare.mjs INPUT ROUNDS [label=bindir ...]
// Each label=dir names a checkout with bin/caffe2torch.js (e.g. a saved baseline); "." is this one.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROTO_DIR, summarise, timeProcess, fmt } from "./lib.mjs";

const [input = "/tmp/big.prototxt", roundsArg = "7", ...builds] = process.argv.slice(2);
const rounds = Number(roundsArg);
const targets = (builds.length ? builds : ["ours=."]).map((b) => {
  const [label, dir] = b.split("=");
  return { label, bin: join(resolve(dir), "bin", "caffe2torch.js"), runs: [] };
});
const protoc = { label: "protoc", runs: [] };
const out = (label) => `/tmp/bench-${label}.pb`;
for (let i = 0; i < rounds; i++) {
  for (const t of targets) t.runs.push(timeProcess("node", [t.bin, "encode", input, "-o", out(t.label)]));
  const p = timeProcess("protoc", [`--proto_path=${PROTO_DIR}`, "--encode=caffe.NetParameter", "caffe.proto"], { stdin: input, stdout: true });
  protoc.runs.push(p);
  if (i === 0) protoc.bytes = p.stdout;
}
const ps = summarise(protoc.runs);
console.log(`protoc: median ${fmt(ps.medianS)} s (min ${fmt(ps.minS)}, max ${fmt(ps.maxS)}), peak ${fmt(ps.peakMiB, 0)} MiB`);
for (const t of targets) {
  const s = summarise(t.runs);
  const same = readFileSync(out(t.label)).equals(protoc.bytes);
  const ratios = t.runs.map((r, i) => r.wall / protoc.runs[i].wall).sort((a, b) => a - b);
  console.log(`${t.label}: median ${fmt(s.medianS)} s (min ${fmt(s.minS)}, max ${fmt(s.maxS)}), peak ${fmt(s.peakMiB, 0)} MiB, ` +
    `ratio of medians ${fmt(s.medianS / ps.medianS, 2)}, median per-round ratio ${fmt(ratios[Math.floor(ratios.length / 2)], 2)}, identical=${same}`);
}
