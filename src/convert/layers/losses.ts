import { layerParams, type Params } from "../../caffe/layers/params.js";
import { canonicalAxis } from "../../caffe/shape-util.js";
import type { PyValue } from "../torch-graph.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";
import { ignoreLabelOf, lossNormalization } from "../../caffe/layers/loss-param.js";

/** Caffe's LossParameter.NormalizationMode names. */
export type Normalization = "FULL" | "VALID" | "BATCH_SIZE" | "NONE";

/**
 * The normalisation SoftmaxWithLoss uses (softmax_loss_layer.cpp LayerSetUp): `normalization`
 * when written, else the legacy `normalize` (true VALID, false BATCH_SIZE) when written, else
 * the field's default, VALID.
 */
export function softmaxNormalization(loss: Params): Normalization {
  return lossNormalization(loss) as Normalization;
}

/**
 * The normalisation SigmoidCrossEntropyLoss uses (sigmoid_cross_entropy_loss_layer.cpp
 * LayerSetUp): as SoftmaxWithLoss, except that with neither field written it is BATCH_SIZE.
 */
export function sigmoidNormalization(loss: Params): Normalization {
  return lossNormalization(loss, "BATCH_SIZE") as Normalization;
}


/** A helper module call of the layer's bottoms. */
function helper(cls: string, kwargs: Record<string, PyValue>, notes: LayerConversion["notes"] = []): LayerConversion {
  return { module: { cls, args: [], kwargs }, call: { kind: "module" }, helpers: [cls], notes };
}

/** The class axis (canonical), or a refusal when it is out of range for the bottom's rank. */
function classAxis(ctx: LayerContext, axisParam: number): number | LayerRefusal {
  const rank = ctx.inputs[0]?.length;
  const axis = rank === undefined ? (axisParam >= 0 ? axisParam : null) : canonicalAxis(axisParam, rank);
  return axis === null ? { refused: "axis-out-of-range", data: { axis: axisParam } } : axis;
}

/** Refuses a layer with more tops than Caffe allows (LossLayer: one; SoftmaxWithLoss, InfogainLoss: two). */
function topCount(ctx: LayerContext, max: number): LayerRefusal | null {
  const n = ctx.layer.tops.length;
  return n >= 1 && n <= max ? null : { refused: "top-count", data: { tops: n, max } };
}

/** SoftmaxWithLoss: softmax over softmax_param.axis, −log at the label, loss_param's normaliser. */
function softmaxWithLoss(ctx: LayerContext): LayerConversion | LayerRefusal {
  const tooMany = topCount(ctx, 2);
  if (tooMany) return tooMany;
  const axis = classAxis(ctx, layerParams(ctx.layer, "softmax_param").num("axis"));
  if (typeof axis !== "number") return axis;
  const loss = layerParams(ctx.layer, "loss_param");
  return helper("SoftmaxWithLoss", {
    axis,
    ignore_label: ignoreLabelOf(loss),
    normalization: softmaxNormalization(loss),
    with_prob: ctx.layer.tops.length === 2,
  });
}

/**
 * InfogainLoss: the infogain matrix H from a third bottom, or from `infogain_loss_param.source`
 * (a .binaryproto the export does not read: the module then needs H set before use).
 */
function infogainLoss(ctx: LayerContext): LayerConversion | LayerRefusal {
  const tooMany = topCount(ctx, 2);
  if (tooMany) return tooMany;
  const p = layerParams(ctx.layer, "infogain_loss_param");
  const axis = classAxis(ctx, p.num("axis"));
  if (typeof axis !== "number") return axis;
  const loss = layerParams(ctx.layer, "loss_param");
  // InfogainLossLayer::LayerSetUp: CHECK(!has_normalize()) "normalize is deprecated".
  if (loss.has("normalize")) return { refused: "infogain-normalize" };
  const fromBottom = ctx.layer.bottoms.length >= 3;
  if (!fromBottom && !p.has("source")) return { refused: "infogain-no-matrix" };
  const source = fromBottom ? null : p.str("source");
  const kwargs: Record<string, PyValue> = { axis, ignore_label: ignoreLabelOf(loss), normalization: loss.enumName("normalization") as Normalization, with_prob: ctx.layer.tops.length === 2 };
  if (source !== null) kwargs["source"] = source;
  return helper("InfogainLoss", kwargs, source === null ? [] : [{ code: "infogain-source", data: { source } }]);
}

/** Accuracy: top_k, axis, ignore_label; a second top gives the accuracy per class. */
function accuracy(ctx: LayerContext): LayerConversion | LayerRefusal {
  const tooMany = topCount(ctx, 2);
  if (tooMany) return tooMany;
  const p = layerParams(ctx.layer, "accuracy_param");
  const axis = classAxis(ctx, p.num("axis"));
  if (typeof axis !== "number") return axis;
  return helper("Accuracy", { top_k: p.num("top_k"), axis, ignore_label: ignoreLabelOf(p), per_class: ctx.layer.tops.length === 2 });
}

/** Loss layers (and Accuracy): modules returning the value Caffe's top holds. */
export const lossConverter: LayerConverter = {
  types: ["SoftmaxWithLoss", "EuclideanLoss", "SigmoidCrossEntropyLoss", "HingeLoss", "MultinomialLogisticLoss", "InfogainLoss", "ContrastiveLoss", "Accuracy"],
  convert(ctx) {
    switch (ctx.layer.type) {
      case "SoftmaxWithLoss":
        return softmaxWithLoss(ctx);
      case "InfogainLoss":
        return infogainLoss(ctx);
      case "Accuracy":
        return accuracy(ctx);
    }
    const tooMany = topCount(ctx, 1);
    if (tooMany) return tooMany;
    switch (ctx.layer.type) {
      // EuclideanLossLayer: Σ(a − b)² / num / 2 over the flat blobs (b has a's count, any shape);
      // both bottoms get gradients (its AllowForceBackward is true for both).
      case "EuclideanLoss":
        return { module: null, call: { kind: "expr", expr: "torch.sum(({0} - {1}.reshape({0}.shape)) ** 2) / {0}.shape[0] / 2" } };
      case "SigmoidCrossEntropyLoss": {
        const loss = layerParams(ctx.layer, "loss_param");
        return helper("SigmoidCrossEntropyLoss", { ignore_label: ignoreLabelOf(loss), normalization: sigmoidNormalization(loss) });
      }
      case "HingeLoss":
        return helper("HingeLoss", { norm: layerParams(ctx.layer, "hinge_loss_param").enumName("norm") });
      case "MultinomialLogisticLoss":
        return helper("MultinomialLogisticLoss", {});
      case "ContrastiveLoss": {
        const p = layerParams(ctx.layer, "contrastive_loss_param");
        return helper("ContrastiveLoss", { margin: p.num("margin"), legacy_version: p.bool("legacy_version") });
      }
      default:
        return { refused: "unknown-type" };
    }
  },
};
