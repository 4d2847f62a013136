/**
 * Reduction (reduction_layer.cpp) and ArgMax (argmax_layer.cpp), as BVLC Caffe computes them.
 */
import { layerParams } from "../../caffe/layers/params.js";
import { reduce, topK, type ReductionOp } from "../../numeric/kernels/reduce.js";
import { axisOf, blobOf, count, float, needBottoms } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";

/** Reduction: every axis from `axis` (default 0) on is reduced; MEAN's coeff is divided by their count. */
export const reduction: LayerExecutor = {
  types: ["Reduction"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "reduction_param");
    const axis = axisOf(ctx, p.num("axis"), x.shape.length);
    const op = p.enumName("operation") as ReductionOp;
    if (!["SUM", "ASUM", "SUMSQ", "MEAN"].includes(op)) fail("reduction-operation", { layer: ctx.layer.name, op });
    const num = count(x.shape, 0, axis);
    const dim = count(x.shape, axis);
    let coeff = float(p, "coeff");
    if (op === "MEAN") coeff = Math.fround(coeff / dim);
    const top = blobOf(x.shape.slice(0, axis));
    reduce(x.data, num, dim, op, coeff, top.data);
    return [top];
  },
};

/**
 * ArgMax: with `axis`, that axis becomes top_k (indices, or values with out_max_val); without, each
 * item's flattened values give a `[N, 1 or 2, top_k, …1]` top (at least three axes) holding the
 * indices, then the values with out_max_val. Indices are written as floats.
 */
export const argMax: LayerExecutor = {
  types: ["ArgMax"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "argmax_param");
    const k = p.num("top_k");
    const values = p.bool("out_max_val");
    if (p.has("axis")) {
      const axis = axisOf(ctx, p.num("axis"), x.shape.length);
      const dim = x.shape[axis]!;
      if (k < 1 || k > dim) fail("argmax-top-k", { layer: ctx.layer.name, topK: k, dim });
      const axisDist = count(x.shape, axis) / dim;
      const shape = [...x.shape];
      shape[axis] = k;
      const top = blobOf(shape);
      topK(x.data, x.data.length, dim, axisDist, k, (i, r, value, index) => {
        top.data[(Math.floor(i / axisDist) * k + r) * axisDist + (i % axisDist)] = values ? value : index;
      });
      return [top];
    }
    const dim = count(x.shape, 1);
    if (k < 1 || k > dim) fail("argmax-top-k", { layer: ctx.layer.name, topK: k, dim });
    const shape = new Array<number>(Math.max(3, x.shape.length)).fill(1);
    shape[0] = x.shape[0]!;
    shape[2] = k;
    if (values) shape[1] = 2;
    const top = blobOf(shape);
    topK(x.data, x.data.length, dim, 1, k, (i, r, value, index) => {
      if (values) {
        top.data[2 * i * k + r] = index;
        top.data[2 * i * k + k + r] = value;
      } else {
        top.data[i * k + r] = index;
      }
    });
    return [top];
  },
};
