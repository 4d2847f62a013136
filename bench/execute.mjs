// Issue 14 (item 5): the Caffe executor's forward, in process, on mobilenet_v2 (the largest golden
// net, 1×3×224×224) and on the ResNet-50 deploy corpus file (1×3×224×224, random weights from
// synthesiseCaffemodel); and, in the same run, our GEMM's GFLOP/s on every distinct ResNet-50
// convolution shape against OpenBLAS sgemm through numpy (one thread) and the machine's peak.
// Wall and CPU time (user + system) per forward: other load on the machine inflates wall time;
// CPU time is this process's own. Target (issue 14): ResNet-50 ≤ 0.6 s (≤ 5× BVLC Caffe's 0.12 s, 1 OpenBLAS thread).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildNet } from "../dist/caffe/net.js";
import { executeNet } from "../dist/execute/net.js";
import { gemmNN } from "../dist/numeric/kernels/gemm.js";
import { assembleModule, op } from "../dist/numeric/wasm-assembler.js";
import { readNet } from "../dist/schema/read.js";
import { synthesiseCaffemodel } from "../dist/weights/bench-weights.js";
import { decodeBlobs, readCaffemodel } from "../dist/weights/caffemodel.js";
import { parseSafetensors } from "../dist/weights/safetensors.js";
import { ROOT, SHARED, fmt } from "./lib.mjs";

const TARGET_S = 0.6;
const PYTHON = process.env.CAFFE2TORCH_PYTHON ?? "/usr/bin/python3";
/**
 * Where an OpenBLAS libblas.so.3 is: Debian's numpy loads whichever libblas.so.3 the alternatives
 * system names, which on this machine is the reference BLAS (netlib), not OpenBLAS. OPENBLAS_LIBDIR
 * (e.g. a libopenblas0-pthread package unpacked with `dpkg-deb -x`) or the installed package's
 * directory is put first on LD_LIBRARY_PATH; the library numpy really loaded is reported.
 */
const OPENBLAS_DIRS = [process.env.OPENBLAS_LIBDIR, "/usr/lib/x86_64-linux-gnu/openblas-pthread"].filter(Boolean);

function weightsOf(bytes) {
  const model = readCaffemodel(bytes);
  return new Map(model.layers.filter((l) => l.blobs.length > 0).map((l) => [l.name, decodeBlobs(model, l).blobs]));
}

const testNet = (text) => buildNet(readNet(text, { allowUnknown: true, upgrade: true }).net, { phase: "TEST" });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(model, inputs, weights, rounds) {
  const runs = [];
  for (let i = 0; i < rounds + 1; i++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const result = executeNet(model, inputs, weights, { keep: false });
    if (result.error) throw new Error(`${result.error.layer}: ${result.error.code}`);
    const used = process.cpuUsage(cpu);
    if (i > 0) runs.push({ wall: (performance.now() - t0) / 1000, cpu: (used.user + used.system) / 1e6 });
  }
  return { wallS: median(runs.map((r) => r.wall)), cpuS: median(runs.map((r) => r.cpu)), minCpuS: Math.min(...runs.map((r) => r.cpu)) };
}

/** Every Convolution of a net as the GEMM Caffe runs for it: M = num_output/group, N = output positions, K = weight size per output; with its count. */
function convolutionShapes(model, inputs, weights) {
  const result = executeNet(model, inputs, weights, { keep: true });
  const shapes = new Map();
  for (const layer of result.layers) {
    const netLayer = model.layers.find((l) => l.name === layer.name);
    if (netLayer?.type !== "Convolution") continue;
    const w = weights.get(layer.name)[0].shape;
    const top = layer.tops[0].shape;
    const shape = [w[0], top.slice(2).reduce((p, d) => p * d, 1), w.slice(1).reduce((p, d) => p * d, 1)];
    const key = shape.join("x");
    shapes.set(key, { shape, count: (shapes.get(key)?.count ?? 0) + 1 });
  }
  return [...shapes.values()];
}

function randomMatrix(count, seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Our gemmNN (the call convolution makes: copies, packing, SIMD kernel) on one shape: median CPU and wall seconds. */
function ourGemm([m, n, k], repeats) {
  const a = { data: randomMatrix(m * k, 1), offset: 0, stride: k };
  const b = { data: randomMatrix(k * n, 2), offset: 0, stride: n };
  const c = { data: new Float32Array(m * n), offset: 0, stride: n };
  gemmNN(m, n, k, a, b, c);
  const cpu = [];
  const wall = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    gemmNN(m, n, k, a, b, c);
    wall.push((performance.now() - t0) / 1000);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1e6);
  }
  return { cpuMedianS: median(cpu), medianS: median(wall) };
}

