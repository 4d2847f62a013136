/**
 * The nets of the fork cross-check (fork-torch.test.ts): a fixture of the segmentation and
 * mobile fork layers, the detection/OCR nets of test/export/fork-layer-cases.ts, and corpus files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CASES, type Nested } from "../../export/fork-layer-cases.js";
import { CORPUS_DIR } from "../../helpers/paths.js";
import { readNet } from "../../../src/schema/read.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import type { CrossNet, InputFill } from "./fork-support.js";

const input = (name: string, dims: readonly number[]): string => `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${dims.map((d) => `dim: ${d}`).join(" ")} } } }`;
const layer = (name: string, type: string, bottoms: string[], body = "", tops = [name]): string =>
  `layer { name: "${name}" type: "${type}" ${bottoms.map((b) => `bottom: "${b}"`).join(" ")} ${tops.map((t) => `top: "${t}"`).join(" ")} ${body} }`;

/** Inputs of the fixture: shapes, filled with seeded values (few distinct values where ties matter). */
const FIXTURE_INPUTS: Record<string, { shape: number[]; fill: InputFill }> = {
  x35: { shape: [2, 3, 3, 5], fill: { seed: 1 } },
  x98: { shape: [1, 2, 9, 8], fill: { seed: 2 } },
  p57: { shape: [1, 2, 5, 7], fill: { seed: 3, lo: -2, hi: 3, int: true } },
  c6: { shape: [2, 6, 3, 4], fill: { seed: 4 } },
  a4: { shape: [2, 3, 1, 1], fill: { seed: 5 } },
  a2: { shape: [2, 3], fill: { seed: 6 } },
  ax: { shape: [2, 3, 4, 5], fill: { seed: 7 } },
  ay: { shape: [2, 3, 4, 5], fill: { seed: 8 } },
  r: { shape: [2, 3, 4], fill: { seed: 9, lo: -8, hi: 8 } },
  dw: { shape: [2, 3, 7, 6], fill: { seed: 10 } },
  bnx: { shape: [2, 4, 3, 5], fill: { seed: 11, lo: -3, hi: 5 } },
};

const FIXTURE_LAYERS = [
  layer("zoom2", "Interp", ["x35"], "interp_param { zoom_factor: 2 }"),
  layer("shrink2", "Interp", ["x35"], "interp_param { shrink_factor: 2 }"),
  layer("hw", "Interp", ["x35"], "interp_param { height: 4 width: 7 }"),
  layer("both_pad", "Interp", ["x98"], "interp_param { shrink_factor: 2 zoom_factor: 3 pad_beg: -1 pad_end: -2 }"),
  layer("crop_only", "Interp", ["x98"], "interp_param { height: 6 width: 5 pad_beg: -1 pad_end: -2 }"),
  layer("row", "Interp", ["x35"], "interp_param { height: 1 width: 4 }"),
  layer("pool_a", "Pooling", ["p57"], "pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 }", ["pool_a", "mask_a"]),
  layer("up_a", "Upsample", ["pool_a", "mask_a"], "upsample_param { scale: 2 upsample_h: 5 upsample_w: 7 }"),
  layer("pool_b", "Pooling", ["p57"], "pooling_param { pool: MAX kernel_size: 2 stride: 2 }", ["pool_b", "mask_b"]),
  layer("up_b", "Upsample", ["pool_b", "mask_b"], "upsample_param { scale: 2 pad_out_h: true pad_out_w: true }"),
  layer("shuffle3", "ShuffleChannel", ["c6"], "shuffle_channel_param { group: 3 }"),
  layer("shuffle2", "ShuffleChannel", ["c6"], "shuffle_channel_param { group: 2 }"),
  layer("axpy4", "Axpy", ["a4", "ax", "ay"]),
  layer("axpy2", "Axpy", ["a2", "ax", "ay"]),
  layer("relu6", "ReLU6", ["r"]),
  layer("relu6_leaky", "ReLU6", ["r"], "relu6_param { negative_slope: 0.1 }"),
  layer("cdw", "ConvolutionDepthwise", ["dw"], "convolution_param { num_output: 5 kernel_size: 3 stride: 2 pad: 1 }"),
  layer("cdw_dilated", "ConvolutionDepthwise", ["dw"], "convolution_param { kernel_h: 3 kernel_w: 2 stride: 1 pad: 0 dilation: 2 bias_term: false }"),
  layer("dconv", "DepthwiseConvolution", ["dw"], "convolution_param { num_output: 6 group: 3 kernel_size: 3 pad: 1 }"),
  layer("bn_psp", "BN", ["bnx"], "bn_param { momentum: 0.9 eps: 0.001 }"),
  layer("bn_psp_frozen", "BN", ["bnx"], "bn_param { frozen: true }"),
  layer("bn_seg_learn", "BN", ["bnx"], "bn_param { scale_filler { type: 'constant' value: 1 } }"),
  layer("bn_seg_inference", "BN", ["bnx"], "bn_param { bn_mode: INFERENCE }"),
  layer("bn_nv", "BatchNorm", ["bnx"], "batch_norm_param { moving_average_fraction: 0.9 eps: 0.000001 scale_bias: true }"),
];

