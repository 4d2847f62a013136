import { layerParams } from "../../caffe/layers/params.js";
import { canonicalAxis } from "../../caffe/shape-util.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

const expr = (e: string): LayerConversion => ({ module: null, call: { kind: "expr", expr: e } });

/** Flatten → `torch.flatten`: axes `axis`..`end_axis` (defaults 1 and −1) become one (flatten_layer.cpp). */
function flatten(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "flatten_param");
  const input = ctx.inputs[0] ?? null;
  const [start, end] = [p.num("axis"), p.num("end_axis")];
  // torch reads negative axes as Caffe's CanonicalAxisIndex does; known ranks get plain numbers.
  const [a, b] = input === null ? [start, end] : [canonicalAxis(start, input.length), canonicalAxis(end, input.length)];
  if (a === null || b === null || (input !== null && b < a)) return { refused: "axis-out-of-range", data: { axis: start, end_axis: end, rank: input?.length ?? null } };
  return expr(input !== null && b === input.length - 1 ? `torch.flatten({0}, ${a})` : `torch.flatten({0}, ${a}, ${b})`);
}

/**
 * Reshape → `reshape`: the axes [axis, axis + num_axes) are replaced by `shape`, where 0 copies
 * the input's size at that position and −1 is inferred (reshape_layer.cpp, which works both out on
 * every forward). Copied and kept sizes are read from the input at run time, so a copied batch
 * size stays free; −1 stays −1, which torch infers from the same count.
 */
function reshape(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "reshape_param");
  const dims = p.msg("shape").list("dim");
  const input = ctx.inputs[0] ?? null;
  const [axisParam, numAxes] = [p.num("axis"), p.num("num_axes")];
  if (dims.filter((d) => d === -1).length > 1 || dims.some((d) => d < -1)) return { refused: "reshape-dims", data: { dims: dims.join(",") } };
  // Only axis 0 with every axis replaced can do without the input's rank.
  if (input === null && (axisParam !== 0 || numAxes !== -1)) return { refused: "input-shape-unknown" };
  const rank = input?.length ?? dims.length;
  const start = axisParam >= 0 ? axisParam : rank + axisParam + 1;
  const end = numAxes === -1 ? rank : start + numAxes;
  if (start < 0 || start > rank || numAxes < -1 || end > rank) return { refused: "axis-out-of-range", data: { axis: axisParam, num_axes: numAxes, rank } };
  // A 0 needs an input axis to copy (ReshapeLayer::Reshape checks it against the rank).
  if (input !== null && dims.some((d, i) => d === 0 && start + i >= input.length)) return { refused: "reshape-dims", data: { dims: dims.join(",") } };
  const size = (i: number): string => `{0}.shape[${i}]`;
  const out = [
    ...Array.from({ length: start }, (_, i) => size(i)),
    ...dims.map((d, i) => (d === 0 ? size(start + i) : String(d))),
    ...Array.from({ length: rank - end }, (_, i) => size(end + i)),
  ];
  // No dims at all: a 0-D top (one value).
  return expr(`{0}.reshape(${out.length === 0 ? "()" : out.join(", ")})`);
}

/** Flatten and Reshape: new shapes for the same data. */
export const reshapeConverter: LayerConverter = {
  types: ["Flatten", "Reshape"],
  convert: (ctx) => (ctx.layer.type === "Flatten" ? flatten(ctx) : reshape(ctx)),
};
