/**
 * Permute, Normalize and PriorBox of the SSD fork (weiliu89/caffe, branch ssd,
 * src/caffe/layers/{permute,normalize,prior_box}_layer.cpp).
 */
import { isForkRefusal, permuteOrder, priorAspectRatios, readNormalize, readPriorBox } from "../../caffe/layers/ssd.js";
import { blobOf, count, needBottoms, param } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";
import { forkSource } from "./fork-source.js";

const f = Math.fround;

/**
 * Permute (permute_layer.cpp:8-26, 29-95): the written axes first, then the others in order; top
 * index i reads the bottom at Σ (i / new_step[j]) · old_step[order[j]]. The natural order shares
 * the bottom's values (:110-113).
 */
export const permute: LayerExecutor = {
  types: ["Permute"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const rank = x.shape.length;
    const order = permuteOrder(ctx.layer, rank, forkSource(ctx));
    if (isForkRefusal(order)) return fail(order.refused, { layer: ctx.layer.name, ...order.data });
    const topShape = order.map((a) => x.shape[a]!);
    if (order.every((a, i) => a === i)) return [x];
    const oldSteps = x.shape.map((_, i) => count(x.shape, i + 1));
    const newSteps = topShape.map((_, i) => count(topShape, i + 1));
    const out = new Float32Array(x.data.length);
    for (let i = 0; i < out.length; i++) {
      let idx = i;
      let old = 0;
      for (let j = 0; j < rank; j++) {
        old += Math.trunc(idx / newSteps[j]!) * oldSteps[order[j]!]!;
        idx %= newSteps[j]!;
      }
      out[i] = x.data[old]!;
    }
    return [blobOf(topShape, out)];
  },
};

/**
 * Normalize (normalize_layer.cpp:84-134), per item: across_spatial divides by
 * (Σ x² + eps)^½ over the item (multiplying by its float32 reciprocal, :102-107); otherwise each
 * position by (eps + Σ_c x²)^½ over the channels (:108-120); then times the scale, one shared
 * value or one per channel (:121-130). The scale blob is [] or [C] (:37-59).
 */
export const normalize: LayerExecutor = {
  types: ["Normalize"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    if (x.shape.length < 2) fail("normalize-rank", { layer: ctx.layer.name, shape: [...x.shape] });
    const p = readNormalize(ctx.layer, forkSource(ctx));
    const [num, channels] = [x.shape[0]!, x.shape[1]!];
    const spatial = count(x.shape, 2);
    const dim = channels * spatial;
    const scale = param(ctx, 0).data;
    if (scale.length !== (p.channelShared ? 1 : channels)) fail("normalize-scale-size", { layer: ctx.layer.name, size: scale.length, channels });
    const eps = f(p.eps);
    const out = new Float32Array(x.data.length);
    for (let n = 0; n < num; n++) {
      const base = n * dim;
      if (p.acrossSpatial) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += f(x.data[base + k]! * x.data[base + k]!);
        const norm = f(Math.pow(f(f(s) + eps), 0.5));
        const inv = f(1 / norm);
        for (let k = 0; k < dim; k++) out[base + k] = f(x.data[base + k]! * inv);
      } else {
        for (let q = 0; q < spatial; q++) {
          let s = eps;
          for (let c = 0; c < channels; c++) s = f(s + f(x.data[base + c * spatial + q]! * x.data[base + c * spatial + q]!));
          const norm = f(Math.pow(s, 0.5));
          for (let c = 0; c < channels; c++) out[base + c * spatial + q] = f(x.data[base + c * spatial + q]! / norm);
        }
      }
      for (let k = 0; k < dim; k++) out[base + k] = f(out[base + k]! * scale[p.channelShared ? 0 : Math.trunc(k / spatial)]!);
    }
    return [blobOf(x.shape, out)];
  },
};

/**
 * PriorBox (prior_box_layer.cpp:102-219): for each cell (row-major) and each min_size (truncated to
 * int, :149) the square box, the box of side √(min·max) (:161-174), then one per aspect ratio ≠ 1
 * (:176-192), centred at (w + offset)·step; corners over the image size, clipped to [0, 1] with
 * `clip` (:197-201); channel 1 holds the variances (:203-218). Shape [1, 2, H·W·priors·4].
 */
export const priorBox: LayerExecutor = {
  types: ["PriorBox"],
  forward(ctx) {
    needBottoms(ctx, 1, 2);
    const p = readPriorBox(ctx.layer, forkSource(ctx));
    if (isForkRefusal(p)) return fail(p.refused, { layer: ctx.layer.name, ...p.data });
    const feature = ctx.bottoms[0]!.shape;
    const [layerH, layerW] = [feature[2] ?? 1, feature[3] ?? 1];
    let [imgH, imgW] = [p.imgH, p.imgW];
    if (imgH === 0 || imgW === 0) {
      const image = ctx.bottoms[1];
      if (!image) return fail("prior-box-no-image", { layer: ctx.layer.name });
      [imgH, imgW] = [image.shape[2] ?? 1, image.shape[3] ?? 1];
    }
    const [stepH, stepW] = p.stepH === 0 || p.stepW === 0 ? [f(imgH / layerH), f(imgW / layerW)] : [f(p.stepH), f(p.stepW)];
    const ratios = priorAspectRatios(p.aspectRatios, p.flip);
    const dim = layerH * layerW * p.numPriors * 4;
    const out = new Float32Array(2 * dim);
    const offset = f(p.offset);
    let idx = 0;
    // :153-159: the corners are computed in double ((center − side / 2.) / img) and stored as float.
    const box = (cx: number, cy: number, bw: number, bh: number): void => {
      out[idx++] = (cx - bw / 2) / imgW;
      out[idx++] = (cy - bh / 2) / imgH;
      out[idx++] = (cx + bw / 2) / imgW;
      out[idx++] = (cy + bh / 2) / imgH;
    };
    for (let h = 0; h < layerH; h++) {
      for (let w = 0; w < layerW; w++) {
        const cx = f(f(w + offset) * stepW);
        const cy = f(f(h + offset) * stepH);
        p.minSizes.forEach((minSize, s) => {
          const min = Math.trunc(minSize);
          box(cx, cy, min, min);
          if (p.maxSizes.length > 0) {
            const side = f(Math.sqrt(min * Math.trunc(p.maxSizes[s]!)));
            box(cx, cy, side, side);
          }
          for (const ar of ratios) {
            if (Math.abs(ar - 1) < 1e-6) continue;
            const root = f(Math.sqrt(ar));
            box(cx, cy, f(min * root), f(min / root));
          }
        });
      }
    }
    if (p.clip) for (let d = 0; d < dim; d++) out[d] = Math.min(Math.max(out[d]!, 0), 1);
    const variance = p.variance.map(f);
    for (let d = 0; d < dim; d++) out[dim + d] = variance.length === 1 ? variance[0]! : variance[d % 4]!;
    return [blobOf([1, 2, dim], out)];
  },
};

/** The executors of this file. */
export const FORK_SSD: readonly LayerExecutor[] = [permute, normalize, priorBox];
