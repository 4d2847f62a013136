/**
 * What the OCR fork senlinuc/caffe_ocr defines for Reverse, Transpose, Lstm (its own layer, Junhyuk
 * Oh's LSTM, not BVLC's LSTM), CTCGreedyDecoder and WarpCTCLoss: parameters and top shapes.
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import type { ShapeRule } from "../shapes.js";
import { CTC_DECODER_PARAM, CTC_LOSS_PARAM, forkParams, LSTM_PARAM, REVERSE_PARAM, TRANSPOSE_PARAM } from "./fork-params.js";
import type { ForkRefusal } from "./ssd.js";

/** reverse_param.axis; ReverseLayer's constructor and LayerSetUp check 0 ≤ axis < rank (reverse_layer.cpp:8-23). */
export function reverseAxis(layer: NetLayer, rank: number | undefined, sourceMap: SourceMap | undefined): number | ForkRefusal {
  const axis = forkParams(layer, "reverse_param", REVERSE_PARAM, sourceMap).num("axis");
  if (axis < 0 || (rank !== undefined && axis >= rank)) return { refused: "axis-out-of-range", data: { axis } };
  return axis;
}

/**
 * transpose_param.dim: top axis i is bottom axis dim[i] (transpose_layer.cpp:79-86); one dim per
 * bottom axis (its CHECK_EQ). A repeated or out-of-range dim, which the fork does not check and
 * reads garbage with, is refused.
 */
export function transposeDims(layer: NetLayer, rank: number, sourceMap: SourceMap | undefined): number[] | ForkRefusal {
  const dims = transposeWritten(layer, sourceMap);
  if (dims.length !== rank) return { refused: "transpose-dim-count", data: { dims: dims.length, rank } };
  if (dims.some((d) => !Number.isInteger(d) || d < 0 || d >= rank) || new Set(dims).size !== rank) return { refused: "transpose-not-permutation", data: { dims: dims.join(",") } };
  return dims;
}

/** transpose_param.dim as written. */
export const transposeWritten = (layer: NetLayer, sourceMap: SourceMap | undefined): number[] =>
  forkParams(layer, "transpose_param", TRANSPOSE_PARAM, sourceMap).list("dim");

/** lstm_param of the `Lstm` layer (lstm_layer_Junhyuk.cpp:18-72): num_output hidden units. */
export function lstmHidden(layer: NetLayer, sourceMap: SourceMap | undefined): number | ForkRefusal {
  const p = forkParams(layer, "lstm_param", LSTM_PARAM, sourceMap);
  const h = p.num("num_output");
  return h > 0 ? h : { refused: "lstm-num-output", data: { num_output: h } };
}

/** The lstm_param message (for its weight_filler and bias_filler). */
export const lstmParams = (layer: NetLayer, sourceMap: SourceMap | undefined) => forkParams(layer, "lstm_param", LSTM_PARAM, sourceMap);

/** ctc_decoder_param (ctc_decoder_layer.cpp:10-21); a negative blank_index means the last class (:96-98). */
export function readCtcDecoder(layer: NetLayer, sourceMap: SourceMap | undefined): { blankIndex: number; mergeRepeated: boolean } {
  const p = forkParams(layer, "ctc_decoder_param", CTC_DECODER_PARAM, sourceMap);
  return { blankIndex: p.num("blank_index"), mergeRepeated: p.bool("ctc_merge_repeated") };
}

/** ctc_loss_param.blank_index of WarpCTCLoss (warp_ctc_loss_layer.cpp:12-19). */
export const ctcLossBlank = (layer: NetLayer, sourceMap: SourceMap | undefined): number =>
  forkParams(layer, "ctc_loss_param", CTC_LOSS_PARAM, sourceMap).num("blank_index");

/** Reverse keeps its bottom's shape (a NeuronLayer). */
const reverseShape: ShapeRule = ({ layer, inputs }) => layer.tops.map(() => (inputs[0] ? [...inputs[0]] : null));

/** TransposeLayer::Reshape (transpose_layer.cpp:32-42): top axis i has bottom axis dim[i]'s size. */
const transposeShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const input = inputs[0];
  if (!input) return null;
  const dims = transposeDims(layer, input.length, sourceMap);
  if ("refused" in dims) return null;
  return layer.tops.map(() => dims.map((d) => input[d] ?? null));
};

/** LstmLayer::Reshape (lstm_layer_Junhyuk.cpp:75-88): [T, N, num_output] from bottom [T, N, I]. */
const lstmShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const h = lstmHidden(layer, sourceMap);
  if (typeof h !== "number") return null;
  const input = inputs[0];
  return layer.tops.map(() => [input?.[0] ?? null, input?.[1] ?? null, h]);
};

/**
 * CTCDecoderLayer::LayerSetUp/Reshape (ctc_decoder_layer.cpp:57-94): with one bottom the top is the
 * decoded sequences [N, T, 1, 1]; with the labels as a second bottom it is [1, 2, 1, 1] (the
 * accuracies). Bottom 0 is [T, N, C].
 */
const ctcGreedyDecoderShape: ShapeRule = ({ layer, inputs }) => {
  if (layer.bottoms.length === 2 && layer.tops.length === 1) return [[1, 2, 1, 1]];
  const input = inputs[0];
  return [[input?.[1] ?? null, input?.[0] ?? null, 1, 1], ...layer.tops.slice(1).map(() => null)];
};

/** WarpCTCLossLayer::Reshape (warp_ctc_loss_layer.cpp:67-72): a scalar. */
const lossShape: ShapeRule = ({ layer }) => layer.tops.map(() => []);

/** ShapeRules of the caffe_ocr types. */
export const OCR_SHAPE_RULES: readonly [string, ShapeRule][] = [
  ["Reverse", reverseShape],
  ["Transpose", transposeShape],
  ["Lstm", lstmShape],
  ["CTCGreedyDecoder", ctcGreedyDecoderShape],
  ["WarpCTCLoss", lossShape],
];
