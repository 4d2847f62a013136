/**
 * The cases of fork-layers-torch.test.ts: small nets of fork layers with their inputs, the tops
 * worked out by hand from each fork's definition (the reasoning beside each), and the layers
 * compared with the forks' loops in fork_references.py.
 */

export type Nested = number | Nested[];
export interface Case {
  name: string;
  net: string;
  inputs: Record<string, Nested | { random: number[]; seed?: number; int?: number } | { rois: number[]; seed?: number }>;
  state?: Record<string, Nested>;
  hand?: Record<string, Nested>;
  reference?: Record<string, { kind: string; bottoms: string[]; params?: Record<string, unknown> }>;
  tops?: Record<string, string>;
}
const dims = (d: readonly number[]): string => d.map((x) => `dim: ${x}`).join(" ");
const input = (name: string, d: readonly number[]): string => `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${dims(d)} } } }`;
const layer = (name: string, type: string, bottoms: string[], body = ""): string =>
  `layer { name: "${name}" type: "${type}" ${bottoms.map((b) => `bottom: "${b}"`).join(" ")} top: "${name}" ${body} }`;
const build = (d: readonly number[], f: (...i: number[]) => number, at: number[] = []): Nested =>
  d.length === 0 ? f(...at) : Array.from({ length: d[0]! }, (_, i) => build(d.slice(1), f, [...at, i]));

/** Deterministic values in [-1, 1) (mulberry32), for weights the checker loads. */
function values(seed: number, d: readonly number[]): Nested {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
  return build(d, () => next());
}

const S2 = Math.SQRT2;
/** Three priors (A, B overlapping A at IoU 0.82, C apart) with SSD's variances, as PriorBox lays them out. */
const PRIORS = [[[0.1, 0.1, 0.3, 0.3, 0.12, 0.1, 0.32, 0.3, 0.6, 0.6, 0.9, 0.9], Array<number[]>(3).fill([0.1, 0.1, 0.2, 0.2]).flat()]];
const DET = 'detection_output_param { num_classes: 3 code_type: CENTER_SIZE nms_param { nms_threshold: 0.45 } confidence_threshold: 0.2';
const box = (i: number): number[] => PRIORS[0]![0]!.slice(i * 4, i * 4 + 4);

