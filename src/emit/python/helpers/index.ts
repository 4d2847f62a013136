import { ARGMAX_SOURCE } from "./argmax.js";
import { BATCH_NORM_STEPS_SOURCE } from "./batch-norm-steps.js";
import { LRN_WITHIN_CHANNEL_SOURCE } from "./lrn-within-channel.js";
import { MAX_UNPOOL_SOURCE } from "./max-unpool.js";
import { MVN_SOURCE } from "./mvn.js";
import { EMBED_SOURCE } from "./embed.js";
import { PARAMETER_SOURCE } from "./parameter.js";
import { ACCURACY_SOURCE } from "./accuracy.js";
import { LOSS_COMMON_SOURCE } from "./loss-common.js";
import { CONTRASTIVE_LOSS_SOURCE, HINGE_LOSS_SOURCE, MULTINOMIAL_LOGISTIC_LOSS_SOURCE, SIGMOID_CROSS_ENTROPY_LOSS_SOURCE } from "./losses.js";
import { INFOGAIN_LOSS_SOURCE, SOFTMAX_WITH_LOSS_SOURCE } from "./softmax-losses.js";
import { TRANSFORM_SOURCE } from "./transform.js";
import { BILINEAR_SOURCE, POSITIVE_UNITBALL_SOURCE, SPARSE_SOURCE } from "./fillers.js";
import { BIAS_SOURCE, BROADCAST_SOURCE, SCALE_SOURCE } from "./scale.js";
import { MULTIBOX_LOSS_SOURCE } from "./multibox-loss.js";
import { SMOOTH_L1_LOSS_OHEM_SOURCE, SMOOTH_L1_LOSS_SOURCE } from "./smooth-l1.js";
import { STUB_SOURCE } from "./stub.js";
import { CAFFE_NMS_SOURCE, TORCHVISION_OPS_SOURCE } from "./caffe-nms.js";
import { CTC_GREEDY_DECODER_SOURCE, EDIT_DISTANCE_SOURCE, WARP_CTC_LOSS_SOURCE } from "./ctc.js";
import { DETECTION_OUTPUT_SOURCE } from "./detection-output.js";
import { LSTM_SOURCE } from "./lstm.js";
import { NORMALIZE_SOURCE } from "./normalize.js";
import { PRIOR_BOX_SOURCE } from "./prior-box.js";
import { CAFFE_ROUND_SOURCE, PSROI_POOLING_SOURCE, ROI_POOLING_SOURCE } from "./roi-pooling.js";

/** A piece of Python the generated file defines when a node needs it. */
export interface HelperSource {
  /** Python source of the class or function. */
  source: string;
  /** Helpers it uses, defined before it. */
  needs: readonly string[];
  /** The Caffe behaviour it reproduces, for the export summary. */
  why: string;
}

