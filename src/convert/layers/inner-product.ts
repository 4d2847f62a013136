import { layerParams } from "../../caffe/layers/params.js";
import { canonicalAxis, product } from "../../caffe/shape-util.js";
import { bindBlob, fillerOf, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * InnerProduct → `nn.Linear` on the input flattened from `axis` (InnerProductLayer::Reshape takes
 * K = count(axis) and keeps the axes before it). Caffe stores the weight `[N, K]` as Linear does,
 * or `[K, N]` with `transpose: true`; legacy nets store it 4-D as `[1, 1, N, K]`.
 */
function convertInnerProduct(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "inner_product_param");
  const input = ctx.inputs[0];
  if (!input) return { refused: "input-shape-unknown" };
  const axis = canonicalAxis(p.num("axis"), input.length);
  if (axis === null) return { refused: "axis-out-of-range", data: { axis: p.num("axis"), rank: input.length } };
  const k = product(input.slice(axis));
  if (k === null) return { refused: "channels-unknown" };
  const n = p.num("num_output");
  const bias = p.bool("bias_term");
  const transpose = p.bool("transpose");
  const params = [
    bindBlob(ctx, 0, {
      key: keyOf(ctx.attr, "weight"),
      shape: [n, k],
      caffeShape: transpose ? [k, n] : [n, k],
      layout: transpose ? { kind: "transpose" } : { kind: "same" },
      filler: fillerOf(p.msg("weight_filler")),
    }),
  ];
  if (bias) params.push(bindBlob(ctx, 1, { key: keyOf(ctx.attr, "bias"), shape: [n], filler: fillerOf(p.msg("bias_filler")) }));
  // Linear works on the last axis: flatten only when axes follow `axis`.
  const flatten = axis < input.length - 1 ? `torch.flatten({0}, ${axis})` : undefined;
  return {
    module: { cls: "nn.Linear", args: [k, n], kwargs: bias ? {} : { bias: false } },
    call: flatten ? { kind: "module", input: flatten } : { kind: "module" },
    params,
  };
}

/** InnerProduct. */
export const innerProductConverter: LayerConverter = { types: ["InnerProduct"], convert: convertInnerProduct };
