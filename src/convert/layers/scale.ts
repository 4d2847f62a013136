import { layerParams, type Params } from "../../caffe/layers/params.js";
import { canonicalAxis, type Shape } from "../../caffe/shape-util.js";
import type { FillerSpec, PyValue } from "../torch-graph.js";
import { bindBlob, fillerOf, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * The shape of a Scale/Bias parameter: the input's axes [axis, axis + num_axes), num_axes −1
 * meaning "to the last axis" (ScaleLayer::LayerSetUp / BiasLayer::LayerSetUp).
 */
function paramShape(input: Shape, axisParam: number, numAxes: number): { axis: number; shape: number[] } | LayerRefusal {
  if (!input) return { refused: "input-shape-unknown" };
  const axis = canonicalAxis(axisParam, input.length);
  if (axis === null) return { refused: "axis-out-of-range", data: { axis: axisParam, rank: input.length } };
  const end = numAxes === -1 ? input.length : axis + numAxes;
  if (numAxes < -1 || end > input.length) return { refused: "num-axes-out-of-range", data: { num_axes: numAxes } };
  const dims = input.slice(axis, end);
  if (dims.some((d) => d === null)) return { refused: "channels-unknown" };
  return { axis, shape: dims as number[] };
}

/** ScaleLayer's gamma filler: `filler` as written, else constant 1 (scale_layer.cpp: "unit (1) filler for identity"). */
function scaleFiller(p: Params): FillerSpec {
  return p.has("filler") ? fillerOf(p.msg("filler")) : { ...fillerOf(p.msg("filler")), type: "constant", value: 1 };
}

/** A Scale or Bias folded into the BatchNorm module of its block: its blobs are that module's gamma/beta. */
function fused(ctx: LayerContext, role: "Scale" | "Bias"): LayerConversion {
  const into = ctx.fusedInto!;
  const c = into.block.torch.num_features ?? null;
  const shape = c === null ? null : [c];
  const params = [];
  if (role === "Bias") params.push(bindBlob(ctx, 0, { key: keyOf(into.attr, "bias"), shape, filler: fillerOf(layerParams(ctx.layer, "bias_param").msg("filler")) }));
  else {
    const p = layerParams(ctx.layer, "scale_param");
    params.push(bindBlob(ctx, 0, { key: keyOf(into.attr, "weight"), shape, filler: scaleFiller(p) }));
    if (into.block.caffe.bias_term === true) params.push(bindBlob(ctx, 1, { key: keyOf(into.attr, "bias"), shape, filler: fillerOf(p.msg("bias_filler")) }));
  }
  return { module: null, call: { kind: "fused", into: into.attr, part: into.part }, params };
}

/**
 * Scale: `x · γ (+ β)` with γ broadcast from `axis` (one bottom: a learned blob; two bottoms: the
 * second bottom, and the only blob is β). A BatchNorm's Scale is fused into its module instead.
 */
function convertScale(ctx: LayerContext): LayerConversion | LayerRefusal {
  if (ctx.fusedInto) return fused(ctx, "Scale");
  const p = layerParams(ctx.layer, "scale_param");
  const two = ctx.layer.bottoms.length > 1;
  const geometry = paramShape(two ? ctx.inputs[1] ?? null : ctx.inputs[0] ?? null, two ? 0 : p.num("axis"), two ? -1 : p.num("num_axes"));
  if ("refused" in geometry) return geometry;
  const axis = two ? canonicalAxis(p.num("axis"), ctx.inputs[0]?.length ?? 0) : geometry.axis;
  if (axis === null) return { refused: "axis-out-of-range" };
  const bias = p.bool("bias_term");
  const kwargs: Record<string, PyValue> = {};
  if (axis !== 1) kwargs["axis"] = axis;
  if (bias) kwargs["bias"] = true;
  const params = [];
  if (!two) params.push(bindBlob(ctx, 0, { key: keyOf(ctx.attr, "weight"), shape: geometry.shape, filler: scaleFiller(p) }));
  if (bias) params.push(bindBlob(ctx, two ? 0 : 1, { key: keyOf(ctx.attr, "bias"), shape: geometry.shape, filler: fillerOf(p.msg("bias_filler")) }));
  return {
    module: { cls: "Scale", args: [two ? null : { tuple: geometry.shape }], kwargs: two && bias ? { ...kwargs, bias_shape: { tuple: geometry.shape } } : kwargs },
    call: { kind: "module" },
    helpers: ["Scale"],
    params,
  };
}

/** Bias: `x + β` with β broadcast from `axis` (a learned blob, or the second bottom). */
function convertBias(ctx: LayerContext): LayerConversion | LayerRefusal {
  if (ctx.fusedInto) return fused(ctx, "Bias");
  const p = layerParams(ctx.layer, "bias_param");
  const two = ctx.layer.bottoms.length > 1;
  if (two) {
    const axis = canonicalAxis(p.num("axis"), ctx.inputs[0]?.length ?? 0);
    if (axis === null) return { refused: "axis-out-of-range" };
    return { module: { cls: "Bias", args: [null], kwargs: axis === 1 ? {} : { axis } }, call: { kind: "module" }, helpers: ["Bias"] };
  }
  const geometry = paramShape(ctx.inputs[0] ?? null, p.num("axis"), p.num("num_axes"));
  if ("refused" in geometry) return geometry;
  return {
    module: { cls: "Bias", args: [{ tuple: geometry.shape }], kwargs: geometry.axis === 1 ? {} : { axis: geometry.axis } },
    call: { kind: "module" },
    helpers: ["Bias"],
    params: [bindBlob(ctx, 0, { key: keyOf(ctx.attr, "bias"), shape: geometry.shape, filler: fillerOf(p.msg("filler")) })],
  };
}

/** Scale and Bias. */
export const scaleConverter: LayerConverter = {
  types: ["Scale", "Bias"],
  convert: (ctx) => (ctx.layer.type === "Scale" ? convertScale(ctx) : convertBias(ctx)),
};
