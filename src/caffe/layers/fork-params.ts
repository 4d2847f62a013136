/**
 * Parameter messages that only Caffe's forks declare (`prior_box_param`, `lstm_param`, …). Our
 * schema is BVLC's, so the lenient reader keeps them as raw syntax; this reads them through
 * {@link paramView} with the defaults the fork's own caffe.proto declares, written once here.
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import { paramView, type ParamView } from "../param-view.js";

/** A default: a number, a boolean, or an enum value name. */
type Default = number | boolean | string;

/** One fork message: its defaults and the numbers of its enum values. */
export interface ForkMessage {
  /** `[default = …]` of the fork's caffe.proto (fields without one read as protobuf's zero). */
  defaults: Readonly<Record<string, Default>>;
  /** Enum fields: value name by number, for a value written as a number. */
  enums?: Readonly<Record<string, Readonly<Record<number, string>>>>;
}

/** A fork message read with its defaults (the Params of layers/params.ts, for fields our schema lacks). */
export interface ForkParams {
  has(name: string): boolean;
  /** A singular number: as written, else the default, else 0. */
  num(name: string): number;
  /** Every value of a repeated number field. */
  list(name: string): number[];
  bool(name: string): boolean;
  /** An enum value name (a written number is mapped to its name). */
  enumName(name: string): string;
  /** A sub-message (empty when absent). */
  msg(name: string, spec: ForkMessage): ForkParams;
  /** The raw view, for fields read as another message type (a FillerParameter). */
  view(): ParamView | undefined;
}

/** weiliu89/caffe (ssd) src/caffe/proto/caffe.proto:1387-1426, PriorBoxParameter. */
export const PRIOR_BOX_PARAM: ForkMessage = { defaults: { flip: true, clip: false, offset: 0.5 } };

/** weiliu89/caffe (ssd) src/caffe/proto/caffe.proto:972-979, NonMaximumSuppressionParameter (top_k has none). */
export const NMS_PARAM: ForkMessage = { defaults: { nms_threshold: 0.3, eta: 1 } };

/** weiliu89/caffe (ssd) src/caffe/proto/caffe.proto:1008-1037 (CodeType at :1389-1393), DetectionOutputParameter. */
export const DETECTION_OUTPUT_PARAM: ForkMessage = {
  defaults: { share_location: true, background_label_id: 0, code_type: "CORNER", variance_encoded_in_target: false, keep_top_k: -1 },
  enums: { code_type: { 1: "CORNER", 2: "CENTER_SIZE", 3: "CORNER_SIZE" } },
};

/** weiliu89/caffe (ssd) src/caffe/proto/caffe.proto:1329-1337, NormalizeParameter. */
export const NORM_PARAM: ForkMessage = { defaults: { across_spatial: true, channel_shared: true, eps: 1e-10 } };

/** weiliu89/caffe (ssd) src/caffe/proto/caffe.proto:1343-1348, PermuteParameter (repeated order only). */
export const PERMUTE_PARAM: ForkMessage = { defaults: {} };

/** rbgirshick/caffe-fast-rcnn (faster-rcnn) src/caffe/proto/caffe.proto:883-891, ROIPoolingParameter. */
export const ROI_POOLING_PARAM: ForkMessage = { defaults: { pooled_h: 0, pooled_w: 0, spatial_scale: 1 } };

/** daijifeng001/caffe-rfcn (R-FCN's caffe) src/caffe/proto/caffe.proto:931-935, PSROIPoolingParameter: all required. */
export const PSROI_POOLING_PARAM: ForkMessage = { defaults: {} };

/** senlinuc/caffe_ocr src/caffe/proto/caffe.proto:1075-1081, LSTMParameter (of the `Lstm` layer). */
export const LSTM_PARAM: ForkMessage = { defaults: { clipping_threshold: 0, batch_size: 1 } };

/** senlinuc/caffe_ocr src/caffe/proto/caffe.proto:1192-1205, ReverseParameter. */
export const REVERSE_PARAM: ForkMessage = { defaults: { axis: 0 } };

/** senlinuc/caffe_ocr src/caffe/proto/caffe.proto:1555-1561, TransposeParameter (repeated dim only). */
export const TRANSPOSE_PARAM: ForkMessage = { defaults: {} };

