/**
 * Scale and Bias, as BVLC Caffe's ScaleLayer and BiasLayer (scale_layer.cpp, bias_layer.cpp): the
 * factor is a learned blob or the second bottom; it covers the bottom's axes from `axis` for as
 * many axes as it has (a 0-D factor: axis 0, one value for everything).
 */
import { layerParams } from "../../caffe/layers/params.js";
import { biasRuns, scaleRuns } from "../../numeric/kernels/broadcast.js";
import { axisOf, blobOf, count, needBottoms, param } from "../blob.js";
import { fail, type Blob, type LayerContext, type LayerExecutor } from "../types.js";

/** outer × dim × inner of `x` for a factor blob `factor` applied from `axis` (Reshape of both layers). */
function runs(ctx: LayerContext, x: Blob, factor: Blob, axisParam: number): { outer: number; dim: number; inner: number } {
  const rank = factor.shape.length;
  const axis = rank === 0 ? 0 : axisOf(ctx, axisParam, x.shape.length);
  if (x.shape.length < axis + rank || factor.shape.some((d, i) => d !== x.shape[axis + i])) {
    fail("broadcast-shape", { layer: ctx.layer.name, bottom: [...x.shape], factor: [...factor.shape], axis });
  }
  return { outer: count(x.shape, 0, axis), dim: factor.data.length, inner: count(x.shape, axis + rank) };
}

/** The shape LayerSetUp gives a learned factor: the bottom's axes [axis, axis + num_axes) (−1: to the end). */
function learnedShape(ctx: LayerContext, x: Blob, axisParam: number, numAxes: number): number[] {
  const axis = axisOf(ctx, axisParam, x.shape.length);
  if (numAxes < -1 || (numAxes >= 0 && x.shape.length < axis + numAxes)) fail("broadcast-axes", { layer: ctx.layer.name, axis, numAxes });
  return x.shape.slice(axis, numAxes === -1 ? x.shape.length : axis + numAxes);
}

/**
 * ScaleLayer::Forward_cpu: `x·γ` (caffe_cpu_scale per run), then with bias_term its internal
 * BiasLayer adds β to the rounded product. β is the blob after γ (one bottom) or the only blob
 * (two bottoms).
 */
export const scale: LayerExecutor = {
  types: ["Scale"],
  forward(ctx) {
    needBottoms(ctx, 1, 2);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "scale_param");
    const axis = p.num("axis");
    const gamma = ctx.bottoms[1] ?? param(ctx, 0, learnedShape(ctx, x, axis, p.num("num_axes")));
    const top = blobOf(x.shape);
    const r = runs(ctx, x, gamma, axis);
    scaleRuns(x.data, r.outer, r.dim, r.inner, gamma.data, top.data);
    if (p.bool("bias_term")) {
      // The internal BiasLayer's num_axes: the second bottom's rank, else scale_param.num_axes.
      const numAxes = ctx.bottoms.length > 1 ? ctx.bottoms[1]!.shape.length : p.num("num_axes");
      const beta = param(ctx, ctx.bottoms.length > 1 ? 0 : 1, learnedShape(ctx, x, axis, numAxes));
      const b = runs(ctx, x, beta, p.num("axis"));
      biasRuns(top.data, b.outer, b.dim, b.inner, beta.data, top.data);
    }
    return [top];
  },
};

/** BiasLayer::Forward_cpu: `x + β` (β the blob, or the second bottom). */
export const bias: LayerExecutor = {
  types: ["Bias"],
  forward(ctx) {
    needBottoms(ctx, 1, 2);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "bias_param");
    const beta = ctx.bottoms[1] ?? param(ctx, 0, learnedShape(ctx, x, p.num("axis"), p.num("num_axes")));
    const top = blobOf(x.shape);
    const r = runs(ctx, x, beta, p.num("axis"));
    biasRuns(x.data, r.outer, r.dim, r.inner, beta.data, top.data);
    return [top];
  },
};
