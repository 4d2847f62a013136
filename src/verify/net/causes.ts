/**
 * Likely causes of a first divergence, by layer type: what Caffe computes there that a PyTorch
 * mapping commonly gets wrong. A rule first looks for the evidence in the emitted graph and state
 * (a module floors where Caffe rounds up, an eps that differs, a weight stored transposed or
 * flipped); without evidence it names what Caffe does, so the reader knows where to look.
 */
import { layerParams } from "../../caffe/layers/params.js";
import type { NetLayer } from "../../caffe/net.js";
import type { PyValue, TorchNode } from "../../convert/torch-graph.js";
import type { TopValues } from "./records.js";

/** What a rule sees of the first divergent layer. */
export interface CauseContext {
  layer: NetLayer;
  /** The node the layer became (undefined when the graph has none). */
  node: TorchNode | undefined;
  /** Whether the first top's shapes differ between the sides. */
  shapeDiffers: boolean;
  /** The layer's Caffe parameter blobs (from the caffemodel, or the seeded ones). */
  caffeBlobs: readonly TopValues[];
  /** The PyTorch state by key (null when the side has none, e.g. a recording). */
  state: ReadonlyMap<string, TopValues> | null;
}

/** A rule: the layer types it knows and the cause it finds (null: nothing to say). */
interface CauseRule {
  types: readonly string[];
  explain(ctx: CauseContext): string | null;
}

/** A keyword argument as a number, when the converter wrote one. */
function kwNumber(node: TorchNode | undefined, key: string): number | undefined {
  const v: PyValue | undefined = node?.module?.kwargs[key];
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && "raw" in v) {
    const n = Number(v.raw);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A number as a reader expects it: 0.001, 1e-5. */
const short = (x: number): string => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x));

const kwTrue = (node: TorchNode | undefined, key: string): boolean => node?.module?.kwargs[key] === true;

const equalValues = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** The state tensor bound to Caffe blob `index` of the node, if any. */
function stateOf(ctx: CauseContext, index: number): TopValues | undefined {
  const key = ctx.node?.params.find((p) => p.blob === index)?.key;
  return key ? ctx.state?.get(key) : undefined;
}

/** A 2-D blob [r, c] transposed. */
function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out;
}

/** Each kernel's spatial axes (all axes after the first two) reversed: a 180° rotation. */
function flipped(blob: TopValues): Float32Array {
  const spatial = blob.shape.slice(2).reduce((a, d) => a * d, 1);
  const out = new Float32Array(blob.data.length);
  for (let start = 0; start < blob.data.length; start += spatial) {
    for (let i = 0; i < spatial; i++) out[start + i] = blob.data[start + spatial - 1 - i]!;
  }
  return out;
}

const pooling: CauseRule = {
  types: ["Pooling"],
  explain(ctx) {
    const p = layerParams(ctx.layer, "pooling_param");
    const method = p.enumName("pool");
    const ceil = p.enumName("round_mode") !== "FLOOR";
    if (p.bool("global_pooling")) return "global pooling: Caffe pools over the whole H×W of each channel";
    if (ctx.shapeDiffers && ceil && ctx.node?.module && !kwTrue(ctx.node, "ceil_mode")) {
      return "Caffe rounds pooled sizes up (round_mode CEIL: ceil((H + 2·pad − k)/stride) + 1); this module floors (ceil_mode=False)";
    }
    if (ctx.shapeDiffers && !ceil && kwTrue(ctx.node, "ceil_mode")) return "round_mode FLOOR: Caffe floors the pooled size; this module rounds up (ceil_mode=True)";
    if (ctx.shapeDiffers) return "pooled size: Caffe rounds up (round_mode CEIL) and drops a last window that would start in the padding";
    if (method === "AVE") return "AVE pooling divisor: Caffe divides by the window clipped to [−pad, H + pad) (padding counted, nothing beyond it): count_include_pad=True, ceil_mode=True";
    return "MAX pooling: Caffe ignores padding and takes the largest value of each window (equal values: the first; a NaN never compares greater, so Caffe skips it where PyTorch returns NaN)";
  },
};

const lrn: CauseRule = {
  types: ["LRN"],
  explain(ctx) {
    const p = layerParams(ctx.layer, "lrn_param");
    const alpha = p.num("alpha");
    const n = p.num("local_size");
    if (p.enumName("norm_region") === "WITHIN_CHANNEL") {
      return `LRN WITHIN_CHANNEL: Caffe computes x·(1 + α·avg(x²))^−β over an ${n}×${n} window with zero padding, divisor ${n}² (α = ${alpha}); k is not used`;
    }
    const given = kwNumber(ctx.node, "alpha");
    if (given !== undefined && given !== alpha) {
      const how = given === alpha * n ? ` (= α·local_size: α applied undivided)` : given === alpha / n ? ` (= α/local_size: divided twice)` : "";
      return `LRN: Caffe divides alpha by local_size (x·(k + α/${n}·Σx²)^−β, α = ${alpha}); nn.LocalResponseNorm divides by size itself, so it must get α as is, and this module has alpha=${given}${how}`;
    }
    return `LRN: Caffe divides alpha by local_size (ACROSS_CHANNELS: x·(k + α/n·Σx²)^−β over n = ${n} channels, α = ${alpha}); a module given α·n, or α/n, diverges here`;
  },
};