/** senlinuc/caffe_ocr src/caffe/proto/caffe.proto:692-703, CTCDecoderParameter. */
export const CTC_DECODER_PARAM: ForkMessage = { defaults: { blank_index: 0, ctc_merge_repeated: true } };

/** senlinuc/caffe_ocr src/caffe/proto/caffe.proto:705-731, CTCLossParameter. */
export const CTC_LOSS_PARAM: ForkMessage = { defaults: { output_delay: 0, blank_index: 0, preprocess_collapse_repeated: false } };

/** The fork message `field` of `layer` (e.g. `prior_box_param`), read with `spec`'s defaults. */
export function forkParams(layer: NetLayer, field: string, spec: ForkMessage, sourceMap: SourceMap | undefined): ForkParams {
  return readFork(paramView(layer.param as object, sourceMap).message(field), spec);
}

function readFork(view: ParamView | undefined, spec: ForkMessage): ForkParams {
  const fallback = (name: string): Default | undefined => spec.defaults[name];
  return {
    has: (name) => view?.has(name) ?? false,
    num(name) {
      const v = view?.number(name);
      if (v !== undefined) return v;
      const d = fallback(name);
      return typeof d === "number" ? d : 0;
    },
    list: (name) => view?.numbers(name) ?? [],
    bool(name) {
      const v = view?.bool(name);
      if (v !== undefined) return v;
      return fallback(name) === true;
    },
    enumName(name) {
      // A number names the fork's value, whatever BVLC's enum calls it (bound by BVLC's schema).
      const written = spec.enums?.[name] ? view?.enumNumber(name) : undefined;
      if (written !== undefined) return spec.enums![name]![written] ?? String(written);
      const ident = view?.ident(name);
      if (ident !== undefined) return ident;
      const n = view?.number(name);
      if (n !== undefined) return spec.enums?.[name]?.[n] ?? String(n);
      const d = fallback(name);
      return typeof d === "string" ? d : "";
    },
    msg: (name, sub) => readFork(view?.message(name), sub),
    view: () => view,
  };
}

/** rbgirshick/caffe-fast-rcnn (branch faster-rcnn) src/caffe/proto/caffe.proto:902-907, SmoothL1LossParameter. */
export const SMOOTH_L1_LOSS_PARAM: ForkMessage = { defaults: { sigma: 1 } };

/**
 * daijifeng001/caffe-rfcn src/caffe/proto/caffe.proto:435-463, R-FCN's LossParameter: BVLC's plus
 * PRE_FIXED = 3 (NONE moves to 4) and pre_fixed_normalizer (default 1).
 */
export const RFCN_LOSS_PARAM: ForkMessage = {
  defaults: { normalization: "VALID", pre_fixed_normalizer: 1 },
  enums: { normalization: { 0: "FULL", 1: "VALID", 2: "BATCH_SIZE", 3: "PRE_FIXED", 4: "NONE" } },
};

/** weiliu89/caffe (ssd) src/caffe/proto/caffe.proto:1246-1315, MultiBoxLossParameter (num_classes has none: required). */
export const MULTIBOX_LOSS_PARAM: ForkMessage = {
  defaults: {
    loc_loss_type: "SMOOTH_L1",
    conf_loss_type: "SOFTMAX",
    loc_weight: 1,
    share_location: true,
    match_type: "PER_PREDICTION",
    overlap_threshold: 0.5,
    use_prior_for_matching: true,
    background_label_id: 0,
    use_difficult_gt: true,
    neg_pos_ratio: 3,
    neg_overlap: 0.5,
    code_type: "CORNER",
    encode_variance_in_target: false,
    map_object_to_agnostic: false,
    ignore_cross_boundary_bbox: false,
    bp_inside: false,
    mining_type: "MAX_NEGATIVE",
    sample_size: 64,
    use_prior_for_nms: false,
  },
  enums: {
    loc_loss_type: { 0: "L2", 1: "SMOOTH_L1" },
    conf_loss_type: { 0: "SOFTMAX", 1: "LOGISTIC" },
    match_type: { 0: "BIPARTITE", 1: "PER_PREDICTION" },
    code_type: { 1: "CORNER", 2: "CENTER_SIZE", 3: "CORNER_SIZE" },
    mining_type: { 0: "NONE", 1: "MAX_NEGATIVE", 2: "HARD_EXAMPLE" },
  },
};
