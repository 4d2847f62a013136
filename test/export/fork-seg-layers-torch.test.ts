/**
 * Fork layer types exported and run under real PyTorch, against each fork's forward written out
 * in plain Python (check_fork_seg_layers.py): Interp (PSPNet), Pooling masks with SegNet's Upsample,
 * ShuffleChannel, Axpy, ReLU6, ConvolutionDepthwise / DepthwiseConvolution and the fork BatchNorm
 * layers (PSPNet, SegNet/ENet, NVIDIA Caffe), on small inputs of awkward sizes, with weights
 * through a caffemodel, in both phases. One Python process for everything.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildTorchGraph } from "../../src/convert/graph.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import { readNet } from "../../src/schema/read.js";
import { exportState } from "../../src/weights/export-state.js";
import { safetensorsBytes } from "../../src/weights/safetensors.js";
import { requireTorch, runPythonJsonAsync, skipWithoutTorch } from "../helpers/python.js";
import { blob, encodeCaffemodel } from "../weights/support.js";

const CHECKER = fileURLToPath(new URL("./check_fork_seg_layers.py", import.meta.url));
/** float64 references against float32 PyTorch: this times max(1, the largest expected |value|). */
const TOLERANCE = 2e-6;

/** Deterministic values in [lo, hi), as float32, for a blob or input named `name`. */
function values(name: string, count: number, lo = -2, hi = 2, step = 0): number[] {
  let seed = [...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
  return Array.from({ length: count }, () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const v = lo + ((hi - lo) * seed) / 2 ** 32;
    return Math.fround(step > 0 ? Math.round(v / step) * step : v);
  });
}

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Net inputs: shapes, and values where the case needs particular ones. */
const INPUTS: Record<string, { shape: number[]; data?: number[] }> = {
  x35: { shape: [2, 3, 3, 5] },
  x98: { shape: [1, 2, 9, 8] },
  x56: { shape: [1, 2, 5, 6] },
  one: { shape: [1, 2, 1, 1] },
  tiny: { shape: [1, 1, 2, 2], data: [0, 1, 2, 3] },
  // Few distinct values: ties inside pooling windows.
  p57: { shape: [1, 2, 5, 7], data: values("p57", 70, -1, 1, 0.5) },
  vals_a: { shape: [1, 2, 3, 4] },
  t24: { shape: [1, 1, 2, 4], data: [1, 5, 2, 2, 3, 0, 2, 1] },
  v12: { shape: [1, 1, 1, 2], data: [10, 20] },
  c6: { shape: [2, 6, 3, 4] },
  a4: { shape: [2, 3, 1, 1] },
  a2: { shape: [2, 3] },
  ax: { shape: [2, 3, 4, 5] },
  ay: { shape: [2, 3, 4, 5] },
  r: { shape: [2, 3, 4], data: values("r", 24, -8, 8) },
  dw: { shape: [2, 3, 7, 6] },
  bnx: { shape: [2, 4, 3, 5], data: values("bnx", 120, -3, 5) },
};

/** One layer under test: its prototxt, its bottoms, and the fork semantics for the reference. */
interface Case {
  layer: string;
  type: string;
  bottoms: string[];
  tops: string[];
  param?: string;
  ref: Record<string, unknown>;
  /** Caffe blob shapes (values are generated). */
  blobs?: number[][];
  phases?: ("TEST" | "TRAIN")[];
}

const interp = (layer: string, bottom: string, param: string, ref: Record<string, unknown>): Case => ({
  layer,
  type: "Interp",
  bottoms: [bottom],
  tops: [layer],
  param: `interp_param { ${param} }`,
  ref: { kind: "interp", ...ref },
});

