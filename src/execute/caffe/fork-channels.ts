/**
 * Fork layers that convolve per channel, move channels or clip: ConvolutionDepthwise
 * (farmingyard/caffe-mobilenet conv_dw_layer.cpp), DepthwiseConvolution (yonghenglh6/DepthwiseConvolution
 * depthwise_conv_layer.cpp), ShuffleChannel (farmingyard/ShuffleNet shuffle_channel_layer.cpp),
 * Axpy (hujie-frank/SENet src/caffe/layers/axpy_layer.cpp) and ReLU6
 * (rog93/Caffe-MobileNetV2-ReLU6 relu6_layer.cpp).
 */
import { layerParams, type Params } from "../../caffe/layers/params.js";
import { readRelu6Slope } from "../../caffe/layers/relu6.js";
import { readShuffleGroup } from "../../caffe/layers/shuffle-channel.js";
import { depthwiseForward } from "../../numeric/kernels/depthwise.js";
import { blobOf, count, inPlace, needBottoms, param } from "../blob.js";
import { fail, type LayerContext, type LayerExecutor } from "../types.js";
import { convolution } from "./convolution.js";
import { forkSource } from "./fork-source.js";

const f = Math.fround;

/**
 * One pair as ConvolutionDepthwiseLayer::LayerSetUp reads it (conv_dw_layer.cpp:12-74): `_h`
 * with `_w` when both are written, else the repeated field's first value for both axes (or its
 * first and second). With nothing written the fork reads past the field; we take Caffe's default.
 */
function pair(p: Params, repeated: string, h: string | null, w: string | null, fallback: number | null): [number, number] | null {
  if (h !== null && w !== null && p.has(h) && p.has(w)) return [p.num(h), p.num(w)];
  const values = p.list(repeated);
  if (values.length === 0) return fallback === null ? null : [fallback, fallback];
  return values.length === 1 ? [values[0]!, values[0]!] : [values[0]!, values[1]!];
}

/**
 * ConvolutionDepthwise: weight [C, 1, kh, kw] and bias [C] of the bottom's channels (num_output
 * and group are not read, :75-84); the top keeps the channels and has Caffe's floor-size planes
 * (:104-111); the loop is numeric/kernels/depthwise.ts.
 */
export const convolutionDepthwise: LayerExecutor = {
  types: ["ConvolutionDepthwise"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    if (x.shape.length !== 4) fail("conv-rank", { layer: ctx.layer.name, shape: [...x.shape] });
    const [num, channels, height, width] = x.shape as [number, number, number, number];
    const p = layerParams(ctx.layer, "convolution_param");
    const kernel = pair(p, "kernel_size", "kernel_h", "kernel_w", null);
    if (!kernel) return fail("conv-no-kernel", { layer: ctx.layer.name });
    const [strideH, strideW] = pair(p, "stride", "stride_h", "stride_w", 1)!;
    const [padH, padW] = pair(p, "pad", "pad_h", "pad_w", 0)!;
    const [dilationH, dilationW] = pair(p, "dilation", null, null, 1)!;
    const [kernelH, kernelW] = kernel;
    if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0) fail("conv-zero-size", { layer: ctx.layer.name });
    const outHeight = Math.trunc((height + 2 * padH - (dilationH * (kernelH - 1) + 1)) / strideH) + 1;
    const outWidth = Math.trunc((width + 2 * padW - (dilationW * (kernelW - 1) + 1)) / strideW) + 1;
    if (outHeight <= 0 || outWidth <= 0) fail("conv-empty-output", { layer: ctx.layer.name, outHeight, outWidth });
    const biasTerm = p.bool("bias_term");
    const weight = param(ctx, 0, [channels, 1, kernelH, kernelW]).data;
    const bias = biasTerm ? param(ctx, 1, [channels]).data : null;
    const g = { num, channels, height, width, outHeight, outWidth, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW };
    return [blobOf([num, channels, outHeight, outWidth], depthwiseForward(g, x.data, weight, bias))];
  },
};