function numpyGemm(shapes, repeats) {
  const dir = OPENBLAS_DIRS.find((d) => existsSync(join(d, "libblas.so.3")));
  const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  if (dir) env.LD_LIBRARY_PATH = [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  const r = spawnSync(PYTHON, [join(ROOT, "bench", "gemm_numpy.py")], { input: JSON.stringify({ shapes, repeats }), env, encoding: "utf8" });
  if (r.status !== 0) return { error: (r.stderr ?? r.error?.message ?? "").slice(0, 300) };
  return JSON.parse(r.stdout);
}

/**
 * The core clock, measured: a wasm loop of 32 dependent i32 adds per trip (one cycle each; the loop
 * counter runs alongside), CPU time of 10⁷ trips, median of 7.
 */
function measuredGHz() {
  const chain = [...op.get(0), ...op.i32Const(7), ...op.i32And(), ...op.set(2), ...op.loop()];
  for (let i = 0; i < 32; i++) chain.push(...op.get(1), ...op.get(2), ...op.i32Add(), ...op.set(1));
  chain.push(...op.get(0), ...op.i32Const(-1), ...op.i32Add(), ...op.tee(0), ...op.brIf(0), ...op.end(), ...op.get(1));
  const module = new WebAssembly.Module(assembleModule([{ name: "chain", params: ["i32"], results: ["i32"], locals: ["i32", "i32"], body: chain }], 1));
  const ex = new WebAssembly.Instance(module).exports;
  ex.chain(1e6);
  const samples = [];
  for (let i = 0; i < 7; i++) {
    const c0 = process.cpuUsage();
    ex.chain(1e7);
    samples.push((32e7 / (process.cpuUsage(c0).user / 1e6)) / 1e9);
  }
  return median(samples);
}

/**
 * Peak float32 GFLOP/s: native = cores × GHz × 2 FMA pipes × lanes (16 with AVX-512, 8 with AVX2)
 * × 2 flops; WebAssembly SIMD (f32x4, no fused multiply-add) = GHz × 4 lanes × (2 multiply + 2 add
 * pipes on AMD Zen; Intel cores since Skylake issue both on the same 2 ports: × 2) per core.
 */
function peak(ghz) {
  const info = readFileSync("/proc/cpuinfo", "utf8");
  const flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? "";
  const lanes = /\bavx512f\b/.test(flags) ? 16 : /\bavx2\b/.test(flags) ? 8 : 4;
  const amd = /AuthenticAMD/.test(info);
  const cores = cpus().length;
  return {
    ghz,
    cores,
    lanes,
    nativePerCore: ghz * 2 * lanes * 2,
    native: cores * ghz * 2 * lanes * 2,
    wasmSimdPerCore: ghz * 4 * (amd ? 4 : 2),
    how: `${cores} cores × ${fmt(ghz, 2)} GHz (measured: dependent adds) × 2 FMA pipes × ${lanes} float32 lanes × 2 flops; wasm f32x4 mul+add: × 4 lanes × ${amd ? "4 (2 mul + 2 add pipes, AMD Zen)" : "2"}`,
  };
}

export function run(rounds = 5) {
  const loadAtStart = loadavg()[0];
  const dir = join(SHARED, "golden", "nets", "mobilenet_v2");
  const record = JSON.parse(readFileSync(join(dir, "record.json"), "utf8"));
  const tensors = parseSafetensors(readFileSync(join(dir, "record.safetensors"))).tensors;
  const mobileInputs = new Map(record.inputs.map((i) => [i.blob, { shape: i.shape, data: tensors.get(i.tensor).data }]));
  const mobile = time(testNet(readFileSync(join(dir, "net.prototxt"), "utf8")), mobileInputs, weightsOf(readFileSync(join(dir, "weights.caffemodel"))), rounds);

  const text = readFileSync(join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt"), "utf8");
  const resnet = testNet(text);
  const x = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i * 0.37));
  const resnetInputs = new Map([[resnet.layers[0].tops[0], { shape: [1, 3, 224, 224], data: x }]]);
  const resnetWeights = weightsOf(synthesiseCaffemodel(text, 1));
  const res = time(resnet, resnetInputs, resnetWeights, rounds);

  // GEMM on the ResNet-50 convolution shapes: ours and numpy's BLAS, then the clock for the peak.
  const shapes = convolutionShapes(resnet, resnetInputs, resnetWeights);
  const repeats = 7;
  const ours = shapes.map((s) => ourGemm(s.shape, repeats));
  const numpy = numpyGemm(shapes.map((s) => s.shape), repeats);
  const ghz = measuredGHz();
  const machinePeak = peak(ghz);
  const flops = ([m, n, k]) => 2 * m * n * k;
  const table = shapes.map((s, i) => {
    const ref = numpy.results?.[i];
    return {
      shape: s.shape,
      count: s.count,
      oursGflops: flops(s.shape) / ours[i].cpuMedianS / 1e9,
      oursWallGflops: flops(s.shape) / ours[i].medianS / 1e9,
      numpyGflops: ref ? flops(s.shape) / ref.cpuMedianS / 1e9 : null,
    };
  });
  const total = (pick) => {
    let f = 0;
    let t = 0;
    shapes.forEach((s, i) => {
      const seconds = pick(i);
      f += s.count * flops(s.shape);
      t += s.count * seconds;
    });
    return { gflop: f / 1e9, seconds: t, gflops: f / t / 1e9 };
  };
  const oursTotal = total((i) => ours[i].cpuMedianS);
  const numpyTotal = numpy.results ? total((i) => numpy.results[i].cpuMedianS) : null;
  const loadAtEnd = loadavg()[0];

  const lines = table.map(
    (r) =>
      `  M ${r.shape[0]} N ${r.shape[1]} K ${r.shape[2]} (×${r.count}): ours ${fmt(r.oursGflops, 1)} GFLOP/s` +
      (r.numpyGflops === null ? "" : `, numpy ${fmt(r.numpyGflops, 1)} (${fmt(r.oursGflops / r.numpyGflops, 2)}×)`),
  );
  console.log(
    [
      `load average ${fmt(loadAtStart, 2)} → ${fmt(loadAtEnd, 2)}`,
      `peak: ${machinePeak.how} = ${fmt(machinePeak.native, 0)} GFLOP/s (${fmt(machinePeak.nativePerCore, 0)} per core; wasm SIMD ${fmt(machinePeak.wasmSimdPerCore, 0)} per core)`,
      `numpy BLAS: ${numpy.blas?.join(", ") ?? numpy.error}`,
      ...lines,
      `  all ResNet-50 convolutions (${fmt(oursTotal.gflop, 2)} GFLOP): ours ${fmt(oursTotal.seconds, 3)} s CPU = ${fmt(oursTotal.gflops, 1)} GFLOP/s` +
        (numpyTotal ? `; numpy ${fmt(numpyTotal.seconds, 3)} s = ${fmt(numpyTotal.gflops, 1)} GFLOP/s` : ""),
    ].join("\n"),
  );
  return {
    name: "Caffe executor forward (mobilenet_v2, ResNet-50; batch 1, 224×224) and its GEMM",
    ours: { medianS: res.cpuS, mobilenet: mobile, resnet50: res, peakRssMiB: process.resourceUsage().maxRSS / 1024 },
    gemm: { shapes: table, ours: oursTotal, numpy: numpyTotal, numpyBlas: numpy.blas ?? null, numpyError: numpy.error ?? null, peak: machinePeak },
    reference: { targetS: TARGET_S, caffeResNet50S: 0.12, caffeMobilenetS: 0.064 },
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    ratio: res.cpuS / TARGET_S,
    summary:
      `mobilenet_v2 ${fmt(mobile.cpuS, 3)} s CPU (${fmt(mobile.wallS, 3)} s wall); ResNet-50 ${fmt(res.cpuS, 3)} s CPU (${fmt(res.wallS, 3)} s wall); ` +
      `GEMM ${fmt(oursTotal.gflops, 1)} GFLOP/s` + (numpyTotal ? ` vs numpy ${fmt(numpyTotal.gflops, 1)}` : "") + `, peak ${fmt(machinePeak.native, 0)}`,
    targets: `ResNet-50 forward ≤ ${TARGET_S} s`,
    met: res.cpuS <= TARGET_S,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = run();
  console.log(r.summary);
}
