import { layerParams } from "../../caffe/layers/params.js";
import { canonicalAxis } from "../../caffe/shape-util.js";
import { pyFloat } from "../python-literals.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

const list = (n: number): string => Array.from({ length: n }, (_, i) => `{${i}}`).join(", ");

/** Softmax over `axis` (SoftmaxLayer: exp(x − max) / Σ, as torch.softmax computes it). */
function softmax(ctx: LayerContext): LayerConversion | LayerRefusal {
  const axisParam = layerParams(ctx.layer, "softmax_param").num("axis");
  const rank = ctx.inputs[0]?.length;
  const axis = rank === undefined ? (axisParam >= 0 ? axisParam : null) : canonicalAxis(axisParam, rank);
  if (axis === null) return { refused: "axis-out-of-range", data: { axis: axisParam } };
  return { module: { cls: "nn.Softmax", args: [], kwargs: { dim: axis } }, call: { kind: "module" } };
}

/** Concat along `axis` (legacy `concat_dim` when `axis` is not written). */
function concat(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "concat_param");
  const axisParam = p.has("axis") || !p.has("concat_dim") ? p.num("axis") : p.num("concat_dim");
  const rank = ctx.inputs[0]?.length;
  const axis = rank === undefined ? axisParam : canonicalAxis(axisParam, rank);
  if (axis === null) return { refused: "axis-out-of-range", data: { axis: axisParam } };
  // ConcatLayer with one bottom shares its data: the top is the bottom.
  if (ctx.layer.bottoms.length === 1) return { module: null, call: { kind: "alias" } };
  return { module: null, call: { kind: "expr", expr: `torch.cat([${list(ctx.layer.bottoms.length)}], dim=${axis})` } };
}

/**
 * Eltwise: SUM with optional `coeff` per bottom, PROD, MAX (EltwiseLayer::Forward_cpu, which
 * accumulates bottom by bottom in order, as the expression does).
 */
function eltwise(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "eltwise_param");
  const op = p.enumName("operation");
  const n = ctx.layer.bottoms.length;
  const coeffs = p.list("coeff");
  if (coeffs.length > 0 && coeffs.length !== n) return { refused: "eltwise-coeff-count", data: { coeffs: coeffs.length, bottoms: n } };
  if (op === "PROD") return { module: null, call: { kind: "expr", expr: list(n).split(", ").join(" * ") } };
  if (op === "MAX") {
    let e = "{0}";
    for (let i = 1; i < n; i++) e = `torch.maximum(${e}, {${i}})`;
    return { module: null, call: { kind: "expr", expr: e } };
  }
  if (op !== "SUM") return { refused: "eltwise-operation", data: { operation: op } };
  const terms = Array.from({ length: n }, (_, i) => {
    const c = coeffs[i] ?? 1;
    return c === 1 ? { sign: "+", text: `{${i}}` } : c === -1 ? { sign: "-", text: `{${i}}` } : { sign: "+", text: `{${i}} * ${pyFloat(c)}` };
  });
  const e = terms.map((t, i) => (i === 0 ? (t.sign === "-" ? `-${t.text}` : t.text) : ` ${t.sign} ${t.text}`)).join("");
  return { module: null, call: { kind: "expr", expr: e } };
}

/** Layers that arrange data: Softmax, Concat, Eltwise, Split, Silence. */
export const structureConverter: LayerConverter = {
  types: ["Softmax", "Concat", "Eltwise", "Split", "Silence"],
  convert(ctx) {
    switch (ctx.layer.type) {
      case "Softmax":
        return softmax(ctx);
      case "Concat":
        return concat(ctx);
      case "Eltwise":
        return eltwise(ctx);
      // SplitLayer shares the bottom's data with every top.
      case "Split":
        return { module: null, call: { kind: "alias" } };
      case "Silence":
        return { module: null, call: { kind: "none" } };
      default:
        return { refused: "unknown-type" };
    }
  },
};