const CASES: Case[] = [
  interp("zoom2", "x35", "zoom_factor: 2", { zoom_factor: 2 }),
  interp("shrink2", "x35", "shrink_factor: 2", { shrink_factor: 2 }),
  interp("hw", "x35", "height: 4 width: 7", { height: 4, width: 7 }),
  interp("both_pad", "x98", "shrink_factor: 2 zoom_factor: 3 pad_beg: -1 pad_end: -2", { shrink_factor: 2, zoom_factor: 3, pad_beg: -1, pad_end: -2 }),
  interp("zoom_wins", "x35", "zoom_factor: 3 height: 10 width: 10", { zoom_factor: 3, height: 10, width: 10 }),
  interp("crop_only", "x56", "height: 3 width: 4 pad_beg: -1 pad_end: -1", { height: 3, width: 4, pad_beg: -1, pad_end: -1 }),
  interp("row", "x35", "height: 1 width: 4", { height: 1, width: 4 }),
  interp("from_point", "one", "height: 3 width: 2", { height: 3, width: 2 }),
  interp("tiny_zoom", "tiny", "zoom_factor: 2", { zoom_factor: 2 }),
  // Overlapping windows with padding (ceil, 5×7 → 3×4): a place can win twice.
  {
    layer: "pool_a",
    type: "Pooling",
    bottoms: ["p57"],
    tops: ["pool_a", "mask_a"],
    param: "pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 }",
    ref: { kind: "max_pool", kernel: 3, stride: 2, pad: 1 },
  },
  {
    layer: "up_a",
    type: "Upsample",
    bottoms: ["vals_a", "mask_a"],
    tops: ["up_a"],
    param: "upsample_param { scale: 2 upsample_h: 5 upsample_w: 7 }",
    ref: { kind: "unpool", pool_input: "p57", pool: { kernel: 3, stride: 2, pad: 1 }, values: "vals_a", upsample_h: 5, upsample_w: 7 },
  },
  {
    layer: "pool_b",
    type: "Pooling",
    bottoms: ["p57"],
    tops: ["pool_b", "mask_b"],
    param: "pooling_param { pool: MAX kernel_size: 2 stride: 2 }",
    ref: { kind: "max_pool", kernel: 2, stride: 2 },
  },
  {
    layer: "up_b",
    type: "Upsample",
    bottoms: ["pool_b", "mask_b"],
    tops: ["up_b"],
    param: "upsample_param { scale: 2 pad_out_h: true pad_out_w: true }",
    ref: { kind: "unpool", pool_input: "p57", pool: { kernel: 2, stride: 2 }, values: "pooled", scale: 2, pad_out_h: true, pad_out_w: true },
  },
  {
    layer: "pool_g",
    type: "Pooling",
    bottoms: ["p57"],
    tops: ["pool_g", "mask_g"],
    param: "pooling_param { pool: MAX global_pooling: true }",
    ref: { kind: "max_pool", global: true },
  },
  {
    layer: "pool_t",
    type: "Pooling",
    bottoms: ["t24"],
    tops: ["pool_t", "mask_t"],
    param: "pooling_param { pool: MAX kernel_size: 2 stride: 2 }",
    ref: { kind: "max_pool", kernel: 2, stride: 2 },
  },
  {
    layer: "up_t",
    type: "Upsample",
    bottoms: ["v12", "mask_t"],
    tops: ["up_t"],
    param: "upsample_param { scale: 2 }",
    ref: { kind: "unpool", pool_input: "t24", pool: { kernel: 2, stride: 2 }, values: "v12", scale: 2 },
  },
  { layer: "shuffle3", type: "ShuffleChannel", bottoms: ["c6"], tops: ["shuffle3"], param: "shuffle_channel_param { group: 3 }", ref: { kind: "shuffle", group: 3 } },
  { layer: "shuffle2", type: "ShuffleChannel", bottoms: ["c6"], tops: ["shuffle2"], param: "shuffle_channel_param { group: 2 }", ref: { kind: "shuffle", group: 2 } },
  { layer: "axpy4", type: "Axpy", bottoms: ["a4", "ax", "ay"], tops: ["axpy4"], ref: { kind: "axpy" } },
  { layer: "axpy2", type: "Axpy", bottoms: ["a2", "ax", "ay"], tops: ["axpy2"], ref: { kind: "axpy" } },
  { layer: "relu6", type: "ReLU6", bottoms: ["r"], tops: ["relu6"], ref: { kind: "relu6" } },
  { layer: "relu6_leaky", type: "ReLU6", bottoms: ["r"], tops: ["relu6_leaky"], param: "relu6_param { negative_slope: 0.1 }", ref: { kind: "relu6", negative_slope: 0.1 } },
  {
    layer: "cdw",
    type: "ConvolutionDepthwise",
    bottoms: ["dw"],
    tops: ["cdw"],
    // num_output is not read by the fork: the output keeps the 3 input channels.
    param: "convolution_param { num_output: 5 kernel_size: 3 stride: 2 pad: 1 }",
    blobs: [[3, 1, 3, 3], [3]],
    ref: { kind: "conv", depthwise: true, kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
  },
  {
    layer: "cdw_dilated",
    type: "ConvolutionDepthwise",
    bottoms: ["dw"],
    tops: ["cdw_dilated"],
    param: "convolution_param { kernel_h: 3 kernel_w: 2 stride: 1 pad: 0 dilation: 2 bias_term: false }",
    blobs: [[3, 1, 3, 2]],
    ref: { kind: "conv", depthwise: true, kernel: [3, 2], dilation: [2, 2] },
  },
  {
    layer: "dconv",
    type: "DepthwiseConvolution",
    bottoms: ["dw"],
    tops: ["dconv"],
    param: "convolution_param { num_output: 6 group: 3 kernel_size: 3 pad: 1 }",
    blobs: [[6, 1, 3, 3], [6]],
    ref: { kind: "conv", depthwise: false, num_output: 6, group: 3, kernel: [3, 3], pad: [1, 1] },
  },
  {
    layer: "bn_psp",
    type: "BN",
    bottoms: ["bnx"],
    tops: ["bn_psp"],
    param: "bn_param { momentum: 0.9 eps: 0.001 }",
    blobs: [[1, 4, 1, 1], [1, 4, 1, 1], [1, 4, 1, 1], [1, 4, 1, 1]],
    ref: { kind: "bn", fork: "pspnet", eps: 0.001 },
    phases: ["TEST", "TRAIN"],
  },
  {
    layer: "bn_psp_frozen",
    type: "BN",
    bottoms: ["bnx"],
    tops: ["bn_psp_frozen"],
    param: "bn_param { frozen: true }",
    blobs: [[1, 4, 1, 1], [1, 4, 1, 1], [1, 4, 1, 1], [1, 4, 1, 1]],
    ref: { kind: "bn", fork: "pspnet", frozen: true },
    phases: ["TEST", "TRAIN"],
  },
  {
    layer: "bn_seg_learn",
    type: "BN",
    bottoms: ["bnx"],
    tops: ["bn_seg_learn"],
    param: "bn_param { scale_filler { type: 'constant' value: 1 } }",
    blobs: [[1, 4, 1, 1], [1, 4, 1, 1]],
    ref: { kind: "bn", fork: "segnet", mode: "LEARN" },
    phases: ["TEST", "TRAIN"],
  },
  {
    layer: "bn_seg_inference",
    type: "BN",
    bottoms: ["bnx"],
    tops: ["bn_seg_inference"],
    param: "bn_param { bn_mode: INFERENCE }",
    blobs: [[1, 4, 1, 1], [1, 4, 1, 1]],
    ref: { kind: "bn", fork: "segnet", mode: "INFERENCE" },
    phases: ["TEST", "TRAIN"],
  },
  {
    layer: "bn_nv",
    type: "BatchNorm",
    bottoms: ["bnx"],
    tops: ["bn_nv"],
    // eps below NVCaffe's floor of 1e-5, which LayerSetUp raises it to.
    param: "batch_norm_param { moving_average_fraction: 0.9 eps: 0.000001 scale_bias: true }",
    blobs: [[4], [4], [1], [4], [4]],
    ref: { kind: "bn", fork: "nvcaffe", eps: 0.000001 },
    phases: ["TEST", "TRAIN"],
  },
];

/** The blob values of a layer; the stored variances positive. */
function blobValues(c: Case, index: number, shape: number[]): number[] {
  const name = `${c.layer}/${index}`;
  if (c.ref["fork"] === "pspnet" && index === 3) return values(name, count(shape), 0.2, 3);
  // NVCaffe: variances small enough that its eps floor (1e-5 over the written 1e-6) shows; the
  // variance correction blob is never read, which an odd value proves.
  if (c.ref["fork"] === "nvcaffe" && index === 1) return values(name, count(shape), 1e-5, 1e-4);
  if (c.ref["fork"] === "nvcaffe" && index === 2) return [7];
  return values(name, count(shape));
}

const NET = [
  ...Object.entries(INPUTS).map(([name, i]) => `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${i.shape.map((d) => `dim: ${d}`).join(" ")} } } }`),
  ...CASES.map((c) => `layer { name: "${c.layer}" type: "${c.type}" ${c.bottoms.map((b) => `bottom: "${b}"`).join(" ")} ${c.tops.map((t) => `top: "${t}"`).join(" ")} ${c.param ?? ""} }`),
].join("\n");

interface Report {
  torch: string;
  cases: Record<string, { shape: number[]; expected_shape: number[]; max_abs_error: number | null; max_abs_expected: number; values?: number[] }[]>;
}

let report: Report;

/** Exports the net in `phase` with the caffemodel into a fresh folder. */
function exportPhase(phase: "TEST" | "TRAIN", caffemodel: Uint8Array): string {
  const read = readNet(NET, { allowUnknown: true, upgrade: true });
  const { graph } = buildTorchGraph(read, { phase, source: "fork-layers.prototxt" });
  expect(graph.unsupported).toEqual([]);
  const state = exportState(graph, caffemodel);
  expect(state.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const dir = mkdtempSync(join(tmpdir(), `caffe2torch-fork-${phase}-`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.safetensors"), safetensorsBytes(state.tensors));
  writeFileSync(join(dir, "model.py"), emitNetModule(graph));
  return dir;
}

beforeAll(async () => {
  if (skipWithoutTorch) return;
  requireTorch();
  const blobs: Record<string, { shape: number[]; data: number[] }[]> = {};
  const layers: BoundMessage[] = [];
  for (const c of CASES) {
    if (!c.blobs) continue;
    blobs[c.layer] = c.blobs.map((shape, i) => ({ shape, data: blobValues(c, i, shape) }));
    layers.push({ name: c.layer, type: c.type, blobs: blobs[c.layer]!.map((b) => blob(b.shape, b.data)) });
  }
  const caffemodel = encodeCaffemodel({ name: "fork-layers", layer: layers });
  const models = { TEST: exportPhase("TEST", caffemodel), TRAIN: exportPhase("TRAIN", caffemodel) };
  const inputs = Object.fromEntries(Object.entries(INPUTS).map(([name, i]) => [name, { shape: i.shape, data: i.data ?? values(name, count(i.shape)) }]));
  const cases = CASES.flatMap((c) => (c.phases ?? ["TEST"]).map((phase) => ({ layer: c.layer, phase, bottoms: c.bottoms, ref: c.ref })));
  const spec = join(mkdtempSync(join(tmpdir(), "caffe2torch-fork-spec-")), "spec.json");
  writeFileSync(spec, JSON.stringify({ models, inputs, blobs, cases }));
  report = await runPythonJsonAsync<Report>(CHECKER, [spec]);
}, 300_000);

/** The report of `layer` in `phase`, top by top. */
const tops = (layer: string, phase = "TEST") => {
  const entry = report.cases[`${phase}:${layer}`];
  if (!entry) throw new Error(`no report for ${phase}:${layer}`);
  return entry;
};

/** Every top of the case: the fork's shape, values within the tolerance. */
function expectMatches(layer: string, phase = "TEST"): void {
  for (const [i, t] of tops(layer, phase).entries()) {
    expect(t.shape, `${phase} ${layer} top ${i} shape`).toEqual(t.expected_shape);
    expect(t.max_abs_error, `${phase} ${layer} top ${i}`).not.toBeNull();
    expect(t.max_abs_error!, `${phase} ${layer} top ${i}`).toBeLessThanOrEqual(TOLERANCE * Math.max(1, t.max_abs_expected));
  }
}

describe.skipIf(skipWithoutTorch)("fork layers under PyTorch", () => {
  it("resizes as PSPNet's Interp: zoom, shrink, both with cropping pads, height/width, single rows and points", () => {
    for (const layer of ["zoom2", "shrink2", "hw", "both_pad", "zoom_wins", "crop_only", "row", "from_point", "tiny_zoom"]) expectMatches(layer);
    expect(tops("zoom2")[0]!.shape).toEqual([2, 3, 5, 9]);
    expect(tops("both_pad")[0]!.shape).toEqual([1, 2, 7, 7]);
    expect(tops("zoom_wins")[0]!.shape).toEqual([2, 3, 7, 13]);
    // By hand: [[0, 1], [2, 3]] zoomed by 2 puts the midpoints between the corners.
    expect(tops("tiny_zoom")[0]!.values).toEqual([0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  });
  it("gives a MAX Pooling's mask top Caffe's argmax places, first maximum winning ties", () => {
    for (const layer of ["pool_a", "pool_b", "pool_g", "pool_t"]) {
      expectMatches(layer);
      expect(tops(layer)[1]!.max_abs_error, `${layer} mask`).toBe(0);
    }
    // By hand: [[1, 5, 2, 2], [3, 0, 2, 1]] in 2×2 windows: 5 at place 1; the 2 at place 2 first.
    expect(tops("pool_t")[1]!.values).toEqual([1, 2]);
  });
  it("places values where the mask points, as SegNet's Upsample: explicit size, scale with pad_out, overlapping windows", () => {
    for (const layer of ["up_a", "up_b", "up_t"]) expectMatches(layer);
    expect(tops("up_b")[0]!.shape).toEqual([1, 2, 5, 7]);
    expect(tops("up_t")[0]!.values).toEqual([0, 10, 20, 0, 0, 0, 0, 0]);
  });
  it("shuffles channels as ShuffleChannel, computes Axpy as a·x + y and ReLU6 with and without a slope", () => {
    for (const layer of ["shuffle3", "shuffle2", "axpy4", "axpy2", "relu6", "relu6_leaky"]) expectMatches(layer);
  });
  it("convolves depthwise as ConvolutionDepthwise (num_output ignored) and DepthwiseConvolution (group as written)", () => {
    for (const layer of ["cdw", "cdw_dilated", "dconv"]) expectMatches(layer);
    expect(tops("cdw")[0]!.shape).toEqual([2, 3, 4, 3]);
    expect(tops("dconv")[0]!.shape).toEqual([2, 6, 7, 6]);
  });
  it("normalises as each fork's BatchNorm in TEST and TRAIN, with the weights from a caffemodel", () => {
    for (const layer of ["bn_psp", "bn_psp_frozen", "bn_seg_learn", "bn_seg_inference", "bn_nv"]) {
      expectMatches(layer, "TEST");
      expectMatches(layer, "TRAIN");
    }
  });
});
