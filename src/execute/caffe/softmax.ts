/**
 * Softmax (softmax_layer.cpp) and MVN (mvn_layer.cpp), as BVLC Caffe computes them on the CPU.
 */
import { layerParams } from "../../caffe/layers/params.js";
import { mvn as mvnKernel } from "../../numeric/kernels/mvn.js";
import { softmax as softmaxKernel } from "../../numeric/kernels/softmax.js";
import { axisOf, blobOf, count, float, needBottoms } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";

/** Softmax over `axis` (default 1): outer = the axes before it, inner = the axes after it. */
export const softmax: LayerExecutor = {
  types: ["Softmax"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const axis = axisOf(ctx, layerParams(ctx.layer, "softmax_param").num("axis"), x.shape.length);
    const top = blobOf(x.shape);
    softmaxKernel(x.data, count(x.shape, 0, axis), x.shape[axis]!, count(x.shape, axis + 1), top.data);
    return [top];
  },
};

/**
 * MVN: MVNLayer::Reshape reads the blob as num × channels × height × width; each (n, c) plane is
 * normalised, or each item with across_channels.
 */
export const mvn: LayerExecutor = {
  types: ["MVN"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    if (x.shape.length < 2) fail("mvn-rank", { layer: ctx.layer.name, shape: [...x.shape] });
    const p = layerParams(ctx.layer, "mvn_param");
    const rows = p.bool("across_channels") ? x.shape[0]! : x.shape[0]! * x.shape[1]!;
    const top = blobOf(x.shape);
    mvnKernel(x.data, rows, x.data.length / rows, p.bool("normalize_variance"), float(p, "eps"), top.data);
    return [top];
  },
};
