import { layerParams } from "../../caffe/layers/params.js";
import { canonicalAxis, product } from "../../caffe/shape-util.js";
import { pyFloat } from "../python-literals.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** What each operation sums (reduction_layer.cpp: a dot with ones, asum, or a dot with itself). */
const TERMS: Readonly<Record<string, string>> = { SUM: "{0}", MEAN: "{0}", ASUM: "{0}.abs()", SUMSQ: "{0}.square()" };

/**
 * Reduction → a sum over every axis from `axis` on; the top keeps the axes before it (axis 0: a
 * 0-D top), as ReductionLayer::Reshape shapes it. The result is scaled by `coeff` in float32, and
 * MEAN scales by `coeff / count(axis)` rounded to float32 (`coeff_ /= dim_`) instead of dividing.
 */
function convertReduction(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "reduction_param");
  const op = p.enumName("operation");
  const terms = TERMS[op];
  if (terms === undefined) return { refused: "reduction-operation", data: { operation: op } };
  const input = ctx.inputs[0] ?? null;
  if (input === null) return { refused: "input-shape-unknown" };
  const axis = canonicalAxis(p.num("axis"), input.length);
  if (axis === null) return { refused: "axis-out-of-range", data: { axis: p.num("axis"), rank: input.length } };
  const dims = Array.from({ length: input.length - axis }, (_, i) => axis + i);
  const dim = dims.length === 1 ? String(dims[0]) : `(${dims.join(", ")})`;
  const sum = axis === 0 ? `${terms}.sum()` : `${terms}.sum(dim=${dim})`;
  // The coeff as written (torch rounds it to float32 as Caffe's float field does); MEAN's quotient.
  let coeff = p.num("coeff");
  if (op === "MEAN") {
    const count = product(input.slice(axis));
    if (count === null) return { refused: "input-shape-unknown" };
    coeff = Math.fround(Math.fround(coeff) / count);
  }
  return { module: null, call: { kind: "expr", expr: coeff === 1 ? sum : `${sum} * ${pyFloat(coeff)}` } };
}

/** Reduction (SUM, ASUM, SUMSQ, MEAN). */
export const reductionConverter: LayerConverter = { types: ["Reduction"], convert: convertReduction };
