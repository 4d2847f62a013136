/**
 * The resizing layers of the segmentation forks: `Interp` (hszhao/PSPNet src/caffe/layers/interp_layer.cpp,
 * DeepLab's layer) and `Upsample` (alexgkendall/caffe-segnet src/caffe/layers/upsample_layer.cpp, also ENet's).
 */
import { interpSize, readInterp } from "../../caffe/layers/interp.js";
import { readUpsample, upsampleSize } from "../../caffe/layers/upsample.js";
import { interp2, maxUnpool } from "../../numeric/kernels/resample.js";
import { blobOf, needBottoms } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";
import { forkSource } from "./fork-source.js";

/**
 * Interp: the output size of InterpLayer::Reshape (interp_layer.cpp:21-63, caffe/layers/interp.ts),
 * then caffe_cpu_interp2 from the input cropped by −pad_beg at the top-left, to the effective
 * size h + pad_beg + pad_end (:66-71).
 */
export const interp: LayerExecutor = {
  types: ["Interp"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    if (x.shape.length !== 4) fail("rank-not-4", { layer: ctx.layer.name, shape: [...x.shape] });
    const [num, channels, height, width] = x.shape as [number, number, number, number];
    const p = readInterp(ctx.layer, forkSource(ctx));
    const size = interpSize(p, height, width);
    if (typeof size === "string") return fail(size, { layer: ctx.layer.name });
    const g = { planes: num * channels, inHeight: height, inWidth: width, x1: -p.padBeg, y1: -p.padBeg, height1: height + p.padBeg + p.padEnd, width1: width + p.padBeg + p.padEnd, height2: size[0], width2: size[1] };
    return [blobOf([num, channels, size[0], size[1]], interp2(g, x.data))];
  },
};

/**
 * Upsample: values (bottom 0) placed where the mask (bottom 1, a MAX Pooling's second top) points
 * in a zeroed top of upsample_h × upsample_w, or the input size times scale minus pad_out
 * (upsample_layer.cpp:14-75); a place outside the top is Caffe's LOG(FATAL) (:92-98).
 */
export const upsample: LayerExecutor = {
  types: ["Upsample"],
  forward(ctx) {
    needBottoms(ctx, 2);
    const [x, mask] = [ctx.bottoms[0]!, ctx.bottoms[1]!];
    // :57-64: both 4-D with the same num, channels, height and width.
    if (x.shape.length !== 4 || mask.shape.length !== 4 || x.shape.some((d, k) => d !== mask.shape[k])) {
      fail("upsample-shapes", { layer: ctx.layer.name, values: [...x.shape], mask: [...mask.shape] });
    }
    const p = readUpsample(ctx.layer, forkSource(ctx));
    if (!p) return fail("upsample-params", { layer: ctx.layer.name });
    const [num, channels, height, width] = x.shape as [number, number, number, number];
    const [outH, outW] = upsampleSize(p, height, width);
    const out = maxUnpool(x.data, mask.data, num * channels, height * width, outH * outW);
    if (typeof out === "number") return fail("upsample-index-out-of-range", { layer: ctx.layer.name, index: out, size: outH * outW });
    return [blobOf([num, channels, outH, outW], out)];
  },
};

/** The executors of this file. */
export const FORK_RESIZE: readonly LayerExecutor[] = [interp, upsample];
