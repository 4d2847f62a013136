/**
 * Eltwise, as BVLC Caffe's EltwiseLayer (eltwise_layer.cpp): PROD, SUM (one coefficient per bottom,
 * default 1) and MAX over equally shaped bottoms.
 *
 * In place (top named like bottom 0), SUM and MAX first fill the shared buffer (with 0 and −FLT_MAX)
 * and so lose bottom 0: Caffe then computes the SUM or MAX of the other bottoms; PROD multiplies
 * element by element and is unaffected.
 */
import { layerParams } from "../../caffe/layers/params.js";
import { eltwiseMax, eltwiseProd, eltwiseSum } from "../../numeric/kernels/eltwise.js";
import { blobOf, inPlace, needBottoms } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";

export const eltwise: LayerExecutor = {
  types: ["Eltwise"],
  forward(ctx) {
    needBottoms(ctx, 2, Infinity);
    const first = ctx.bottoms[0]!.shape;
    for (const b of ctx.bottoms) {
      if (b.shape.length !== first.length || b.shape.some((d, i) => d !== first[i])) {
        fail("bottom-shapes-differ", { layer: ctx.layer.name, first: [...first], other: [...b.shape] });
      }
    }
    const p = layerParams(ctx.layer, "eltwise_param");
    const op = p.enumName("operation");
    const coeff = p.list("coeff").map(Math.fround);
    if (coeff.length !== 0 && coeff.length !== ctx.bottoms.length) fail("eltwise-coeff-count", { layer: ctx.layer.name, coeff: coeff.length, bottoms: ctx.bottoms.length });
    if (op === "PROD" && coeff.length > 0) fail("eltwise-coeff-prod", { layer: ctx.layer.name });
    const top = blobOf(first);
    const inputs = ctx.bottoms.map((b) => b.data);
    if (inPlace(ctx) && op === "SUM") inputs[0] = new Float32Array(top.data.length);
    if (inPlace(ctx) && op === "MAX") inputs[0] = new Float32Array(top.data.length).fill(-3.4028234663852886e38);
    if (op === "SUM") eltwiseSum(inputs, coeff.length > 0 ? coeff : inputs.map(() => 1), top.data);
    else if (op === "PROD") eltwiseProd(inputs, top.data);
    else if (op === "MAX") eltwiseMax(inputs, top.data);
    else fail("eltwise-operation", { layer: ctx.layer.name, op });
    return [top];
  },
};
