/**
 * The BatchNorm layers of Caffe's forks, which keep gamma/beta in the layer (caffe/bn-variant.ts
 * tells them apart by their parameters):
 * - PSPNet `BN` (hszhao/PSPNet src/caffe/layers/bn_layer.cpp): blobs [slope, bias, mean, variance].
 * - SegNet / ENet `BN` (alexgkendall/caffe-segnet src/caffe/layers/bn_layer.cpp): blobs [scale, shift].
 * - NVIDIA Caffe `BatchNorm` with scale_bias (NVIDIA/caffe caffe-0.17 src/caffe/layers/batch_norm_layer.cpp):
 *   blobs [mean, variance, variance correction, scale, bias] (batch-norm.ts hands it over).
 */
import { bnVariant } from "../../caffe/bn-variant.js";
import { layerParams } from "../../caffe/layers/params.js";
import { addChannel, channelMean, divChannel, mulChannel, powerOfShifted, squares, subtractChannel } from "../../numeric/kernels/channel-norm.js";
import { blobOf, count, needBottoms, param } from "../blob.js";
import { fail, type Blob, type LayerContext, type LayerExecutor } from "../types.js";
import { forkSource } from "./fork-source.js";

const f = Math.fround;

/** N, C and the values per plane of a bottom, read as the forks' num()/channels() and the rest. */
function dims(ctx: LayerContext, x: Blob): { num: number; channels: number; spatial: number } {
  if (x.shape.length < 2) fail("bn-rank", { layer: ctx.layer.name, shape: [...x.shape] });
  return { num: x.shape[0]!, channels: x.shape[1]!, spatial: count(x.shape, 2) };
}

/**
 * PSPNet's BNLayer::Forward_cpu (bn_layer.cpp:95-210): the stored mean and variance in TEST or
 * when `frozen` (:105, :139), else the batch's (mean of plane means; variance of (x − mean)²);
 * then (x − mean)·(var + eps)^−½ (:162-166), times slope, plus bias (:188-209).
 */
function pspnet(ctx: LayerContext, x: Blob, frozen: boolean, eps: number): Blob {
  const { num, channels, spatial } = dims(ctx, x);
  const wide = [1, channels, 1, 1];
  const [slope, bias, mean, variance] = [0, 1, 2, 3].map((i) => param(ctx, i, wide).data) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const global = frozen || ctx.phase === "TEST";
  const m = global ? mean : channelMean(x.data, num, channels, spatial);
  const centred = subtractChannel(x.data, num, channels, spatial, m);
  const v = global ? variance : channelMean(squares(centred), num, channels, spatial);
  const inv = powerOfShifted(v, f(eps), -0.5);
  const y = addChannel(mulChannel(mulChannel(centred, channels, spatial, inv), channels, spatial, slope), channels, spatial, bias);
  return blobOf(x.shape, y);
}

/**
 * SegNet's BNLayer::Forward_cpu (bn_layer.cpp:86-240). LEARN, in both phases: the batch mean, the
 * variance as E(x²) − (E x)² (:98-126), (x − mean) / (var + 1e-9)^½ (:59, :151-170), times scale,
 * plus shift; the batch mean and variance go to tops 1 and 2 when present (:128-135). INFERENCE
 * (:202): scale·x + shift.
 */
function segnet(ctx: LayerContext, x: Blob, mode: "LEARN" | "INFERENCE"): Blob[] {
  const { num, channels, spatial } = dims(ctx, x);
  if (x.shape.length !== 4) fail("bn-rank", { layer: ctx.layer.name, shape: [...x.shape] });
  const wide = [1, channels, 1, 1];
  const scale = param(ctx, 0, wide).data;
  const shift = param(ctx, 1, wide).data;
  if (mode === "INFERENCE") {
    if (ctx.layer.tops.length > 1) fail("bn-extra-tops-inference", { layer: ctx.layer.name });
    return [blobOf(x.shape, addChannel(mulChannel(x.data, channels, spatial, scale), channels, spatial, shift))];
  }
  const mean = channelMean(x.data, num, channels, spatial);
  const meanOfSquares = channelMean(squares(x.data), num, channels, spatial);
  const variance = meanOfSquares.map((e2, c) => f(e2 - f(mean[c]! * mean[c]!)));
  const std = powerOfShifted(variance, f(1e-9), 0.5);
  const normed = divChannel(subtractChannel(x.data, num, channels, spatial, mean), channels, spatial, std);
  const top = blobOf(x.shape, addChannel(mulChannel(normed, channels, spatial, scale), channels, spatial, shift));
  return [top, blobOf(wide, mean), blobOf(wide, variance)].slice(0, ctx.layer.tops.length);
}

/**
 * NVIDIA Caffe's BatchNormLayer::Forward_cpu (batch_norm_layer.cpp:166-252): TEST normalises with
 * the stored mean and variance (:177-193), TRAIN with the batch's (:194-217), whatever
 * use_global_stats says; the variance correction blob is never read; eps is at least 1e-5 (:24);
 * then scale and bias (:240-251).
 */
export function nvcaffeBatchNorm(ctx: LayerContext): Blob[] {
  needBottoms(ctx, 1);
  const x = ctx.bottoms[0]!;
  const { num, channels, spatial } = dims(ctx, x);
  const eps = f(Math.max(f(layerParams(ctx.layer, "batch_norm_param").num("eps")), f(0.00001)));
  const [mean, variance] = [param(ctx, 0, [channels]).data, param(ctx, 1, [channels]).data];
  param(ctx, 2, [1]);
  const [scale, bias] = [param(ctx, 3, [channels]).data, param(ctx, 4, [channels]).data];
  const train = ctx.phase === "TRAIN";
  const m = train ? channelMean(x.data, num, channels, spatial) : mean;
  const centred = subtractChannel(x.data, num, channels, spatial, m);
  const v = train ? channelMean(squares(centred), num, channels, spatial) : variance;
  const normed = mulChannel(centred, channels, spatial, powerOfShifted(v, eps, -0.5));
  return [blobOf(x.shape, addChannel(mulChannel(normed, channels, spatial, scale), channels, spatial, bias))];
}

/** `BN`: PSPNet's or SegNet's, as its bn_param says (caffe/bn-variant.ts). */
export const forkBn: LayerExecutor = {
  types: ["BN"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const variant = bnVariant(ctx.layer, forkSource(ctx));
    if (variant.family === "pspnet") {
      if (ctx.layer.tops.length !== 1) fail("top-count", { layer: ctx.layer.name, tops: ctx.layer.tops.length });
      // The variant carries bn_param's frozen and eps with PSPNet's defaults (false, 1e-5).
      return [pspnet(ctx, x, variant.frozen, variant.eps)];
    }
    if (variant.family === "segnet") return segnet(ctx, x, variant.mode);
    return fail("fork-batch-norm-unrecognised", { layer: ctx.layer.name, ...(variant.family === "unrecognised" ? { reason: variant.reason } : {}) });
  },
};
