/**
 * Accuracy (accuracy_layer.cpp), as BVLC Caffe computes it: not a loss (no loss_weight), but it sits
 * beside the losses in train/val nets and reads labels the same way (numeric/kernels/loss.ts).
 */
import { layerParams } from "../../caffe/layers/params.js";
import { accuracy as accuracyKernel } from "../../numeric/kernels/loss.js";
import { axisOf, blobOf, count, needBottoms, needTops, scalar } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";
import { ignoreLabelOf, labelCount, valueOf } from "./loss.js";

/** Accuracy (accuracy_layer.cpp): top-k accuracy over accuracy_param.axis; top 1, when given, per class. */
export const accuracy: LayerExecutor = {
  types: ["Accuracy"],
  forward(ctx) {
    needBottoms(ctx, 2);
    needTops(ctx, 1, 2);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "accuracy_param");
    const topK = p.num("top_k");
    if (topK > x.data.length / ctx.bottoms[1]!.data.length) fail("accuracy-top-k", { layer: ctx.layer.name, topK });
    const axis = axisOf(ctx, p.num("axis"), x.shape.length);
    const [outer, inner, classes] = [count(x.shape, 0, axis), count(x.shape, axis + 1), x.shape[axis]!];
    labelCount(ctx, outer * inner);
    const perClass = ctx.layer.tops.length === 2 ? blobOf([classes]) : null;
    const value = valueOf(ctx, accuracyKernel(x.data, ctx.bottoms[1]!.data, outer, classes, inner, topK, ignoreLabelOf(p), perClass?.data ?? null));
    return perClass ? [scalar(value), perClass] : [scalar(value)];
  },
};