const FIXTURE_TEXT = [...Object.entries(FIXTURE_INPUTS).map(([n, i]) => input(n, i.shape)), ...FIXTURE_LAYERS].join("\n");

/** The fixture in both phases (the BatchNorm forks differ between them). */
export const FIXTURE_NETS: CrossNet[] = (["TEST", "TRAIN"] as const).map((phase) => ({
  id: `fixture-${phase.toLowerCase()}`,
  text: FIXTURE_TEXT,
  phase,
  inputs: FIXTURE_INPUTS,
  // NVCaffe: variances small enough that its eps floor (1e-5 over the written 1e-6) shows; the
  // variance correction blob is never read, which an odd value proves.
  blobs: { bn_nv: [[0.1, -0.2, 0.3, 0], [2e-5, 5e-5, 1e-5, 8e-5], [7], [1.5, 0.5, -1, 2], [0.1, 0.2, 0.3, 0.4]] },
}));

/** Less common settings of the same layers, where a converter would most likely misread its fork. */
const EDGE_INPUTS: Record<string, { shape: number[]; fill: InputFill }> = {
  x98: { shape: [2, 3, 9, 8], fill: { seed: 31 } },
  v2: { shape: [3, 4], fill: { seed: 32 } },
  dw: { shape: [1, 4, 6, 7], fill: { seed: 33 } },
  seq4: { shape: [3, 2, 2, 2], fill: { seed: 34 } },
  feat: { shape: [2, 4, 5, 6], fill: { seed: 35 } },
  // ROIs past the map's edges, with negative corners, and tiny ones.
  rois: { shape: [5, 5], fill: { values: [0, -20, -10, 30, 40, 1, 50, 60, 300, 200, 1, 3, 3, 3.4, 3.4, 0, 0, 0, 0, 0, 1, 10.5, 14.5, 11.5, 15.5] } },
  ps: { shape: [2, 8, 5, 6], fill: { seed: 36 } },
  pb: { shape: [1, 4, 3, 5], fill: { seed: 37 } },
  img: { shape: [1, 3, 37, 53], fill: { seed: 38 } },
  loc: { shape: [2, 4 * 45 * 3], fill: { seed: 39, lo: -0.5, hi: 0.5 } },
  conf: { shape: [2, 45 * 3], fill: { seed: 40, lo: 0, hi: 1 } },
  mask_in: { shape: [1, 2, 6, 9], fill: { seed: 41, lo: -3, hi: 3, int: true } },
};

