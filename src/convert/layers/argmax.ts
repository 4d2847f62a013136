import { layerParams } from "../../caffe/layers/params.js";
import { canonicalAxis, product } from "../../caffe/shape-util.js";
import type { PyValue } from "../torch-graph.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * ArgMax → the `ArgMax` helper: the `top_k` largest along `axis` (their indices as floats, or with
 * `out_max_val` their values), or, without `axis`, over each item's flattened C·H·W into
 * `[N, 1 + out_max_val, top_k, 1…]`, indices first (argmax_layer.cpp). Caffe orders equal values
 * by the larger index first (std::partial_sort with std::greater on (value, index) pairs), which
 * torch.topk does not promise, hence the helper.
 */
function convertArgMax(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "argmax_param");
  const topK = p.num("top_k");
  const input = ctx.inputs[0] ?? null;
  const kwargs: Record<string, PyValue> = {};
  if (topK !== 1) kwargs["top_k"] = topK;
  let size = input === null ? null : product(input.slice(1));
  if (p.has("axis")) {
    const axisParam = p.num("axis");
    const axis = input === null ? (axisParam >= 0 ? axisParam : null) : canonicalAxis(axisParam, input.length);
    if (axis === null) return { refused: "axis-out-of-range", data: { axis: axisParam, rank: input?.length ?? null } };
    kwargs["axis"] = axis;
    size = input?.[axis] ?? null;
  }
  // ArgMaxLayer::LayerSetUp: 1 ≤ top_k ≤ the size it chooses from.
  if (topK < 1 || (size !== null && topK > size)) return { refused: "argmax-top-k", data: { top_k: topK, size } };
  if (p.bool("out_max_val")) kwargs["out_max_val"] = true;
  return { module: { cls: "ArgMax", args: [], kwargs }, call: { kind: "module" }, helpers: ["ArgMax"] };
}

/** ArgMax. */
export const argMaxConverter: LayerConverter = { types: ["ArgMax"], convert: convertArgMax };