export const CASES: Case[] = [
  {
    name: "ssd-permute-normalize",
    net: [
      input("data", [2, 3, 4, 5]),
      input("small", [1, 2, 1, 2]),
      layer("perm", "Permute", ["data"], "permute_param { order: 0 order: 2 order: 3 order: 1 }"),
      layer("perm_rest", "Permute", ["data"], "permute_param { order: 2 }"),
      layer("norm_all", "Normalize", ["data"], ""),
      layer("norm_pos", "Normalize", ["data"], "norm_param { across_spatial: false channel_shared: false eps: 0.5 }"),
      layer("hand_pos", "Normalize", ["small"], "norm_param { across_spatial: false channel_shared: false }"),
      layer("hand_all", "Normalize", ["small"], "norm_param { across_spatial: true channel_shared: true }"),
    ].join("\n"),
    inputs: { data: { random: [2, 3, 4, 5], seed: 1 }, small: [[[[3, 0]], [[4, 5]]]] },
    state: { "norm_all.weight": 1.5, "norm_pos.weight": [2, -1, 0.5], "hand_pos.weight": [2, 10], "hand_all.weight": 2 },
    hand: {
      // Per position over the channels: (3, 4) / 5 and (0, 5) / 5, times the channel scales 2 and 10.
      hand_pos: [[[[1.2, 0]], [[8, 10]]]],
      // Over the whole item: sum of squares 50, times the shared scale 2.
      hand_all: [[[[6 / Math.sqrt(50), 0]], [[8 / Math.sqrt(50), 10 / Math.sqrt(50)]]]],
    },
    reference: {
      perm: { kind: "permute", bottoms: ["data"], params: { order: [0, 2, 3, 1] } },
      perm_rest: { kind: "permute", bottoms: ["data"], params: { order: [2, 0, 1, 3] } },
      norm_all: { kind: "normalize", bottoms: ["data"], params: { attr: "norm_all" } },
      norm_pos: { kind: "normalize", bottoms: ["data"], params: { attr: "norm_pos", across_spatial: false, channel_shared: false, eps: 0.5 } },
    },
  },
  {
    name: "ssd-prior-box",
    net: [
      input("cell", [1, 1, 1, 1]),
      input("img4", [1, 3, 4, 4]),
      input("feat", [1, 8, 3, 5]),
      input("image", [1, 3, 29, 41]),
      layer("one_cell", "PriorBox", ["cell", "img4"], "prior_box_param { min_size: 4 max_size: 9 aspect_ratio: 2 variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 }"),
      // min_size 4.9 and max_size 9.9 are truncated to 4 and 9 (`int min_size_ = min_sizes_[s]`).
      layer("truncated", "PriorBox", ["cell", "img4"], "prior_box_param { min_size: 4.9 max_size: 9.9 aspect_ratio: 2 variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 }"),
      layer("ratios", "PriorBox", ["feat", "image"], "prior_box_param { min_size: 5 min_size: 11 max_size: 8 max_size: 17 aspect_ratio: 2 aspect_ratio: 0.5 aspect_ratio: 3 aspect_ratio: 1 clip: true variance: 0.2 }"),
      layer("fixed", "PriorBox", ["feat"], "prior_box_param { min_size: 7 aspect_ratio: 1.5 flip: false img_size: 20 step: 7.5 offset: 0.25 }"),
      layer("steps", "PriorBox", ["feat", "image"], "prior_box_param { min_size: 3 aspect_ratio: 2 img_h: 30 img_w: 44 step_h: 9 step_w: 8.5 }"),
    ].join("\n"),
    inputs: { cell: { random: [1, 1, 1, 1] }, img4: { random: [1, 3, 4, 4] }, feat: { random: [1, 8, 3, 5] }, image: { random: [1, 3, 29, 41] } },
    hand: {
      // One cell of a 4x4 image: centre (2, 2); boxes 4x4, 6x6 (sqrt(4·9)), 4√2 x 2√2 (ratio 2), 2√2 x 4√2 (its flip).
      one_cell: [[
        [0, 0, 1, 1, -0.25, -0.25, 1.25, 1.25, (2 - 2 * S2) / 4, (2 - S2) / 4, (2 + 2 * S2) / 4, (2 + S2) / 4, (2 - S2) / 4, (2 - 2 * S2) / 4, (2 + S2) / 4, (2 + 2 * S2) / 4],
        [0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2],
      ]],
      truncated: [[
        [0, 0, 1, 1, -0.25, -0.25, 1.25, 1.25, (2 - 2 * S2) / 4, (2 - S2) / 4, (2 + 2 * S2) / 4, (2 + S2) / 4, (2 - S2) / 4, (2 - 2 * S2) / 4, (2 + S2) / 4, (2 + 2 * S2) / 4],
        [0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2],
      ]],
    },
    reference: {
      ratios: { kind: "prior_box", bottoms: ["feat", "image"], params: { min_size: [5, 11], max_size: [8, 17], aspect_ratio: [2, 0.5, 3, 1], clip: true, variance: [0.2] } },
      fixed: { kind: "prior_box", bottoms: ["feat"], params: { min_size: [7], aspect_ratio: [1.5], flip: false, img_size: [20, 20], step: [7.5, 7.5], offset: 0.25 } },
      steps: { kind: "prior_box", bottoms: ["feat", "image"], params: { min_size: [3], aspect_ratio: [2], img_size: [30, 44], step: [9, 8.5] } },
    },
  },
  {
    name: "ssd-detection-output",
    net: [
      input("loc", [1, 12]),
      input("conf", [1, 9]),
      input("tied", [1, 9]),
      input("prior", [1, 2, 12]),
      input("loc1", [1, 4]),
      input("conf1", [1, 2]),
      input("prior1", [1, 2, 4]),
      layer("det", "DetectionOutput", ["loc", "conf", "prior"], `${DET} }`),
      layer("det_top2", "DetectionOutput", ["loc", "conf", "prior"], `${DET} keep_top_k: 2 }`),
      layer("det_none", "DetectionOutput", ["loc", "conf", "prior"], `${DET.replace("0.2", "0.95")} }`),
      layer("det_tie", "DetectionOutput", ["loc", "tied", "prior"], `${DET} }`),
      layer("decode_center", "DetectionOutput", ["loc1", "conf1", "prior1"], "detection_output_param { num_classes: 2 code_type: CENTER_SIZE }"),
      layer("decode_corner", "DetectionOutput", ["loc1", "conf1", "prior1"], "detection_output_param { num_classes: 2 }"),
    ].join("\n"),
    inputs: {
      loc: [Array<number>(12).fill(0)],
      // Per prior (background, class 1, class 2): A (0.05, 0.9, 0.05), B (0.15, 0.8, 0.05), C (0, 0.3, 0.7).
      conf: [[0.05, 0.9, 0.05, 0.15, 0.8, 0.05, 0, 0.3, 0.7]],
      // Class 1 scores all 0.5: Caffe's stable sort keeps A, B, C, so A suppresses B and C stays.
      tied: [[0, 0.5, 0, 0, 0.5, 0, 0, 0.5, 0]],
      prior: PRIORS,
      loc1: [[1, -1, 5 * Math.LN2, 0]],
      conf1: [[0, 1]],
      prior1: [[[0.2, 0.2, 0.6, 0.4], [0.1, 0.1, 0.2, 0.2]]],
    },
    hand: {
      // Class 1: A, then C (B overlaps A above 0.45); class 2: C only (A and B score under 0.2).
      det: [[[[0, 1, 0.9, ...box(0)], [0, 1, 0.3, ...box(2)], [0, 2, 0.7, ...box(2)]]]],
      // keep_top_k 2 keeps the scores 0.9 and 0.7, then lists them by label.
      det_top2: [[[[0, 1, 0.9, ...box(0)], [0, 2, 0.7, ...box(2)]]]],
      // Nothing above 0.95: one row (image 0, then -1s).
      det_none: [[[[0, -1, -1, -1, -1, -1, -1]]]],
      det_tie: [[[[0, 1, 0.5, ...box(0)], [0, 1, 0.5, ...box(2)]]]],
      // Centre (0.4, 0.3) + (0.1·1·0.4, 0.1·−1·0.2); size (0.4·e^(0.2·5 ln 2), 0.2·e^0) = (0.8, 0.2).
      decode_center: [[[[0, 1, 1, 0.04, 0.18, 0.84, 0.38]]]],
      // Corners + variance · loc: (0.2 + 0.1, 0.2 − 0.1, 0.6 + 0.2·5 ln 2, 0.4 + 0).
      decode_corner: [[[[0, 1, 1, 0.3, 0.1, 0.6 + Math.LN2, 0.4]]]],
    },
  },
  {
    name: "ssd-detection-output-random",
    net: [
      input("feat", [2, 4, 3, 4]),
      input("image", [2, 3, 30, 40]),
      input("loc", [2, 192]),
      input("conf", [2, 144]),
      input("loc3", [2, 576]),
      layer("pb", "PriorBox", ["feat", "image"], "prior_box_param { min_size: 9 max_size: 20 aspect_ratio: 2 variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 }"),
      layer("det", "DetectionOutput", ["loc", "conf", "pb"], "detection_output_param { num_classes: 3 code_type: CENTER_SIZE confidence_threshold: 0.3 keep_top_k: 15 nms_param { nms_threshold: 0.7 eta: 0.9 top_k: 20 } }"),
      layer("det_corner", "DetectionOutput", ["loc3", "conf", "pb"], "detection_output_param { num_classes: 3 share_location: false background_label_id: -1 code_type: CORNER_SIZE variance_encoded_in_target: true confidence_threshold: 0.5 nms_param { nms_threshold: 0.3 } }"),
    ].join("\n"),
    inputs: {
      feat: { random: [2, 4, 3, 4] },
      image: { random: [2, 3, 30, 40] },
      loc: { random: [2, 192], seed: 2 },
      conf: { random: [2, 144], seed: 3, int: 10 },
      loc3: { random: [2, 576], seed: 4 },
    },
    tops: { pb: "pb" },
    reference: {
      det: { kind: "detection_output", bottoms: ["loc", "conf", "pb"], params: { num_classes: 3, code_type: "CENTER_SIZE", confidence_threshold: 0.3, keep_top_k: 15, nms_threshold: 0.7, eta: 0.9, top_k: 20 } },
      det_corner: {
        kind: "detection_output",
        bottoms: ["loc3", "conf", "pb"],
        params: { num_classes: 3, share_location: false, background_label_id: -1, code_type: "CORNER_SIZE", variance_encoded_in_target: true, confidence_threshold: 0.5, nms_threshold: 0.3 },
      },
    },
  },
  {
    name: "roi-pooling",
    net: [
      input("feat", [2, 2, 4, 5]),
      input("rois", [3, 5]),
      input("big", [2, 3, 9, 11]),
      input("many", [6, 5]),
      layer("pool", "ROIPooling", ["feat", "rois"], "roi_pooling_param { pooled_h: 2 pooled_w: 2 spatial_scale: 0.5 }"),
      layer("pool_big", "ROIPooling", ["big", "many"], "roi_pooling_param { pooled_h: 3 pooled_w: 2 spatial_scale: 0.0625 }"),
      layer("pool_odd", "ROIPooling", ["big", "many"], "roi_pooling_param { pooled_h: 4 pooled_w: 7 spatial_scale: 0.1 }"),
    ].join("\n"),
    inputs: {
      // Image 0: channel 0 = 5h + w, channel 1 = −(5h + w); image 1 the same plus 100.
      feat: build([2, 2, 4, 5], (b, c, h, w) => (c === 0 ? 1 : -1) * (100 * b + 5 * h + w)),
      rois: [[0, 1, 1, 6, 4], [0, 8, 6, 20, 20], [1, 2.5, 0.4, 4.49, 3]],
      big: { random: [2, 3, 9, 11], seed: 5 },
      many: { rois: [6, 2, 150, 180], seed: 6 },
    },
    hand: {
      pool: [
        // (0.5, 0.5, 3, 2) rounds half away from zero to (1, 1, 3, 2): bins w [1,3) [2,4), h [1,2) [2,3).
        [[[7, 8], [12, 13]], [[-6, -7], [-11, -12]]],
        // (4, 3, 10, 10): only the first bin meets the 4x5 map, at (3, 4); the empty bins are 0.
        [[[19, 0], [0, 0]], [[-19, 0], [0, 0]]],
        // Image 1, (1.25, 0.2, 2.245, 1.5) → (1, 0, 2, 2): bins w [1,2) [2,3), h [0,2) [1,3).
        [[[106, 107], [111, 112]], [[-101, -102], [-106, -107]]],
      ],
    },
    reference: {
      pool_big: { kind: "roi_pool", bottoms: ["big", "many"], params: { pooled_h: 3, pooled_w: 2, spatial_scale: 0.0625 } },
      pool_odd: { kind: "roi_pool", bottoms: ["big", "many"], params: { pooled_h: 4, pooled_w: 7, spatial_scale: 0.1 } },
    },
  },
  {
    name: "psroi-pooling",
    net: [
      input("feat", [1, 4, 4, 4]),
      input("rois", [2, 5]),
      input("big", [2, 18, 7, 9]),
      input("many", [5, 5]),
      layer("ps", "PSROIPooling", ["feat", "rois"], "psroi_pooling_param { spatial_scale: 0.5 output_dim: 1 group_size: 2 }"),
      layer("ps_big", "PSROIPooling", ["big", "many"], "psroi_pooling_param { spatial_scale: 0.0625 output_dim: 2 group_size: 3 }"),
    ].join("\n"),
    inputs: {
      feat: build([1, 4, 4, 4], (_, k, h, w) => 100 * k + 4 * h + w),
      rois: [[0, 1.4, 2.6, 5, 6], [0, 20, 20, 30, 30]],
      big: { random: [2, 18, 7, 9], seed: 7 },
      many: { rois: [5, 2, 112, 144], seed: 8 },
    },
    hand: {
      ps: [
        // Rounded first (1, 3, 5, 6), then scaled: x [0.5, 3), y [1.5, 3.5); bins of 1.25 x 1:
        // w [0,2) [1,3), h [1,3) [2,4); bin (i, j) averages channel 2i + j.
        [[[6.5, 107.5], [210.5, 311.5]]],
        // Outside the map: every bin empty, 0.
        [[[0, 0], [0, 0]]],
      ],
    },
    reference: { ps_big: { kind: "psroi_pool", bottoms: ["big", "many"], params: { output_dim: 2, group_size: 3, spatial_scale: 0.0625 } } },
  },
  {
    name: "ocr-sequence-layers",
    net: [
      input("seq", [3, 2, 4]),
      input("one", [2, 1, 1]),
      layer("rev0", "Reverse", ["seq"], "reverse_param { axis: 0 }"),
      layer("rev2", "Reverse", ["seq"], "reverse_param { axis: 2 }"),
      layer("tr", "Transpose", ["seq"], "transpose_param { dim: 2 dim: 0 dim: 1 }"),
      layer("lstm", "Lstm", ["seq"], "lstm_param { num_output: 3 }"),
      layer("lstm_hand", "Lstm", ["one"], "lstm_param { num_output: 1 }"),
    ].join("\n"),
    inputs: { seq: { random: [3, 2, 4], seed: 9 }, one: [[[1]], [[-1]]] },
    state: {
      "lstm.weight_i": values(11, [12, 4]),
      "lstm.weight_h": values(12, [12, 3]),
      "lstm.bias": values(13, [12]),
      // Gates in the fork's order i, f, o, g.
      "lstm_hand.weight_i": [[1], [2], [3], [4]],
      "lstm_hand.weight_h": [[0.5], [0.5], [0.5], [0.5]],
      "lstm_hand.bias": [0, 0, 0, 0],
    },
    hand: {
      // t0: c = σ(1)·tanh(4), h = σ(3)·tanh(c); t1: pre-activations −1..−4 + 0.5·h0, c = σ(f)·c0 + σ(i)·tanh(g).
      lstm_hand: [[[0.5938469802626662]], [[-0.01348630228547303]]],
    },
    reference: {
      rev0: { kind: "reverse", bottoms: ["seq"], params: { axis: 0 } },
      rev2: { kind: "reverse", bottoms: ["seq"], params: { axis: 2 } },
      tr: { kind: "transpose", bottoms: ["seq"], params: { dim: [2, 0, 1] } },
      lstm: { kind: "lstm", bottoms: ["seq"], params: { attr: "lstm" } },
    },
  },
  {
    name: "ocr-ctc",
    net: [
      input("scores", [6, 2, 4]),
      input("labels", [2, 4]),
      input("noisy", [7, 3, 5]),
      input("one_step", [1, 1, 2]),
      input("one_label", [1, 3]),
      input("pair", [2, 2, 2]),
      input("pair_labels", [2, 2]),
      layer("dec", "CTCGreedyDecoder", ["scores"]),
      layer("dec_nomerge", "CTCGreedyDecoder", ["scores"], "ctc_decoder_param { ctc_merge_repeated: false }"),
      layer("dec_blank_last", "CTCGreedyDecoder", ["scores"], "ctc_decoder_param { blank_index: -1 }"),
      layer("acc", "CTCGreedyDecoder", ["scores", "labels"]),
      layer("dec_noisy", "CTCGreedyDecoder", ["noisy"], "ctc_decoder_param { blank_index: 2 }"),
      layer("loss_one", "WarpCTCLoss", ["one_step", "one_label"]),
      layer("loss_pair", "WarpCTCLoss", ["pair", "pair_labels"]),
    ].join("\n"),
    inputs: {
      // Best classes per step: item 0 (1, 1, 0, 1, 2|3 tied, 2), item 1 (0, 3, 3, 0, 0, 0).
      scores: build([6, 2, 4], (t, n, k) => {
        const best = n === 0 ? [1, 1, 0, 1, 2, 2][t]! : [0, 3, 3, 0, 0, 0][t]!;
        return k === best || (n === 0 && t === 4 && k === 3) ? 1 : 0;
      }),
      // Item 0's leading 0 is the blank (skipped); -1 ends a label sequence.
      labels: [[0, 1, 1, 2], [3, 2, -1, -1]],
      noisy: { random: [7, 3, 5], seed: 10, int: 3 },
      one_step: [[[0, Math.log(3)]]],
      one_label: [[1, 0, 0]],
      pair: Array<number[][]>(2).fill([[0, 0], [0, 0]]),
      pair_labels: [[1, 0], [1, 1]],
    },
    hand: {
      dec: [[[[1]], [[1]], [[2]], [[-1]], [[-1]], [[-1]]], [[[3]], [[-1]], [[-1]], [[-1]], [[-1]], [[-1]]]],
      dec_nomerge: [[[[1]], [[1]], [[1]], [[2]], [[2]], [[-1]]], [[[3]], [[3]], [[-1]], [[-1]], [[-1]], [[-1]]]],
      // Blank 3 (the last class): item 0 keeps its 0s, item 1 is (0, 0).
      dec_blank_last: [[[[1]], [[0]], [[1]], [[2]], [[-1]], [[-1]]], [[[0]], [[0]], [[-1]], [[-1]], [[-1]], [[-1]]]],
      // Edit distances 0 and 1 (of 2): 1 − (0 + 1/2)/2, and one of two exact.
      acc: [[[[0.75]], [[0.5]]]],
      // −log softmax(0, ln 3)[1] = −log 3/4.
      loss_one: -Math.log(0.75),
      // Item 0: paths 11, 01, 10 of 0.5·0.5 each; item 1 (label 1 1 in 2 steps: L + repeats = 3 > T)
      // cannot fit, and warp-ctc's CPU kernel costs it 0 (cpu_ctc.h:199-201), which counts in the mean.
      loss_pair: -Math.log(0.75) / 2,
    },
    reference: { dec_noisy: { kind: "ctc_decode", bottoms: ["noisy"], params: { blank_index: 2 } } },
  },
];
