/**
 * What the detection forks define for their training losses: `SmoothL1Loss` of Fast/Faster
 * R-CNN's Caffe (rbgirshick/caffe-fast-rcnn, branch faster-rcnn) and `SmoothL1LossOHEM` of
 * R-FCN's Caffe (py-R-FCN's Caffe, Microsoft's R-FCN branch), and SSD's `MultiBoxLoss`
 * (weiliu89/caffe, branch ssd).
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import { forkParams, MULTIBOX_LOSS_PARAM, NMS_PARAM, RFCN_LOSS_PARAM, SMOOTH_L1_LOSS_PARAM } from "./fork-params.js";
import type { ForkRefusal } from "./ssd.js";
import { lossNormalization } from "./loss-param.js";

/** SmoothL1LossLayer::LayerSetUp (smooth_L1_loss_layer.cpp:13-22): sigma and whether weights are given. */
export interface SmoothL1LossParams {
  sigma: number;
  /** Bottoms 3 and 4 (inside and outside weights) are given. */
  weights: boolean;
}

/** smooth_l1_loss_param; 2 bottoms, or 4 with both weights (the fork's CHECK_EQ(bottom.size(), 4)). */
export function readSmoothL1Loss(layer: NetLayer, sourceMap: SourceMap | undefined): SmoothL1LossParams | ForkRefusal {
  const bottoms = layer.bottoms.length;
  if (bottoms !== 2 && bottoms !== 4) return { refused: "smooth-l1-bottoms", data: { bottoms } };
  return { sigma: forkParams(layer, "smooth_l1_loss_param", SMOOTH_L1_LOSS_PARAM, sourceMap).num("sigma"), weights: bottoms === 4 };
}

/** R-FCN's normalisation modes (its LossParameter.NormalizationMode). */
export type RfcnNormalization = "FULL" | "VALID" | "BATCH_SIZE" | "PRE_FIXED" | "NONE";

/** SmoothL1LossOHEMLayer::LayerSetUp (smooth_L1_loss_ohem_layer.cpp:17-29). */
export interface SmoothL1LossOhemParams {
  normalization: RfcnNormalization;
  preFixedNormalizer: number;
  /** A third bottom multiplies the difference (has_weights_ = bottom.size() == 3). */
  weights: boolean;
}

/**
 * SmoothL1LossOHEM's loss_param: `normalization` when written, else the legacy `normalize` (true
 * VALID, false BATCH_SIZE), else VALID. 2 or 3 bottoms (LossLayer takes two; the third is weights).
 */
export function readSmoothL1LossOhem(layer: NetLayer, sourceMap: SourceMap | undefined): SmoothL1LossOhemParams | ForkRefusal {
  const bottoms = layer.bottoms.length;
  if (bottoms !== 2 && bottoms !== 3) return { refused: "smooth-l1-bottoms", data: { bottoms } };
  const p = forkParams(layer, "loss_param", RFCN_LOSS_PARAM, sourceMap);
  const normalization = lossNormalization(p) as RfcnNormalization;
  return { normalization, preFixedNormalizer: p.num("pre_fixed_normalizer"), weights: bottoms === 3 };
}

/**
 * multibox_loss_param as MultiBoxLossLayer::LayerSetUp (multibox_loss_layer.cpp:12-129) and the
 * bbox_util.cpp functions it calls read it, for the configurations the export reproduces.
 */
export interface MultiBoxLossParams {
  numClasses: number;
  backgroundLabelId: number;
  locLossType: "SMOOTH_L1" | "L2";
  locWeight: number;
  matchType: "BIPARTITE" | "PER_PREDICTION";
  overlapThreshold: number;
  useDifficultGt: boolean;
  negPosRatio: number;
  negOverlap: number;
  codeType: "CORNER" | "CENTER_SIZE" | "CORNER_SIZE";
  encodeVarianceInTarget: boolean;
  ignoreCrossBoundaryBbox: boolean;
  miningType: "NONE" | "MAX_NEGATIVE";
}

/**
 * multibox_loss_param, or a refusal: what the fork refuses (no num_classes, num_classes < 1, a
 * SOFTMAX background outside [0, num_classes), negative mining without share_location) and the
 * options this export does not reproduce (LOGISTIC confidences, per-class locations, matching on
 * decoded predictions, HARD_EXAMPLE mining, NMS while mining, bp_inside, map_object_to_agnostic).
 */
export function readMultiBoxLoss(layer: NetLayer, sourceMap: SourceMap | undefined): MultiBoxLossParams | ForkRefusal {
  if (layer.bottoms.length !== 4) return { refused: "multibox-loss-bottoms", data: { bottoms: layer.bottoms.length } };
  const p = forkParams(layer, "multibox_loss_param", MULTIBOX_LOSS_PARAM, sourceMap);
  // multibox_loss_layer.cpp:28-30: CHECK(has_num_classes()), CHECK_GE(num_classes, 1).
  if (!p.has("num_classes") || p.num("num_classes") < 1) return { refused: "multibox-loss-classes", data: { num_classes: p.has("num_classes") ? p.num("num_classes") : null } };
  const numClasses = p.num("num_classes");
  const backgroundLabelId = p.num("background_label_id");
  const miningType = p.enumName("mining_type");
  const unsupported: string[] = [];
  if (p.enumName("conf_loss_type") !== "SOFTMAX") unsupported.push("conf_loss_type LOGISTIC");
  if (!p.bool("share_location")) unsupported.push("share_location false");
  if (!p.bool("use_prior_for_matching")) unsupported.push("use_prior_for_matching false");
  if (miningType === "HARD_EXAMPLE") unsupported.push("mining_type HARD_EXAMPLE");
  // bbox_util.cpp:885-889, 962: NMS while mining only when nms_param gives nms_threshold > 0.
  if (p.has("nms_param") && p.msg("nms_param", NMS_PARAM).num("nms_threshold") > 0) unsupported.push("nms_param while mining");
  if (p.bool("bp_inside")) unsupported.push("bp_inside");
  if (p.bool("map_object_to_agnostic")) unsupported.push("map_object_to_agnostic");
  if (p.has("do_neg_mining") && p.bool("do_neg_mining") !== (miningType !== "NONE")) unsupported.push("do_neg_mining contradicting mining_type");
  if (unsupported.length > 0) return { refused: "multibox-loss-options", data: { options: unsupported.join(", ") } };
  // multibox_loss_layer.cpp:95-98: the SOFTMAX background must be a class.
  if (backgroundLabelId < 0 || backgroundLabelId >= numClasses) return { refused: "multibox-loss-background", data: { background_label_id: backgroundLabelId, num_classes: numClasses } };
  return {
    numClasses,
    backgroundLabelId,
    locLossType: p.enumName("loc_loss_type") as MultiBoxLossParams["locLossType"],
    locWeight: p.num("loc_weight"),
    matchType: p.enumName("match_type") as MultiBoxLossParams["matchType"],
    overlapThreshold: p.num("overlap_threshold"),
    useDifficultGt: p.bool("use_difficult_gt"),
    negPosRatio: p.num("neg_pos_ratio"),
    negOverlap: p.num("neg_overlap"),
    codeType: p.enumName("code_type") as MultiBoxLossParams["codeType"],
    encodeVarianceInTarget: p.bool("encode_variance_in_target"),
    ignoreCrossBoundaryBbox: p.bool("ignore_cross_boundary_bbox"),
    miningType: miningType as MultiBoxLossParams["miningType"],
  };
}