const EDGE_LAYERS = [
  layer("shrink_odd", "Interp", ["x98"], "interp_param { height: 4 width: 3 }"),
  layer("norm_2d", "Normalize", ["v2"], "norm_param { across_spatial: false channel_shared: false }"),
  layer("norm_2d_all", "Normalize", ["v2"], "norm_param { across_spatial: true channel_shared: true eps: 0.01 }"),
  layer("bn_psp_2d", "BN", ["v2"], "bn_param { eps: 0.0001 }"),
  layer("cdw_hw", "ConvolutionDepthwise", ["dw"], "convolution_param { kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3 pad_h: 1 pad_w: 0 }"),
  layer("rev_seq", "Reverse", ["seq4"], "reverse_param { axis: 1 }"),
  layer("tr_seq", "Transpose", ["seq4"], "transpose_param { dim: 3 dim: 1 dim: 0 dim: 2 }"),
  layer("roi_edges", "ROIPooling", ["feat", "rois"], "roi_pooling_param { pooled_h: 3 pooled_w: 4 spatial_scale: 0.25 }"),
  layer("psroi_edges", "PSROIPooling", ["ps", "rois"], "psroi_pooling_param { spatial_scale: 0.25 output_dim: 2 group_size: 2 }"),
  layer("prior", "PriorBox", ["pb", "img"], "prior_box_param { min_size: 8 max_size: 20 aspect_ratio: 3 flip: false clip: true step_h: 12 step_w: 10 offset: 0.3 variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 }"),
  layer("det_corner", "DetectionOutput", ["loc", "conf", "prior"], "detection_output_param { num_classes: 3 share_location: false background_label_id: 0 code_type: CORNER keep_top_k: 7 confidence_threshold: 0.3 nms_param { nms_threshold: 0.4 top_k: 5 } }"),
  layer("det_plain", "DetectionOutput", ["loc", "conf", "prior"], "detection_output_param { num_classes: 3 share_location: false background_label_id: 2 code_type: CENTER_SIZE nms_param { nms_threshold: 0.6 eta: 0.5 } }"),
  layer("pool_c", "Pooling", ["mask_in"], "pooling_param { pool: MAX kernel_h: 3 kernel_w: 3 stride_h: 2 stride_w: 3 }", ["pool_c", "mask_c"]),
  layer("up_c", "Upsample", ["pool_c", "mask_c"], "upsample_param { scale_h: 2 scale_w: 3 }"),
];

/** The edge cases, in TEST. */
export const EDGE_NET: CrossNet = {
  id: "fixture-edges",
  text: [...Object.entries(EDGE_INPUTS).map(([n, i]) => input(n, i.shape)), ...EDGE_LAYERS].join("\n"),
  phase: "TEST",
  inputs: EDGE_INPUTS,
};

const flatten = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flatten) : [n]);

/** The Input shapes of a net text, by top. */
function inputShapes(text: string): Map<string, number[]> {
  const net = readNet(text, { allowUnknown: true, upgrade: true }).net as NetParameter;
  const out = new Map<string, number[]>();
  for (const l of net.layer ?? []) {
    if (l.type !== "Input") continue;
    (l.top ?? []).forEach((t, i) => out.set(t, (l.input_param?.shape?.[i]?.dim ?? []).map(Number)));
  }
  return out;
}

/** The nets of fork-layer-cases.ts, their literal inputs kept and their random ones seeded here. */
export const CASE_NETS: CrossNet[] = CASES.map((c, k) => {
  const shapes = inputShapes(c.net);
  const inputs: CrossNet["inputs"] = {};
  for (const [name, spec] of Object.entries(c.inputs)) {
    const shape = shapes.get(name)!;
    if (Array.isArray(spec) || typeof spec === "number") inputs[name] = { shape, fill: { values: flatten(spec as Nested) } };
    else if ("rois" in spec) {
      const [, batches, h, w] = spec.rois as [number, number, number, number];
      inputs[name] = { shape, fill: { rois: { batches, image: [h, w], seed: 100 + k } } };
    } else inputs[name] = { shape, fill: spec.int ? { seed: 200 + k, lo: 0, hi: spec.int, int: true } : { seed: 300 + k } };
  }
  return { id: `case-${c.name}`, text: c.net, phase: "TEST", inputs, ...(c.state ? { state: Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, flatten(v)])) } : {}) };
});

const corpus = (file: string): string => readFileSync(join(CORPUS_DIR, file), "utf8");

/** The detection tail of chuanqi305's voc/MobileNetSSD_test.prototxt, the TEST net of the corpus train file. */
const SSD_TEST_TAIL = `
layer { name: "mbox_conf_reshape" type: "Reshape" bottom: "mbox_conf" top: "mbox_conf_reshape" reshape_param { shape { dim: 0 dim: -1 dim: 21 } } }
layer { name: "mbox_conf_softmax" type: "Softmax" bottom: "mbox_conf_reshape" top: "mbox_conf_softmax" softmax_param { axis: 2 } }
layer { name: "mbox_conf_flatten" type: "Flatten" bottom: "mbox_conf_softmax" top: "mbox_conf_flatten" flatten_param { axis: 1 } }
layer { name: "detection_out" type: "DetectionOutput" bottom: "mbox_loc" bottom: "mbox_conf_flatten" bottom: "mbox_priorbox" top: "detection_out"
  include { phase: TEST }
  detection_output_param { num_classes: 21 share_location: true background_label_id: 0 nms_param { nms_threshold: 0.45 top_k: 400 }
    code_type: CENTER_SIZE keep_top_k: 200 confidence_threshold: 0.01 } }`;

