#!/usr/bin/env node
// Benchmark of `convert --weights` (issue 6): synthesise a caffemodel the size of ResNet-50's with
// our encoder (random blobs of the right shapes), then time the conversion end to end in a fresh
// Node process and report its peak memory. Targets: <= 1 s, peak RSS <= file size + 200 MiB.
//
//   npm run build && node tools/bench-weights.mjs [--runs N] [--net FILE] [--cli]
//
// Without --cli the child process runs the same steps as the command (read both files, convert,
// attach the weights, emit Python, write model.py and model.safetensors) through dist/ directly;
// with --cli it runs the real `caffe2torch convert --weights` (once the option is wired).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(option("--runs", "5"));
const net = resolve(option("--net", join(ROOT, "../shared/corpus/KaimingHe-drn__ResNet-50-deploy.prototxt")));
const useCli = args.includes("--cli");

const CHILD = `
import { readFileSync, writeFileSync } from "node:fs";
const t0 = performance.now();
const { convertWithWeightsTimed } = await import(${JSON.stringify(join(ROOT, "dist/weights/bench-weights.js"))});
const [net, model, out] = process.argv.slice(1);
const t1 = performance.now();
const bytes = readFileSync(model);
const run = convertWithWeightsTimed(readFileSync(net, "utf8"), new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
writeFileSync(out + ".py", run.python);
writeFileSync(out + ".safetensors", run.safetensors);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ ok: run.ok, blocks: run.blocks, tensors: run.tensors, import_ms: t1 - t0, work_ms: t2 - t1, steps: run.timings, max_rss_kib: process.resourceUsage().maxRSS }));
`;

const dir = mkdtempSync(join(tmpdir(), "caffe2torch-bench-"));
try {
  const { synthesiseCaffemodel } = await import(join(ROOT, "dist/weights/bench-weights.js"));
  const model = join(dir, "net.caffemodel");
  let t = performance.now();
  writeFileSync(model, synthesiseCaffemodel(readFileSync(net, "utf8")));
  const size = statSync(model).size;
  console.log(`synthesised ${model}: ${(size / 2 ** 20).toFixed(1)} MiB in ${(performance.now() - t).toFixed(0)} ms`);

  const results = [];
  for (let i = 0; i < runs; i++) {
    const out = join(dir, "model");
    t = performance.now();
    let report;
    if (useCli) {
      // GNU time: %M is the peak resident set size in KiB.
      const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, join(ROOT, "bin/caffe2torch.js"), "convert", net, "--weights", model, "--format", "python", "-o", `${out}.py`, "-q"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`caffe2torch exited ${r.status}: ${r.stderr}`);
      report = { ok: true, max_rss_kib: Number(r.stderr.trim().split("\n").pop()) };
    } else {
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD, net, model, out], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
      report = JSON.parse(r.stdout);
    }
    const wall = performance.now() - t;
    const safetensors = statSync(`${out}.safetensors`).size;
    results.push({ wall, rss: report.max_rss_kib / 1024, report, safetensors });
    rmSync(`${out}.py`, { force: true });
    rmSync(`${out}.safetensors`, { force: true });
  }
  const walls = results.map((r) => r.wall).sort((a, b) => a - b);
  const rss = Math.max(...results.map((r) => r.rss));
  const limit = size / 2 ** 20 + 200;
  const median = walls[Math.floor(walls.length / 2)];
  console.log(`mode: ${useCli ? "caffe2torch convert --weights (real CLI)" : "child process through dist/ (same steps as the CLI)"}`);
  console.log(`runs: ${runs}; wall ms (process start to exit): median ${median.toFixed(0)}, min ${walls[0].toFixed(0)}, max ${walls.at(-1).toFixed(0)}  (target <= 1000)`);
  console.log(`peak RSS: ${rss.toFixed(0)} MiB  (target <= ${limit.toFixed(0)} MiB = file + 200 MiB)`);
  const last = results.at(-1);
  if (!useCli) console.log(`last run: ${JSON.stringify(last.report)}`);
  console.log(`safetensors: ${last.safetensors} bytes`);
  const pass = median <= 1000 && rss <= limit;
  console.log(pass ? "PASS" : "FAIL");
  process.exitCode = pass ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
