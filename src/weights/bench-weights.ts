/**
 * The `convert --weights` benchmark (not a test; tools/bench-weights.mjs runs it): a caffemodel
 * the size of a real one, synthesised with our encoder for a corpus net (random blobs of the
 * shapes Caffe's layers set up), then the conversion timed step by step.
 *
 * The target set by issue 6 for ResNet-50 (~100 MB): ≤ 1 s end to end and peak memory ≤ the file
 * size + 200 MiB. File reading and writing belong to the caller (tools/), so this module stays pure.
 */
import { analyzeNet } from "../caffe/analyze.js";
import type { Shape } from "../caffe/shape-util.js";
import { convertNetDetailed } from "../convert/convert.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { emitPython } from "../emit/python.js";
import type { BoundMessage } from "../schema/bind.js";
import type { LayerParameter, NetParameter } from "../schema/caffe-types.js";
import { encodeMessage } from "../schema/encode.js";
import { loadCaffeSchema } from "../schema/load.js";
import { readNet } from "../schema/read.js";
import { attachWeights } from "./attach.js";
import { safetensorsBytes } from "./safetensors.js";

/** Blob shapes a layer sets up (ConvolutionLayer, InnerProductLayer, BatchNormLayer, ScaleLayer, BiasLayer). */
function blobShapes(layer: LayerParameter, input: Shape): number[][] {
  const channels = input?.[1] ?? null;
  switch (layer.type) {
    case "Convolution": {
      const p = layer.convolution_param ?? {};
      const k = p.kernel_size ?? [];
      const kh = p.kernel_h ?? k[0] ?? 1;
      const kw = p.kernel_w ?? k[1] ?? k[0] ?? 1;
      const out = p.num_output ?? 0;
      const weight = [out, (channels ?? 0) / (p.group ?? 1), kh, kw];
      return p.bias_term === false ? [weight] : [weight, [out]];
    }
    case "InnerProduct": {
      const p = layer.inner_product_param ?? {};
      const k = (input ?? []).slice(p.axis ?? 1).reduce<number>((a, d) => a * (d ?? 0), 1);
      const out = p.num_output ?? 0;
      return p.bias_term === false ? [[out, k]] : [[out, k], [out]];
    }
    case "BatchNorm":
      return [[channels ?? 0], [channels ?? 0], [1]];
    case "Scale":
      return layer.scale_param?.bias_term ? [[channels ?? 0], [channels ?? 0]] : [[channels ?? 0]];
    case "Bias":
      return [[channels ?? 0]];
    default:
      return [];
  }
}

/** xorshift32 uniform floats in [lo, hi): fast enough to fill 25 M values. */
function fill(values: Float32Array, seed: number, lo: number, hi: number): Float32Array {
  let x = seed >>> 0 || 1;
  const scale = (hi - lo) / 4294967296;
  for (let i = 0; i < values.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    values[i] = lo + (x >>> 0) * scale;
  }
  return values;
}

/**
 * A caffemodel for `prototxt` (TEST phase) with random values of the right shapes: weights in
 * [−0.1, 0.1), BatchNorm sums with a scale factor of 999.98 (a long-trained net) and positive
 * variance sums. The file uses the current `layer` form, as pycaffe's Net.save writes it.
 */
export function synthesiseCaffemodel(prototxt: string, seed = 1): Uint8Array {
  const read = readNet(prototxt, { allowUnknown: true, upgrade: true });
  const net = read.net as NetParameter;
  const analysis = analyzeNet(net, { phase: "TEST" }, read.sourceMap);
  const layers: BoundMessage[] = [];
  analysis.model.layers.forEach((layer, position) => {
    const version = analysis.graph.bottoms[position]?.[0];
    const input = version === undefined ? null : analysis.shapes[version] ?? null;
    const shapes = blobShapes(layer.param, input);
    const blobs = shapes.map((shape, i) => {
      const count = shape.reduce((a, d) => a * d, 1);
      const data = new Float32Array(count);
      if (layer.type === "BatchNorm") {
        if (i === 2) data[0] = 999.98;
        else fill(data, seed + position * 7 + i, i === 0 ? -100 : 1, 1000);
      } else fill(data, seed + position * 7 + i, -0.1, 0.1);
      return { shape: { dim: shape }, data };
    });
    layers.push({ name: layer.name, type: layer.type, ...(blobs.length > 0 ? { blobs } : {}) });
  });
  return encodeMessage(loadCaffeSchema().message("caffe.NetParameter"), { name: net.name ?? "net", layer: layers });
}

/** Milliseconds of each step of {@link convertWithWeightsTimed}. */
export interface WeightsTimings {
  read: number;
  convert: number;
  attach: number;
  emit: number;
  safetensors: number;
  total: number;
}

/** The outputs and timings of one `convert --weights --format python` run on in-memory inputs. */
export interface WeightsBenchRun {
  python: string;
  safetensors: Uint8Array;
  blocks: number;
  tensors: number;
  ok: boolean;
  timings: WeightsTimings;
}

/**
 * What `convert NET --weights MODEL --format python` computes between reading the files and
 * writing the outputs, each step timed with `now` (default performance.now).
 */
export function convertWithWeightsTimed(prototxt: string, caffemodel: Uint8Array, now: () => number = () => performance.now()): WeightsBenchRun {
  const t0 = now();
  const read = readNet(prototxt, { allowUnknown: true, upgrade: true });
  const t1 = now();
  const outcome = convertNetDetailed(read, { phase: "TEST", source: "net.prototxt" });
  const t2 = now();
  const attached = attachWeights(outcome, read, caffemodel, { source: "net.caffemodel" });
  const t3 = now();
  const python = emitPython(attached.result);
  const t4 = now();
  const safetensors = safetensorsBytes(attached.state, attached.metadata);
  const t5 = now();
  return {
    python,
    safetensors,
    blocks: attached.result.blocks.length,
    tensors: attached.state.size,
    ok: !hasErrors(attached.diagnostics) && !hasErrors(outcome.diagnostics),
    timings: { read: t1 - t0, convert: t2 - t1, attach: t3 - t2, emit: t4 - t3, safetensors: t5 - t4, total: t5 - t0 },
  };
}
