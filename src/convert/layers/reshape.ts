import { layerParams } from "../../caffe/layers/params.js";
import { canonicalAxis } from "../../caffe/shape-util.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** `{0}.shape[i]`: an axis copied from the bottom at run time (the batch stays dynamic). */
const copied = (i: number): string => `{0}.shape[${i}]`;

/**
 * Reshape as ReshapeLayer::Reshape: the bottom's axes [axis, axis + num_axes) are replaced by
 * `shape.dim` (a negative `axis` counts from the end, −1 meaning "after the last"; num_axes −1
 * meaning "to the last"); a 0 copies the bottom's axis at that position and one −1 is inferred
 * from the count. Copied axes stay `{0}.shape[i]`, so a copied batch stays dynamic; −1 is
 * PyTorch's own inferred dimension.
 */
function reshape(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "reshape_param");
  const dims = p.msg("shape").list("dim");
  if (dims.filter((d) => d === -1).length > 1) return { refused: "reshape-two-inferred" };
  if (dims.some((d) => d < -1)) return { refused: "reshape-negative-dim", data: { dims: dims.join(",") } };
  const [axis, numAxes] = [p.num("axis"), p.num("num_axes")];
  const rank = ctx.inputs[0]?.length;
  if (numAxes < -1) return { refused: "num-axes-out-of-range", data: { num_axes: numAxes } };
  // Without the bottom's rank only the default span (every axis) can be written.
  if (rank === undefined && !(axis === 0 && numAxes === -1)) return { refused: "input-shape-unknown" };
  const r = rank ?? 0;
  const start = axis >= 0 ? axis : r + axis + 1;
  const end = rank === undefined ? start : numAxes === -1 ? r : start + numAxes;
  if (start < 0 || start > r || end > r) return { refused: "axis-out-of-range", data: { axis, num_axes: numAxes } };
  if (rank !== undefined && dims.some((d, i) => d === 0 && start + i >= rank)) return { refused: "reshape-copy-beyond-rank" };
  const args = [
    ...Array.from({ length: start }, (_, i) => copied(i)),
    ...dims.map((d, i) => (d === 0 ? copied(start + i) : String(d))),
    ...Array.from({ length: r - end }, (_, i) => copied(end + i)),
  ];
  return { module: null, call: { kind: "expr", expr: `{0}.reshape(${args.join(", ")})` } };
}

/**
 * Flatten as FlattenLayer::Reshape: the axes `axis`..`end_axis` (inclusive, both canonicalised:
 * negative counts from the end) become one, which is `torch.flatten(x, start_dim, end_dim)`.
 */
function flatten(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "flatten_param");
  const [axis, endAxis] = [p.num("axis"), p.num("end_axis")];
  const rank = ctx.inputs[0]?.length;
  // torch.flatten canonicalises negative dims as Blob::CanonicalAxisIndex does.
  let [start, end] = [axis, endAxis];
  if (rank !== undefined) {
    const [s, e] = [canonicalAxis(axis, rank), canonicalAxis(endAxis, rank)];
    if (s === null || e === null) return { refused: "axis-out-of-range", data: { axis, end_axis: endAxis } };
    if (e < s) return { refused: "flatten-end-before-start", data: { axis, end_axis: endAxis } };
    [start, end] = [s, e === rank - 1 ? -1 : e];
  }
  return { module: null, call: { kind: "expr", expr: end === -1 ? `torch.flatten({0}, ${start})` : `torch.flatten({0}, ${start}, ${end})` } };
}

/** Reshape and Flatten: views of the bottom's data, as Caffe shares it. */
export const reshapeConverter: LayerConverter = {
  types: ["Reshape", "Flatten"],
  convert: (ctx) => (ctx.layer.type === "Reshape" ? reshape(ctx) : flatten(ctx)),
};