const innerProduct: CauseRule = {
  types: ["InnerProduct"],
  explain(ctx) {
    const p = layerParams(ctx.layer, "inner_product_param");
    const blob = ctx.caffeBlobs[0];
    const state = stateOf(ctx, 0);
    if (blob && state && state.shape.length === 2) {
      const [n, k] = state.shape as [number, number];
      const expected = p.bool("transpose") ? transposed(blob.data, k, n) : blob.data;
      // Read in the other order: the [N, K] values taken as a [K, N] matrix and transposed (or back).
      const swapped = equalValues(transposed(expected, k, n), state.data) || equalValues(transposed(expected, n, k), state.data);
      if (!equalValues(expected, state.data) && swapped) {
        return `InnerProduct weight transposed: Linear's weight must be [num_output, K] = [${n}, ${k}] in Caffe's order${p.bool("transpose") ? " (Caffe stores [K, num_output] with transpose: true)" : ""}; this state holds it transposed`;
      }
    }
    return `InnerProduct: Caffe's weight is [num_output, K] ([K, num_output] with transpose: true), applied to the input flattened from axis ${p.num("axis")} in row-major order; a transposed weight or another flatten order diverges here`;
  },
};

const convolution: CauseRule = {
  types: ["Convolution", "Deconvolution"],
  explain(ctx) {
    const blob = ctx.caffeBlobs[0];
    const state = stateOf(ctx, 0);
    const deconv = ctx.layer.type === "Deconvolution";
    if (blob && state && blob.data.length === state.data.length && !equalValues(blob.data, state.data) && equalValues(flipped(blob), state.data)) {
      return `${ctx.layer.type} kernel flipped: ${deconv ? "ConvTranspose" : "Conv"} takes Caffe's weight [${blob.shape.join(", ")}] as it is (Caffe ${deconv ? "scatters with col2im" : "correlates with im2col"}, no flip); this state holds every kernel rotated by 180°`;
    }
    if (ctx.shapeDiffers) {
      return deconv
        ? "Deconvolution output size: Caffe gives stride·(H − 1) + dilation·(k − 1) + 1 − 2·pad (no output_padding)"
        : "Convolution output size: Caffe floors (H + 2·pad − dilation·(k − 1) − 1)/stride + 1";
    }
    return deconv
      ? "Deconvolution: Caffe's weight [C_in, C_out/group, kh, kw] is ConvTranspose's layout, used unflipped; check group, stride, pad and dilation per axis"
      : "Convolution: Caffe's weight [C_out, C_in/group, kh, kw] is Conv's layout; check group, stride, pad and dilation per axis (kernel_h/kernel_w, pad_h/pad_w)";
  },
};

const eltwise: CauseRule = {
  types: ["Eltwise"],
  explain(ctx) {
    const p = layerParams(ctx.layer, "eltwise_param");
    const op = p.enumName("operation");
    const coeff = p.list("coeff");
    if (op === "SUM" && coeff.length > 0) return `Eltwise coeff dropped or misread: Caffe computes Σ coeff_i·x_i with coeff [${coeff.join(", ")}]`;
    if (op === "SUM") return "Eltwise SUM: Caffe adds its bottoms with coefficient 1 each";
    return op === "MAX" ? "Eltwise MAX: Caffe takes the element-wise maximum of all bottoms" : "Eltwise PROD: Caffe multiplies all bottoms element-wise";
  },
};

const batchNorm: CauseRule = {
  types: ["BatchNorm"],
  explain(ctx) {
    const p = layerParams(ctx.layer, "batch_norm_param");
    const eps = p.num("eps");
    const given = ctx.node?.module?.cls.includes("BatchNorm") ? kwNumber(ctx.node, "eps") ?? 1e-5 : undefined;
    if (given !== undefined && Math.fround(given) !== Math.fround(eps)) return `BatchNorm eps: Caffe uses eps = ${short(eps)}, this module ${short(given)}${ctx.node?.module?.kwargs["eps"] === undefined ? " (PyTorch's default)" : ""}`;
    return `BatchNorm eps or statistics: Caffe normalises with eps = ${short(eps)} and mean = mean_sum·(1/s), var = var_sum·(1/s) (s: the third blob; s = 0 gives zero statistics); a module with another eps (PyTorch's default is 1e-5), or statistics not divided by s, diverges here`;
  },
};

