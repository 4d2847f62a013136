// `npm run bench`: every benchmark of BENCHMARKS.md in one run; writes bench/out/results.json.
// Each section is measured against its reference (protoc, PyTorch) in the same run, alternating.
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { OUT, fmt } from "./lib.mjs";

const SECTIONS = {
  "prototxt-encode": () => import("./prototxt-encode.mjs"),
  caffemodel: () => import("./caffemodel.mjs"),
  weights: () => import("./weights.mjs"),
  lint: () => import("./lint.mjs"),
  batchnorm: () => import("./batchnorm.mjs"),
  verify: () => import("./verify.mjs"),
  hostile: () => import("./hostile.mjs"),
  export: () => import("./export.mjs"),
  execute: () => import("./execute.mjs"),
  "execute-torch": () => import("./execute-torch.mjs"),
  "verify-net": () => import("./verify-net.mjs"),
  report: () => import("./report.mjs"),
};

const only = process.argv.slice(2);
/**
 * How fast this VM is right now: fresh memory (allocate and fill 64 MiB: page faults) and a plain
 * float loop. Both moved by ~30% within an hour on our VMs; figures taken at different times
 * compare only with these beside them.
 */
function calibrate() {
  let t = performance.now();
  new Float32Array(16 << 20).fill(1);
  const freshMs = performance.now() - t;
  t = performance.now();
  let s = 0;
  for (let i = 0; i < 1e8; i++) s += Math.fround(i * 1.000001);
  return { freshMemoryMsPer100MiB: Number(((freshMs * 100) / 64).toFixed(0)), floatLoopMs: Number((performance.now() - t).toFixed(0)), sum: s > 0 };
}
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
  date: new Date().toISOString(),
  speed: calibrate(),
};
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverageAtStart.join(" ")}, fresh memory ${machine.speed.freshMemoryMsPer100MiB} ms/100 MiB, float loop ${machine.speed.floatLoopMs} ms`);

const results = [];
for (const [name, load] of Object.entries(SECTIONS)) {
  if (only.length && !only.includes(name)) continue;
  let mod;
  try {
    mod = await load();
  } catch (e) {
    console.log(`${name}: not available (${e.message.split("\n")[0]})`);
    continue;
  }
  const out = await mod.run();
  for (const r of Array.isArray(out) ? out : [out]) {
    results.push({ section: name, ...r });
    const ref = r.protoc ?? r.reference;
    const parts = [
      `ours ${fmt(r.ours?.medianS)} s`,
      ref ? `reference ${fmt(ref.medianS)} s` : null,
      r.nodeStartup ? `bare node -e 0 ${fmt(r.nodeStartup.medianS)} s` : null,
      r.launch ? `loaded from ${r.launch.from}, code cache ${r.launch.codeCache}` : null,
      r.ratio !== undefined ? `ratio ${fmt(r.ratio, 2)}` : null,
      r.ours?.peakMiB ? `peak ${fmt(r.ours.peakMiB, 0)} MiB` : null,
      `target: ${r.targets}`,
      r.met ? "MET" : "NOT MET",
    ].filter(Boolean);
    console.log(`${r.name}: ${parts.join(", ")}`);
  }
}
writeFileSync(join(OUT, "results.json"), JSON.stringify({ machine, loadAverageAtEnd: loadavg(), results }, null, 2) + "\n");
console.log(`written: ${join(OUT, "results.json")}`);
