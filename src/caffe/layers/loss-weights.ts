import type { NetLayer } from "../net.js";
import { isLossType } from "./index.js";

/**
 * LossLayer subclasses: BVLC Caffe's, and the detection forks' (py-faster-rcnn's SmoothL1Loss,
 * R-FCN's SmoothL1LossOHEM, SSD's MultiBoxLoss all derive from LossLayer). LossLayer::LayerSetUp
 * (loss_layer.cpp) gives each of them `loss_weight: 1` when the layer declares none.
 */
export const LOSS_LAYER_TYPES: ReadonlySet<string> = new Set([
  "SoftmaxWithLoss",
  "EuclideanLoss",
  "SigmoidCrossEntropyLoss",
  "HingeLoss",
  "InfogainLoss",
  "MultinomialLogisticLoss",
  "ContrastiveLoss",
  "SmoothL1Loss",
  "SmoothL1LossOHEM",
  "MultiBoxLoss",
]);

/** The loss weight of each top, and whether Caffe would refuse the declared count. */
export interface LossWeights {
  /** One weight per top (0: the top is not part of the objective). */
  weights: number[];
  /**
   * The number of weights in force is neither 0 nor the number of tops: Layer::SetLossWeights
   * aborts ("loss_weight must be unspecified or specified once per top blob"). This includes a
   * loss layer with two tops and no loss_weight, since LossLayer adds a single weight.
   */
  countMismatch: boolean;
}

/**
 * The loss weights Caffe gives the tops of `layer` (Layer::SetLossWeights after
 * LossLayer::LayerSetUp): the declared `loss_weight` list, or `[1]` for a loss layer that declares
 * none; every top without a weight counts 0.
 */
export function lossWeightsOf(layer: NetLayer): LossWeights {
  const declared = layer.param.loss_weight ?? [];
  const inForce = declared.length === 0 && LOSS_LAYER_TYPES.has(layer.type) ? [1] : declared;
  const weights = layer.tops.map((_, i) => inForce[i] ?? 0);
  return { weights, countMismatch: inForce.length !== 0 && inForce.length !== layer.tops.length };
}

/**
 * Whether a layer contributes a loss, as Caffe's Net decides which tops are losses: a loss type of
 * the catalogue, a fork loss named like one (MultiBoxLoss, WarpCTCLoss…), or a non-zero loss_weight.
 */
export function computesLoss(layer: NetLayer): boolean {
  return isLossType(layer.type) || layer.type.endsWith("Loss") || (layer.param.loss_weight ?? []).some((w) => w !== 0);
}