const softmax: CauseRule = {
  types: ["Softmax"],
  explain(ctx) {
    const axis = layerParams(ctx.layer, "softmax_param").num("axis");
    const dim = kwNumber(ctx.node, "dim");
    if (dim !== undefined && dim !== axis) return `Softmax axis: Caffe normalises over axis ${axis}, this module over dim=${dim}`;
    return `Softmax axis: Caffe normalises over axis ${axis} (max subtracted first)`;
  },
};

const crop: CauseRule = {
  types: ["Crop"],
  explain(ctx) {
    const p = layerParams(ctx.layer, "crop_param");
    const offsets = p.list("offset");
    return `Crop offset: Caffe crops every axis from ${p.num("axis")} on to the reference's size, starting at offset ${offsets.length === 0 ? "0" : `[${offsets.join(", ")}]`} (one offset applies to every cropped axis)`;
  },
};

const scaleBias: CauseRule = {
  types: ["Scale", "Bias"],
  explain(ctx) {
    const field = ctx.layer.type === "Scale" ? "scale_param" : "bias_param";
    const p = layerParams(ctx.layer, field);
    return `${ctx.layer.type} broadcasting: Caffe's blob covers the axes from axis ${p.num("axis")} on (num_axes ${p.num("num_axes")}) and repeats over the rest`;
  },
};

const layout: CauseRule = {
  types: ["Concat", "Slice", "Flatten", "Reshape", "Tile"],
  explain(ctx) {
    const t = ctx.layer.type;
    if (t === "Flatten" || t === "Reshape") return `${t}: Caffe keeps row-major (C-order) element order; a permute before it, or another order, diverges here`;
    return `${t} axis: Caffe works along the axis its ${t.toLowerCase()}_param names (axis, or the legacy concat_dim/slice_dim)`;
  },
};

const mvn: CauseRule = {
  types: ["MVN"],
  explain: () => "MVN: Caffe divides by the standard deviation plus eps (not √(var + eps)), the variance over n values (not n − 1)",
};

const reduction: CauseRule = {
  types: ["Reduction"],
  explain: (ctx) => `Reduction: Caffe reduces every axis from axis ${layerParams(ctx.layer, "reduction_param").num("axis")} on, then multiplies by coeff`,
};

const argmax: CauseRule = {
  types: ["ArgMax"],
  explain: () => "ArgMax: Caffe ranks equal values by the larger index first; without axis it ranks each item's flattened values",
};

/** The rules, one per group of layer types (a type claimed twice is a bug: see {@link causeRules}). */
const RULES: readonly CauseRule[] = [pooling, lrn, innerProduct, convolution, eltwise, batchNorm, softmax, crop, scaleBias, layout, mvn, reduction, argmax];

/** The rule of each type (throws on a type claimed twice: an explicit registry). */
export function causeRules(): ReadonlyMap<string, CauseRule> {
  const out = new Map<string, CauseRule>();
  for (const rule of RULES) {
    for (const type of rule.types) {
      if (out.has(type)) throw new Error(`cause rule for ${type} given twice`);
      out.set(type, rule);
    }
  }
  return out;
}

const BY_TYPE = causeRules();

/** The same values in any order: a layout change (transposed, flipped), not other weights. */
function sameMultiset(a: Float32Array, b: Float32Array): boolean {
  return equalValues(Float32Array.from(a).sort(), Float32Array.from(b).sort());
}

/**
 * A blob the converter copies as it is (layout "same") whose tensor holds other values than the
 * caffemodel's, not merely reordered (reorderings are the type rules' evidence: a transposed
 * weight, a flipped kernel): the weights, not the arithmetic, differ.
 */
function changedBlob(ctx: CauseContext): string | null {
  for (const binding of ctx.node?.params ?? []) {
    if (binding.layout.kind !== "same" || binding.key === null) continue;
    const blob = ctx.caffeBlobs[binding.blob];
    const state = ctx.state?.get(binding.key);
    if (blob && state && blob.data.length === state.data.length && !sameMultiset(blob.data, state.data)) {
      return `${ctx.layer.type} weights: the tensor ${binding.key} does not hold blob ${binding.blob} of this layer's caffemodel entry (same size, other values); the weights differ, whatever the arithmetic`;
    }
  }
  return null;
}

/** The likely cause of a divergence at `ctx.layer`, or null when no rule knows the type. */
export function likelyCause(ctx: CauseContext): string | null {
  return changedBlob(ctx) ?? BY_TYPE.get(ctx.layer.type)?.explain(ctx) ?? null;
}
