/**
 * BVLC Caffe's loss layers (softmax_loss_layer.cpp, sigmoid_cross_entropy_loss_layer.cpp,
 * euclidean_loss_layer.cpp, hinge_loss_layer.cpp, multinomial_logistic_loss_layer.cpp,
 * infogain_loss_layer.cpp, contrastive_loss_layer.cpp): each top 0 is the 0-axis loss blob
 * (LossLayer::Reshape), unweighted — the net weighs it by loss_weight (net.ts). The arithmetic is
 * numeric/kernels/loss.ts.
 */
import { layerParams, type Params } from "../../caffe/layers/params.js";
import * as k from "../../numeric/kernels/loss.js";
import { softmax as softmaxKernel } from "../../numeric/kernels/softmax.js";
import { axisOf, blobOf, count, float, legacyDim, needBottoms, needTops, scalar } from "../blob.js";
import { fail, type Blob, type LayerContext, type LayerExecutor } from "../types.js";
import { ignoreLabelOf, lossNormalization } from "../../caffe/layers/loss-param.js";

/** LossLayer::Reshape: prediction and label agree on their first dimension. */
function sameBatch(ctx: LayerContext): void {
  const [a, b] = [ctx.bottoms[0]!.shape, ctx.bottoms[1]!.shape];
  if (a[0] !== b[0]) fail("loss-batch-mismatch", { layer: ctx.layer.name, prediction: [...a], label: [...b] });
}

/** The label count check of SoftmaxWithLoss, Infogain and Accuracy: outer · inner labels. */
export function labelCount(ctx: LayerContext, expected: number): void {
  const actual = ctx.bottoms[1]!.data.length;
  if (actual !== expected) fail("label-count", { layer: ctx.layer.name, expected, actual });
}

/** A kernel's result, failing on the label out of range it reports (Caffe only DCHECKs it). */
export function valueOf(ctx: LayerContext, result: number | k.LabelFault): number {
  if (typeof result !== "number") fail("label-out-of-range", { layer: ctx.layer.name, ...result });
  return result;
}

/** loss_param / accuracy_param ignore_label, when written. */
export { ignoreLabelOf };

/**
 * The normalisation mode in force. SoftmaxWithLoss (and the default for the others): `normalization`
 * unless only the deprecated `normalize` is written (true → VALID, false → BATCH_SIZE);
 * SigmoidCrossEntropyLoss treats "neither written" as BATCH_SIZE (its LayerSetUp).
 */
function normalizationOf(loss: Params, unset: k.LossNormalization | null): k.LossNormalization {
  return lossNormalization(loss, unset) as k.LossNormalization;
}

/** The softmax over `axis` as the layer's inner SoftmaxLayer computes it, and the outer/inner sizes around it. */
function softmaxOver(ctx: LayerContext, axisValue: number) {
  const x = ctx.bottoms[0]!;
  const axis = axisOf(ctx, axisValue, x.shape.length);
  const outer = count(x.shape, 0, axis);
  const inner = count(x.shape, axis + 1);
  const prob = blobOf(x.shape);
  softmaxKernel(x.data, outer, x.shape[axis]!, inner, prob.data);
  return { prob, outer, inner, classes: x.shape[axis]! };
}

/** SoftmaxWithLoss: softmax over softmax_param.axis, −log of the label's probability, normalised; top 1 is the probabilities. */
export const softmaxWithLoss: LayerExecutor = {
  types: ["SoftmaxWithLoss"],
  forward(ctx) {
    needBottoms(ctx, 2);
    needTops(ctx, 1, 2);
    sameBatch(ctx);
    const loss = layerParams(ctx.layer, "loss_param");
    const { prob, outer, inner, classes } = softmaxOver(ctx, layerParams(ctx.layer, "softmax_param").num("axis"));
    labelCount(ctx, outer * inner);
    const value = valueOf(ctx, k.softmaxLoss(prob.data, ctx.bottoms[1]!.data, outer, classes, inner, ignoreLabelOf(loss), normalizationOf(loss, null)));
    return ctx.layer.tops.length === 2 ? [scalar(value), prob] : [scalar(value)];
  },
};

/** SigmoidCrossEntropyLoss: prediction and targets of the same count; default normalisation BATCH_SIZE. */
export const sigmoidCrossEntropyLoss: LayerExecutor = {
  types: ["SigmoidCrossEntropyLoss"],
  forward(ctx) {
    needBottoms(ctx, 2);
    needTops(ctx, 1);
    sameBatch(ctx);
    const [x, t] = [ctx.bottoms[0]!, ctx.bottoms[1]!];
    if (x.data.length !== t.data.length) fail("loss-count-mismatch", { layer: ctx.layer.name, prediction: [...x.shape], target: [...t.shape] });
    const loss = layerParams(ctx.layer, "loss_param");
    return [scalar(k.sigmoidCrossEntropyLoss(x.data, t.data, x.shape[0]!, ignoreLabelOf(loss), normalizationOf(loss, "BATCH_SIZE")))];
  },
};

