import { ARGMAX_SOURCE } from "./argmax.js";
import { BATCH_NORM_STEPS_SOURCE } from "./batch-norm-steps.js";
import { LRN_WITHIN_CHANNEL_SOURCE } from "./lrn-within-channel.js";
import { MVN_SOURCE } from "./mvn.js";
import { EMBED_SOURCE } from "./embed.js";
import { PARAMETER_SOURCE } from "./parameter.js";
import { BIAS_SOURCE, BROADCAST_SOURCE, SCALE_SOURCE } from "./scale.js";
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
  caffe_batch_norm_steps: { source: BATCH_NORM_STEPS_SOURCE, needs: [], why: "the values between a fused BatchNorm and Scale, for forward_layers" },
  // Detection forks (SSD, Faster R-CNN, R-FCN).
  _torchvision_ops: { source: TORCHVISION_OPS_SOURCE, needs: [], why: "torchvision.ops when installed (optional)" },
  _caffe_round: { source: CAFFE_ROUND_SOURCE, needs: [], why: "C's round(), half away from zero" },
  Normalize: { source: NORMALIZE_SOURCE, needs: [], why: "SSD Caffe's Normalize layer (L2 norm with eps inside the root, learned scale)" },
  PriorBox: { source: PRIOR_BOX_SOURCE, needs: [], why: "SSD Caffe's PriorBox layer (default boxes in the fork's order)" },
  caffe_nms: { source: CAFFE_NMS_SOURCE, needs: ["_torchvision_ops"], why: "SSD Caffe's ApplyNMSFast (stable order, top_k, adaptive eta)" },
  DetectionOutput: { source: DETECTION_OUTPUT_SOURCE, needs: ["caffe_nms"], why: "SSD Caffe's DetectionOutput layer (decoding, per-class NMS, keep_top_k)" },
  ROIPooling: { source: ROI_POOLING_SOURCE, needs: ["_caffe_round", "_torchvision_ops"], why: "Faster R-CNN Caffe's ROIPooling layer (its rounding and bin bounds)" },
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
