/**
 * Nets for torch-parity.test.ts: fork layers, helper modules and module options the golden
 * recordings do not exercise. Each lists the layers it is there for (`covers`).
 */
import { netWith } from "../../convert/layers/snippet.js";

export interface ParityNet {
  name: string;
  prototxt: string;
  /** Layers this net exists to check (each must be recorded by torch). */
  covers: string[];
  phase?: "TEST" | "TRAIN";
  /** Fixed input values by blob (default: seeded normal values). */
  inputs?: Record<string, number[]>;
}

const input = (name: string, shape: number[]): string => `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${shape.map((d) => `dim: ${d}`).join(" ")} } } }`;

export const PARITY_NETS: readonly ParityNet[] = [
  {
    name: "bvlc-options",
    covers: ["pool_mask", "unpool", "conv1d", "deconv", "relu6", "param", "dummy", "argmax_axis", "pool_ave", "power", "swish1", "elu"],
    prototxt: `${netWith([2, 4, 6, 5], `
layer { name: "pool_mask" type: "Pooling" bottom: "data" top: "pooled" top: "mask" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "unpool" type: "Upsample" bottom: "pooled" bottom: "mask" top: "unpooled" upsample_param { scale: 2 pad_out_w: true } }
layer { name: "deconv" type: "Deconvolution" bottom: "data" top: "deconv" convolution_param { num_output: 6 group: 2 kernel_size: 3 stride: 2 pad: 1 dilation: 2 } }
layer { name: "relu6" type: "ReLU6" bottom: "deconv" top: "relu6" relu6_param { negative_slope: 0.1 } }
layer { name: "pool_ave" type: "Pooling" bottom: "data" top: "pool_ave" pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
layer { name: "argmax_axis" type: "ArgMax" bottom: "data" top: "argmax_axis" argmax_param { axis: 1 top_k: 2 } }
layer { name: "power" type: "Power" bottom: "data" top: "power" power_param { power: 3 scale: 0.5 shift: -0.25 } }
layer { name: "swish1" type: "Swish" bottom: "data" top: "swish1" }
layer { name: "elu" type: "ELU" bottom: "data" top: "elu" }
layer { name: "param" type: "Parameter" top: "param" parameter_param { shape { dim: 2 dim: 3 } } }
layer { name: "dummy" type: "DummyData" top: "dummy" dummy_data_param { shape { dim: 2 dim: 3 } data_filler { type: "constant" value: 0.25 } } }
layer { name: "sum" type: "Eltwise" bottom: "param" bottom: "dummy" top: "sum" }
`)}
${input("seq", [2, 4, 7])}
layer { name: "conv1d" type: "Convolution" bottom: "seq" top: "conv1d" convolution_param { num_output: 3 kernel_size: 3 pad: 1 stride: 2 } }
`,
  },
  {
    name: "embedding",
    covers: ["embed", "embed_bias"],
    inputs: { data: [0, 3, 1, 2.5, 4, 0.9] },
    prototxt: netWith([2, 3], `
layer { name: "embed" type: "Embed" bottom: "data" top: "embed" embed_param { input_dim: 5 num_output: 4 bias_term: false } }
layer { name: "embed_bias" type: "Embed" bottom: "data" top: "embed_bias" embed_param { input_dim: 5 num_output: 3 } }
`),
  },
  {
    name: "forks-spatial",
    covers: ["interp", "interp_crop", "shuffle", "gap", "axpy", "permute", "norm_across", "norm_channels", "dw", "dwconv"],
    prototxt: netWith([2, 6, 5, 4], `
layer { name: "interp" type: "Interp" bottom: "data" top: "interp" interp_param { height: 9 width: 7 } }
layer { name: "interp_crop" type: "Interp" bottom: "data" top: "interp_crop" interp_param { zoom_factor: 2 pad_beg: -1 pad_end: -1 } }
layer { name: "shuffle" type: "ShuffleChannel" bottom: "data" top: "shuffle" shuffle_channel_param { group: 3 } }
layer { name: "gap" type: "Pooling" bottom: "data" top: "gap" pooling_param { pool: AVE global_pooling: true } }
layer { name: "axpy" type: "Axpy" bottom: "gap" bottom: "data" bottom: "shuffle" top: "axpy" }
layer { name: "permute" type: "Permute" bottom: "data" top: "permute" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "norm_across" type: "Normalize" bottom: "data" top: "norm_across" }
layer { name: "norm_channels" type: "Normalize" bottom: "data" top: "norm_channels" norm_param { across_spatial: false channel_shared: false eps: 0.001 } }
layer { name: "dw" type: "ConvolutionDepthwise" bottom: "data" top: "dw" convolution_param { num_output: 6 kernel_size: 3 stride: 2 pad: 1 } }
layer { name: "dwconv" type: "DepthwiseConvolution" bottom: "data" top: "dwconv" convolution_param { num_output: 6 group: 6 kernel_size: 3 pad: 1 } }
`),
  },
  {
    name: "forks-batch-norm",
    covers: ["bn_psp", "bn_segnet"],
    prototxt: netWith([2, 4, 3, 3], `
layer { name: "bn_psp" type: "BN" bottom: "data" top: "bn_psp" bn_param { slope_filler { type: 'constant' value: 1 } momentum: 0.95 eps: 0.001 frozen: true } }
layer { name: "bn_segnet" type: "BN" bottom: "data" top: "bn_segnet" bn_param { bn_mode: INFERENCE scale_filler { type: 'constant' value: 1 } shift_filler { type: 'constant' value: 0.001 } } }
`),
  },
  {
    name: "ocr",
    covers: ["lstm", "reverse", "transpose"],
    prototxt: netWith([5, 2, 3], `
layer { name: "lstm" type: "Lstm" bottom: "data" top: "lstm" lstm_param { num_output: 4 } }
layer { name: "reverse" type: "Reverse" bottom: "lstm" top: "reverse" reverse_param { axis: 0 } }
layer { name: "transpose" type: "Transpose" bottom: "reverse" top: "transpose" transpose_param { dim: 1 dim: 0 dim: 2 } }
`),
  },
  {
    name: "losses",
    covers: ["softmax_loss", "softmax_loss_full", "infogain", "accuracy", "sigmoid_ce", "hinge", "multinomial", "contrastive", "euclidean"],
    inputs: {
      label: [0, 3, 4, 1],
      target: [1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0],
      similar: [1, 0, 0, 1],
    },
    prototxt: `${input("x", [4, 5])}
${input("label", [4])}
${input("target", [4, 5])}
${input("b", [4, 5])}
${input("similar", [4])}
${input("h", [5, 5])}
layer { name: "softmax_loss" type: "SoftmaxWithLoss" bottom: "x" bottom: "label" top: "softmax_loss" top: "prob" loss_param { ignore_label: 3 } }
layer { name: "softmax_loss_full" type: "SoftmaxWithLoss" bottom: "x" bottom: "label" top: "softmax_loss_full" loss_param { normalization: FULL } }
layer { name: "infogain" type: "InfogainLoss" bottom: "x" bottom: "label" bottom: "h" top: "infogain" }
layer { name: "accuracy" type: "Accuracy" bottom: "x" bottom: "label" top: "accuracy" top: "per_class" accuracy_param { top_k: 2 } }
layer { name: "sigmoid_ce" type: "SigmoidCrossEntropyLoss" bottom: "x" bottom: "target" top: "sigmoid_ce" }
layer { name: "hinge" type: "HingeLoss" bottom: "x" bottom: "label" top: "hinge" hinge_loss_param { norm: L2 } }
layer { name: "softmax" type: "Softmax" bottom: "x" top: "p" }
layer { name: "multinomial" type: "MultinomialLogisticLoss" bottom: "p" bottom: "label" top: "multinomial" }
layer { name: "contrastive" type: "ContrastiveLoss" bottom: "x" bottom: "b" bottom: "similar" top: "contrastive" contrastive_loss_param { margin: 4 } }
layer { name: "euclidean" type: "EuclideanLoss" bottom: "x" bottom: "b" top: "euclidean" }
`,
  },
  {
    name: "detection",
    covers: ["prior", "prior_fixed", "roi", "psroi"],
    inputs: { rois: [0, 1, 2, 10, 9, 0, 0, 0, 3, 5.5], rois2: [0, 0.4, 1.6, 4, 5, 0, 2, 1, 2, 1] },
    prototxt: `${input("feat", [1, 4, 3, 4])}
${input("image", [1, 3, 24, 32])}
${input("rois", [2, 5])}
${input("feat2", [1, 8, 6, 6])}
${input("rois2", [2, 5])}
layer { name: "prior" type: "PriorBox" bottom: "feat" bottom: "image" top: "prior" prior_box_param { min_size: 8 max_size: 16 aspect_ratio: 2 flip: true clip: true variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
layer { name: "prior_fixed" type: "PriorBox" bottom: "feat" bottom: "image" top: "prior_fixed" prior_box_param { min_size: 5 aspect_ratio: 3 flip: false variance: 0.1 img_size: 30 step: 7 offset: 0.25 } }
layer { name: "roi" type: "ROIPooling" bottom: "feat" bottom: "rois" top: "roi" roi_pooling_param { pooled_h: 2 pooled_w: 3 spatial_scale: 0.5 } }
layer { name: "psroi" type: "PSROIPooling" bottom: "feat2" bottom: "rois2" top: "psroi" psroi_pooling_param { spatial_scale: 1 output_dim: 2 group_size: 2 } }
`,
  },
  {
    name: "ctc",
    covers: ["decode", "decode_acc", "ctc_loss"],
    inputs: { label: [1, 2, 2, -1, 3, 1] },
    prototxt: `${input("x", [6, 2, 4])}
${input("label", [2, 3])}
layer { name: "decode" type: "CTCGreedyDecoder" bottom: "x" top: "decode" }
layer { name: "decode_acc" type: "CTCGreedyDecoder" bottom: "x" bottom: "label" top: "decode_acc" }
layer { name: "relabel" type: "ReLU" bottom: "label" top: "positive" }
layer { name: "ctc_loss" type: "WarpCTCLoss" bottom: "x" bottom: "positive" top: "ctc_loss" }
`,
  },
  {
    name: "detection-output",
    covers: ["det", "det_centre", "det_top"],
    prototxt: `${input("feat", [1, 4, 3, 4])}
${input("image", [1, 3, 24, 32])}
${input("loc", [2, 96])}
${input("loc_all", [2, 288])}
${input("scores", [2, 24, 3])}
layer { name: "prior" type: "PriorBox" bottom: "feat" bottom: "image" top: "prior" prior_box_param { min_size: 8 aspect_ratio: 2 flip: false variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
layer { name: "conf" type: "Softmax" bottom: "scores" top: "conf" softmax_param { axis: 2 } }
layer { name: "det" type: "DetectionOutput" bottom: "loc" bottom: "conf" bottom: "prior" top: "det" detection_output_param { num_classes: 3 nms_param { nms_threshold: 0.45 top_k: 10 } confidence_threshold: 0.2 keep_top_k: 7 } }
layer { name: "det_centre" type: "DetectionOutput" bottom: "loc" bottom: "conf" bottom: "prior" top: "det_centre" detection_output_param { num_classes: 3 code_type: CENTER_SIZE nms_param { nms_threshold: 0.3 eta: 0.9 } confidence_threshold: 0.3 } }
layer { name: "det_top" type: "DetectionOutput" bottom: "loc_all" bottom: "conf" bottom: "prior" top: "det_top" detection_output_param { num_classes: 3 share_location: false background_label_id: 2 code_type: CORNER_SIZE confidence_threshold: 0.99 } }
`,
  },
  {
    name: "train-phase",
    phase: "TRAIN",
    covers: ["bn", "scale", "bn_global", "ip", "loss", "acc"],
    inputs: { label: [1, 0, 2, 1] },
    prototxt: `${input("data", [4, 3, 5, 5])}
${input("label", [4])}
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 bias_term: false } }
layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }
layer { name: "scale" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }
layer { name: "bn_global" type: "BatchNorm" bottom: "conv" top: "bn_global" batch_norm_param { use_global_stats: true } }
layer { name: "relu" type: "ReLU" bottom: "bn_global" top: "bn_global" }
layer { name: "ip" type: "InnerProduct" bottom: "bn_global" top: "ip" inner_product_param { num_output: 3 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
layer { name: "acc" type: "Accuracy" bottom: "ip" bottom: "label" top: "acc" }
`,
  },
];