/** Corpus files with fork layers, at the input shapes of their deploy files (small enough to run here). */
export const CORPUS_NETS: CrossNet[] = [
  {
    id: "shufflenet-v2",
    text: corpus("farmingyard-ShuffleNet__shufflenet_v2_1x_deploy.prototxt"),
    phase: "TEST",
    inputs: { data: { shape: [1, 3, 96, 96], fill: { seed: 21 } } },
  },
  {
    id: "mobilefacenet",
    text: corpus("KaleidoZhouYN-mobilefacenet-caffe__proto_revise_deploy.prototxt"),
    phase: "TEST",
    inputs: { data: { shape: [1, 3, 112, 96], fill: { seed: 22 } } },
  },
  {
    // PSPNet-50 at 41×41 instead of 473×473: the feature map is 6×6 instead of 60×60, so the pyramid's
    // pooling windows (60, 30, 20, 10) and Interp sizes (60) written for 473 are scaled by 1/10.
    id: "pspnet",
    text: corpus("hszhao-PSPNet__pspnet50_ADE20K_473.prototxt")
      .replace(/input_dim: 473/g, "input_dim: 41")
      .replace(/kernel_size: (60|30|20|10)\s+stride: \1/g, (_, k: string) => `kernel_size: ${Number(k) / 10} stride: ${Number(k) / 10}`)
      .replace(/height: 60\s+width: 60/g, "height: 6 width: 6"),
    phase: "TEST",
    inputs: { data: { shape: [1, 3, 41, 41], fill: { seed: 28 } } },
  },
  {
    // The same in TRAIN: PSPNet's BN with batch statistics (batch 2: the pyramid's 1×1 maps need two
    // values per channel), which the corpus run leaves out at 473×473 (corpus-census.ts says why).
    id: "pspnet-train",
    text: corpus("hszhao-PSPNet__pspnet50_ADE20K_473.prototxt")
      .replace(/input_dim: 1\b/, "input_dim: 2")
      .replace(/input_dim: 473/g, "input_dim: 41")
      .replace(/kernel_size: (60|30|20|10)\s+stride: \1/g, (_, k: string) => `kernel_size: ${Number(k) / 10} stride: ${Number(k) / 10}`)
      .replace(/height: 60\s+width: 60/g, "height: 6 width: 6"),
    phase: "TRAIN",
    inputs: { data: { shape: [2, 3, 41, 41], fill: { seed: 29 } } },
    // Its in-place Dropout draws Caffe's random numbers in TRAIN, which no executor reproduces.
    exclude: ["conv5_4/dropout"],
  },
  {
    // SegNet's own layer stack (BN in LEARN mode, MAX pooling masks, Upsample) at 40×56 instead of
    // 360×480: the two Upsample sizes written for 360×480 (23×30, 45×60) are set to this input's (3×4, 5×7).
    id: "segnet",
    text: corpus("alexgkendall-SegNet-Tutorial__segnet_train.prototxt")
      .replace(/upsample_w: 30\s+upsample_h: 23/, "upsample_w: 4 upsample_h: 3")
      .replace(/upsample_w: 60\s+upsample_h: 45/, "upsample_w: 7 upsample_h: 5"),
    phase: "TEST",
    inputs: { data: { shape: [1, 3, 40, 56], fill: { seed: 26 } }, label: { shape: [1, 1, 40, 56], fill: { seed: 27, lo: 0, hi: 11, int: true } } },
    // The loss and accuracy of the training net are not fork layers.
    exclude: ["loss", "accuracy"],
  },
  {
    id: "mobilenet-ssd",
    text: corpus("chuanqi305-MobileNet-SSD__voc_MobileNetSSD_train.prototxt") + SSD_TEST_TAIL,
    phase: "TEST",
    inputs: { data: { shape: [1, 3, 160, 160], fill: { seed: 25 } } },
  },
  {
    id: "caffe-ocr",
    text: corpus("senlinuc-caffe_ocr__inception-bn_train_val.prototxt"),
    phase: "TEST",
    inputs: { data: { shape: [2, 3, 32, 160], fill: { seed: 23 } }, label: { shape: [2, 10], fill: { seed: 24, lo: 0, hi: 50, int: true } } },
  },
];