/** DepthwiseConvolution is a BaseConvolutionLayer whose CPU forward is Convolution's (depthwise_conv_layer.cpp:23-39). */
export const depthwiseConvolution: LayerExecutor = { types: ["DepthwiseConvolution"], forward: (ctx) => convolution.forward(ctx) };

/**
 * ShuffleChannel (shuffle_channel_layer.cpp:18-30, 44-64): with C = g·k channels, block i·k + j of
 * each item is copied to j·g + i. In place the copies read what earlier copies wrote, as Caffe's
 * loop over one buffer does.
 */
export const shuffleChannel: LayerExecutor = {
  types: ["ShuffleChannel"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    // Reshape (:33-41) makes the top 4-D from num/channels/height/width (LegacyShape: at most 4 axes).
    if (x.shape.length > 4) fail("rank-above-4", { layer: ctx.layer.name, shape: [...x.shape] });
    const group = readShuffleGroup(ctx.layer, forkSource(ctx));
    const channels = x.shape[1] ?? 1;
    // :12 group > 0; :55-56 the channels split into whole groups.
    if (!(group > 0) || channels % group !== 0) fail("shuffle-group", { layer: ctx.layer.name, group, channels });
    const columns = channels / group;
    const len = count(x.shape, 2);
    const itemSize = count(x.shape, 1);
    const out = inPlace(ctx) ? Float32Array.from(x.data) : new Float32Array(x.data.length);
    const source = inPlace(ctx) ? out : x.data;
    for (let n = 0; n < (x.shape[0] ?? 1); n++) {
      for (let i = 0; i < group; i++) {
        for (let j = 0; j < columns; j++) {
          const from = n * itemSize + (i * columns + j) * len;
          out.set(source.subarray(from, from + len), n * itemSize + (j * group + i) * len);
        }
      }
    }
    return [blobOf([0, 1, 2, 3].map((k) => x.shape[k] ?? 1), out)];
  },
};

/**
 * Axpy (axpy_layer.cpp:13-48): top = a·x + y, a (bottom 0) one value per item and channel
 * ([N, C] or [N, C, 1, 1]); the top starts as a copy of y and gains a[n, c]·x (caffe_axpy).
 */
export const axpy: LayerExecutor = {
  types: ["Axpy"],
  forward(ctx) {
    needBottoms(ctx, 3);
    const [a, x, y] = ctx.bottoms as [typeof ctx.bottoms[0], typeof ctx.bottoms[0], typeof ctx.bottoms[0]];
    const same = x!.shape.length === y!.shape.length && x!.shape.every((d, k) => d === y!.shape[k]);
    const fits = a!.shape[0] === x!.shape[0] && a!.shape[1] === x!.shape[1] && (a!.shape.length !== 4 || (a!.shape[2] === 1 && a!.shape[3] === 1));
    if (!same || !fits) fail("axpy-shapes", { layer: ctx.layer.name, a: [...a!.shape], x: [...x!.shape], y: [...y!.shape] });
    const spatial = count(x!.shape, 2);
    const out = Float32Array.from(y!.data);
    for (let nc = 0; nc < count(x!.shape, 0, 2); nc++) {
      const s = a!.data[nc]!;
      for (let k = nc * spatial; k < (nc + 1) * spatial; k++) out[k] = f(out[k]! + f(s * x!.data[k]!));
    }
    return [blobOf(x!.shape, out)];
  },
};

/** ReLU6 (relu6_layer.cpp:9-19): min(max(x, 0) + negative_slope·min(x, 0), 6). */
export const relu6: LayerExecutor = {
  types: ["ReLU6"],
  forward(ctx: LayerContext) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const slope = f(readRelu6Slope(ctx.layer, forkSource(ctx)));
    const out = x.data.map((v) => Math.min(f(Math.max(v, 0) + f(slope * Math.min(v, 0))), 6));
    return [blobOf(x.shape, out)];
  },
};

/** The executors of this file. */
export const FORK_CHANNELS: readonly LayerExecutor[] = [convolutionDepthwise, depthwiseConvolution, shuffleChannel, axpy, relu6];
