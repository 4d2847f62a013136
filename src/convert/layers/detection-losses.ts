import { readMultiBoxLoss, readSmoothL1Loss, readSmoothL1LossOhem } from "../../caffe/layers/detection-losses.js";
import { layerParams } from "../../caffe/layers/params.js";
import { isForkRefusal } from "../../caffe/layers/ssd.js";
import { pyFloat } from "../python-literals.js";
import type { PyValue } from "../torch-graph.js";
import { softmaxNormalization } from "./losses.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** A helper module called on the layer's bottoms. */
function helper(cls: string, kwargs: Record<string, PyValue>): LayerConversion {
  return { module: { cls, args: [], kwargs }, call: { kind: "module" }, helpers: [cls] };
}

/** Refuses more tops than the layer has (LossLayer: one; SmoothL1LossOHEM: a second, per instance). */
function topCount(ctx: LayerContext, max: number): LayerRefusal | null {
  const n = ctx.layer.tops.length;
  return n >= 1 && n <= max ? null : { refused: "top-count", data: { tops: n, max } };
}

/** SmoothL1Loss (py-faster-rcnn) → the `SmoothL1Loss` helper with the layer's sigma. */
function smoothL1Loss(ctx: LayerContext): LayerConversion | LayerRefusal {
  const tooMany = topCount(ctx, 1);
  if (tooMany) return tooMany;
  const p = readSmoothL1Loss(ctx.layer, ctx.sourceMap);
  if (isForkRefusal(p)) return p;
  return helper("SmoothL1Loss", { sigma: { raw: pyFloat(p.sigma) } });
}

/** SmoothL1LossOHEM (R-FCN) → the `SmoothL1LossOHEM` helper with loss_param's normaliser. */
function smoothL1LossOhem(ctx: LayerContext): LayerConversion | LayerRefusal {
  const tooMany = topCount(ctx, 2);
  if (tooMany) return tooMany;
  const p = readSmoothL1LossOhem(ctx.layer, ctx.sourceMap);
  if (isForkRefusal(p)) return p;
  return helper("SmoothL1LossOHEM", {
    normalization: p.normalization,
    pre_fixed_normalizer: { raw: pyFloat(p.preFixedNormalizer) },
    per_instance: ctx.layer.tops.length === 2,
  });
}

/**
 * MultiBoxLoss (SSD) → the `MultiBoxLoss` helper. loss_param's normalisation is read as
 * SoftmaxWithLoss reads it (multibox_loss_layer.cpp:44-51); propagate_down of the loc and conf
 * bottoms decides which terms the top holds (:242-252), both when none is written (:15-20).
 */
function multiBoxLoss(ctx: LayerContext): LayerConversion | LayerRefusal {
  const tooMany = topCount(ctx, 1);
  if (tooMany) return tooMany;
  const p = readMultiBoxLoss(ctx.layer, ctx.sourceMap);
  if (isForkRefusal(p)) return p;
  const propagate = ctx.layer.param.propagate_down ?? [];
  return helper("MultiBoxLoss", {
    num_classes: p.numClasses,
    background_label_id: p.backgroundLabelId,
    loc_loss_type: p.locLossType,
    loc_weight: { raw: pyFloat(p.locWeight) },
    match_type: p.matchType,
    overlap_threshold: { raw: pyFloat(p.overlapThreshold) },
    use_difficult_gt: p.useDifficultGt,
    neg_pos_ratio: { raw: pyFloat(p.negPosRatio) },
    neg_overlap: { raw: pyFloat(p.negOverlap) },
    code_type: p.codeType,
    encode_variance_in_target: p.encodeVarianceInTarget,
    ignore_cross_boundary_bbox: p.ignoreCrossBoundaryBbox,
    mining_type: p.miningType,
    normalization: softmaxNormalization(layerParams(ctx.layer, "loss_param")),
    loc_term: propagate.length === 0 || propagate[0] === true,
    conf_term: propagate.length === 0 || propagate[1] === true,
  });
}

/** The training losses of the detection forks. */
export const detectionLossConverter: LayerConverter = {
  types: ["SmoothL1Loss", "SmoothL1LossOHEM", "MultiBoxLoss"],
  convert(ctx) {
    switch (ctx.layer.type) {
      case "SmoothL1Loss":
        return smoothL1Loss(ctx);
      case "SmoothL1LossOHEM":
        return smoothL1LossOhem(ctx);
      default:
        return multiBoxLoss(ctx);
    }
  },
};