/** Every helper, by name (the class or function name in the file). */
export const HELPERS: Readonly<Record<string, HelperSource>> = {
  _from_axis: { source: BROADCAST_SOURCE, needs: [], why: "Caffe's parameter broadcasting from an axis" },
  Scale: { source: SCALE_SOURCE, needs: ["_from_axis"], why: "Caffe's Scale layer outside a BatchNorm block (axis, num_axes, second input)" },
  Bias: { source: BIAS_SOURCE, needs: ["_from_axis"], why: "Caffe's Bias layer outside a BatchNorm block" },
  LRNWithinChannel: { source: LRN_WITHIN_CHANNEL_SOURCE, needs: [], why: "Caffe's LRN within a channel (an n×n window, divisor n²)" },
  MVN: { source: MVN_SOURCE, needs: [], why: "Caffe's MVN layer (eps added to the standard deviation)" },
  ArgMax: { source: ARGMAX_SOURCE, needs: [], why: "Caffe's ArgMax layer (top_k, out_max_val, no axis; equal values larger index first)" },
  Embed: { source: EMBED_SOURCE, needs: [], why: "Caffe's Embed layer with its bias term" },
  Parameter: { source: PARAMETER_SOURCE, needs: [], why: "Caffe's Parameter layer (a learned blob as the top)" },
  MaxUnpool: { source: MAX_UNPOOL_SOURCE, needs: [], why: "SegNet / ENet Caffe's Upsample layer (values placed where the Pooling mask points)" },
  caffe_batch_norm_steps: { source: BATCH_NORM_STEPS_SOURCE, needs: [], why: "the values between a fused BatchNorm and Scale, for forward_layers" },
  _loss_common: { source: LOSS_COMMON_SOURCE, needs: [], why: "the class view, ignore_label mask and normaliser Caffe's losses share" },
  SoftmaxWithLoss: { source: SOFTMAX_WITH_LOSS_SOURCE, needs: ["_loss_common"], why: "Caffe's SoftmaxWithLoss (ignore_label, normalization modes)" },
  InfogainLoss: { source: INFOGAIN_LOSS_SOURCE, needs: ["_loss_common"], why: "Caffe's InfogainLoss (matrix H from a third input or set by hand)" },
  SigmoidCrossEntropyLoss: {
    source: SIGMOID_CROSS_ENTROPY_LOSS_SOURCE,
    needs: ["_loss_common"],
    why: "Caffe's SigmoidCrossEntropyLoss (BATCH_SIZE normalisation by default, ignore_label)",
  },
  HingeLoss: { source: HINGE_LOSS_SOURCE, needs: [], why: "Caffe's HingeLoss (L1/L2)" },
  MultinomialLogisticLoss: { source: MULTINOMIAL_LOGISTIC_LOSS_SOURCE, needs: [], why: "Caffe's MultinomialLogisticLoss (probabilities floored at 1e-20)" },
  ContrastiveLoss: { source: CONTRASTIVE_LOSS_SOURCE, needs: [], why: "Caffe's ContrastiveLoss (margin, legacy_version, Caffe's gradient)" },
  Accuracy: { source: ACCURACY_SOURCE, needs: ["_loss_common"], why: "Caffe's Accuracy (top_k, ties against, ignore_label, per class)" },
  caffe_transform: { source: TRANSFORM_SOURCE, needs: [], why: "Caffe's DataTransformer (crop, mean, scale, mirror), for preprocess" },
  CaffeLayerStub: { source: STUB_SOURCE, needs: [], why: "a layer that could not be converted (--allow-stubs): raises NotImplementedError until replaced" },
  caffe_bilinear_: { source: BILINEAR_SOURCE, needs: [], why: "Caffe's bilinear filler (init_caffe_fillers)" },
  caffe_positive_unitball_: { source: POSITIVE_UNITBALL_SOURCE, needs: [], why: "Caffe's positive_unitball filler (init_caffe_fillers)" },
  caffe_sparse_: { source: SPARSE_SOURCE, needs: [], why: "the sparse option of Caffe's gaussian filler (init_caffe_fillers)" },
  // Detection forks (SSD, Faster R-CNN, R-FCN).
  _torchvision_ops: { source: TORCHVISION_OPS_SOURCE, needs: [], why: "torchvision.ops when installed (optional)" },
  _caffe_round: { source: CAFFE_ROUND_SOURCE, needs: [], why: "C's round(), half away from zero" },
  Normalize: { source: NORMALIZE_SOURCE, needs: [], why: "SSD Caffe's Normalize layer (L2 norm with eps inside the root, learned scale)" },
  PriorBox: { source: PRIOR_BOX_SOURCE, needs: [], why: "SSD Caffe's PriorBox layer (default boxes in the fork's order)" },
  caffe_nms: { source: CAFFE_NMS_SOURCE, needs: ["_torchvision_ops"], why: "SSD Caffe's ApplyNMSFast (stable order, top_k, adaptive eta)" },
  DetectionOutput: { source: DETECTION_OUTPUT_SOURCE, needs: ["caffe_nms"], why: "SSD Caffe's DetectionOutput layer (decoding, per-class NMS, keep_top_k)" },
  ROIPooling: { source: ROI_POOLING_SOURCE, needs: ["_caffe_round", "_torchvision_ops"], why: "Faster R-CNN Caffe's ROIPooling layer (its rounding and bin bounds)" },
  MultiBoxLoss: { source: MULTIBOX_LOSS_SOURCE, needs: [], why: "SSD Caffe's MultiBoxLoss (prior matching, hard negative mining, smooth L1 and softmax losses)" },
  SmoothL1Loss: { source: SMOOTH_L1_LOSS_SOURCE, needs: [], why: "py-faster-rcnn Caffe's SmoothL1Loss (sigma, inside and outside weights, / num)" },
  SmoothL1LossOHEM: { source: SMOOTH_L1_LOSS_OHEM_SOURCE, needs: [], why: "R-FCN Caffe's SmoothL1LossOHEM (weights, loss_param normaliser with PRE_FIXED, per-instance top)" },
  PSROIPooling: { source: PSROI_POOLING_SOURCE, needs: ["_caffe_round"], why: "R-FCN Caffe's PSROIPooling layer (its rounding and bin bounds)" },
  // OCR fork (caffe_ocr).
  Lstm: { source: LSTM_SOURCE, needs: [], why: "caffe_ocr's Lstm layer (gates i, f, o, g; one bias; Caffe's blob layout)" },
  _edit_distance: { source: EDIT_DISTANCE_SOURCE, needs: [], why: "Levenshtein distance, as caffe_ocr's CTC decoder computes it" },
  CTCGreedyDecoder: { source: CTC_GREEDY_DECODER_SOURCE, needs: ["_edit_distance"], why: "caffe_ocr's CTCGreedyDecoder layer (sequences, or accuracies with labels)" },
  WarpCTCLoss: { source: WARP_CTC_LOSS_SOURCE, needs: [], why: "caffe_ocr's WarpCTCLoss layer (blank labels dropped, mean of finite costs)" },
};

/** Helper sources for `names` and what they need, each once, dependencies first, in a fixed order. */
export function helperSources(names: Iterable<string>): string[] {
  const order: string[] = [];
  const visit = (name: string): void => {
    if (order.includes(name)) return;
    const helper = HELPERS[name];
    if (!helper) throw new Error(`no helper named ${name}`);
    helper.needs.forEach(visit);
    order.push(name);
  };
  [...names].sort().forEach(visit);
  return order.map((n) => HELPERS[n]!.source);
}