/** EuclideanLoss: Σ(a − b)² / (2·num); both bottoms of the same count per item. */
export const euclideanLoss: LayerExecutor = {
  types: ["EuclideanLoss"],
  forward(ctx) {
    needBottoms(ctx, 2);
    needTops(ctx, 1);
    sameBatch(ctx);
    const [a, b] = [ctx.bottoms[0]!, ctx.bottoms[1]!];
    if (count(a.shape, 1) !== count(b.shape, 1)) fail("loss-count-mismatch", { layer: ctx.layer.name, prediction: [...a.shape], target: [...b.shape] });
    return [scalar(k.euclideanLoss(a.data, b.data, legacyDim(ctx, a.shape, 0)))];
  },
};

/** HingeLoss: one label per item; hinge_loss_param.norm L1 (default) or L2. */
export const hingeLoss: LayerExecutor = {
  types: ["HingeLoss"],
  forward(ctx) {
    needBottoms(ctx, 2);
    needTops(ctx, 1);
    sameBatch(ctx);
    const x = ctx.bottoms[0]!;
    const norm = layerParams(ctx.layer, "hinge_loss_param").enumName("norm") as "L1" | "L2";
    return [scalar(valueOf(ctx, k.hingeLoss(x.data, ctx.bottoms[1]!.data, legacyDim(ctx, x.shape, 0), norm)))];
  },
};

/** MultinomialLogisticLoss: probabilities in, one label per item (a N×1×1×1 label blob). */
export const multinomialLogisticLoss: LayerExecutor = {
  types: ["MultinomialLogisticLoss"],
  forward(ctx) {
    needBottoms(ctx, 2);
    needTops(ctx, 1);
    sameBatch(ctx);
    const [x, label] = [ctx.bottoms[0]!, ctx.bottoms[1]!];
    if ([1, 2, 3].some((i) => legacyDim(ctx, label.shape, i) !== 1)) fail("label-shape", { layer: ctx.layer.name, shape: [...label.shape] });
    return [scalar(valueOf(ctx, k.multinomialLogisticLoss(x.data, label.data, legacyDim(ctx, x.shape, 0))))];
  },
};

/**
 * InfogainLoss: softmax over infogain_loss_param.axis, then the infogain-weighted −log. The matrix H
 * is bottom 2; with two bottoms Caffe reads it from `source`, a file this executor does not open.
 */
export const infogainLoss: LayerExecutor = {
  types: ["InfogainLoss"],
  forward(ctx) {
    needBottoms(ctx, 2, 3);
    needTops(ctx, 1, 2);
    sameBatch(ctx);
    const loss = layerParams(ctx.layer, "loss_param");
    // InfogainLossLayer::LayerSetUp: CHECK(!has_normalize()) "normalize is deprecated".
    if (loss.has("normalize")) fail("infogain-normalize", { layer: ctx.layer.name });
    const h = ctx.bottoms[2];
    if (!h) fail("infogain-matrix-file", { layer: ctx.layer.name, source: layerParams(ctx.layer, "infogain_loss_param").str("source") });
    const { prob, outer, inner, classes } = softmaxOver(ctx, layerParams(ctx.layer, "infogain_loss_param").num("axis"));
    labelCount(ctx, outer * inner);
    if (h.data.length !== classes * classes) fail("infogain-matrix-shape", { layer: ctx.layer.name, classes, count: h.data.length });
    const value = valueOf(ctx, k.infogainLoss(prob.data, ctx.bottoms[1]!.data, h.data, outer, classes, inner, ignoreLabelOf(loss), normalizationOf(loss, null)));
    return ctx.layer.tops.length === 2 ? [scalar(value), prob] : [scalar(value)];
  },
};

/** ContrastiveLoss: two N×C(×1×1) features and a N(×1×1×1) similarity flag; contrastive_loss_param margin, legacy_version. */
export const contrastiveLoss: LayerExecutor = {
  types: ["ContrastiveLoss"],
  forward(ctx) {
    needBottoms(ctx, 3);
    needTops(ctx, 1);
    sameBatch(ctx);
    const [a, b, y] = [ctx.bottoms[0]!, ctx.bottoms[1]!, ctx.bottoms[2]!];
    const dim = (blob: Blob, i: number) => legacyDim(ctx, blob.shape, i);
    // ContrastiveLossLayer::LayerSetUp's CHECKs.
    const ok = dim(a, 1) === dim(b, 1) && [a, b].every((x) => dim(x, 2) === 1 && dim(x, 3) === 1) && [1, 2, 3].every((i) => dim(y, i) === 1);
    if (!ok || a.data.length !== b.data.length) fail("contrastive-shapes", { layer: ctx.layer.name, a: [...a.shape], b: [...b.shape], y: [...y.shape] });
    const p = layerParams(ctx.layer, "contrastive_loss_param");
    return [scalar(k.contrastiveLoss(a.data, b.data, y.data, dim(a, 0), float(p, "margin"), p.bool("legacy_version")))];
  },
};

/** The loss layers. */
export const LOSSES: readonly LayerExecutor[] = [
  softmaxWithLoss,
  sigmoidCrossEntropyLoss,
  euclideanLoss,
  hingeLoss,
  multinomialLogisticLoss,
  infogainLoss,
  contrastiveLoss,
];
