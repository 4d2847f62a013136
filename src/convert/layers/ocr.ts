import { ctcLossBlank, lstmHidden, lstmParams, readCtcDecoder, reverseAxis, transposeDims, transposeWritten } from "../../caffe/layers/ocr.js";
import { isForkRefusal } from "../../caffe/layers/ssd.js";
import type { PyValue } from "../torch-graph.js";
import { bindBlob, forkFillerOf, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** Reverse (senlinuc/caffe_ocr reverse_layer.cpp:25-46): the bottom flipped along `axis`. */
function reverse(ctx: LayerContext): LayerConversion | LayerRefusal {
  const axis = reverseAxis(ctx.layer, ctx.inputs[0]?.length, ctx.sourceMap);
  if (isForkRefusal(axis)) return axis;
  return { module: null, call: { kind: "expr", expr: `torch.flip({0}, [${axis}])` } };
}

/**
 * Transpose (transpose_layer.cpp:5-21, 79-95): top axis i is bottom axis dim[i], `.permute(dim)`.
 * Without the bottom's rank, the dims written give it (TransposeLayer requires them equal).
 */
function transpose(ctx: LayerContext): LayerConversion | LayerRefusal {
  const rank = ctx.inputs[0]?.length ?? transposeWritten(ctx.layer, ctx.sourceMap).length;
  const dims = transposeDims(ctx.layer, rank, ctx.sourceMap);
  if (isForkRefusal(dims)) return dims;
  return { module: null, call: { kind: "expr", expr: `{0}.permute(${dims.join(", ")})` } };
}

/**
 * Lstm (lstm_layer_Junhyuk.cpp:18-72, .cu:124-184) → the `Lstm` helper with the fork's blobs as
 * they are: input weights [4H, I] and recurrent weights [4H, H] (both weight_filler), one bias
 * [4H] (bias_filler). A second bottom (sequence continuation markers, with the state carried
 * over from the previous forward) is refused.
 */
function lstm(ctx: LayerContext): LayerConversion | LayerRefusal {
  if (ctx.layer.bottoms.length !== 1) return { refused: "lstm-continuation-input", data: { bottoms: ctx.layer.bottoms.length } };
  const hidden = lstmHidden(ctx.layer, ctx.sourceMap);
  if (isForkRefusal(hidden)) return hidden;
  const input = ctx.inputs[0];
  if (input && input.length !== 3) return { refused: "lstm-rank", data: { rank: input.length } };
  const size = input?.[2] ?? null;
  if (size === null) return { refused: "input-shape-unknown" };
  const p = lstmParams(ctx.layer, ctx.sourceMap);
  const weights = forkFillerOf(p.msg("weight_filler", { defaults: {} }).view());
  const bias = forkFillerOf(p.msg("bias_filler", { defaults: {} }).view());
  return {
    module: { cls: "Lstm", args: [size, hidden], kwargs: {} },
    call: { kind: "module" },
    helpers: ["Lstm"],
    params: [
      bindBlob(ctx, 0, { key: keyOf(ctx.attr, "weight_i"), shape: [4 * hidden, size], filler: weights }),
      bindBlob(ctx, 1, { key: keyOf(ctx.attr, "weight_h"), shape: [4 * hidden, hidden], filler: weights }),
      bindBlob(ctx, 2, { key: keyOf(ctx.attr, "bias"), shape: [4 * hidden], filler: bias }),
    ],
  };
}

/**
 * CTCGreedyDecoder (ctc_decoder_layer.cpp:57-67): one bottom and one top give the decoded
 * sequences; the labels as second bottom give the accuracies. Other arrangements are the fork's
 * disabled code path (`#if 0`), refused.
 */
function ctcGreedyDecoder(ctx: LayerContext): LayerConversion | LayerRefusal {
  const [b, t] = [ctx.layer.bottoms.length, ctx.layer.tops.length];
  if (t !== 1 || (b !== 1 && b !== 2)) return { refused: "ctc-decoder-blobs", data: { bottoms: b, tops: t } };
  const p = readCtcDecoder(ctx.layer, ctx.sourceMap);
  const kwargs: Record<string, PyValue> = {};
  if (p.blankIndex !== 0) kwargs["blank_index"] = p.blankIndex;
  if (!p.mergeRepeated) kwargs["merge_repeated"] = false;
  return { module: { cls: "CTCGreedyDecoder", args: [], kwargs }, call: { kind: "module" }, helpers: ["CTCGreedyDecoder"] };
}

/**
 * WarpCTCLoss with (activations, labels) (warp_ctc_loss_layer.cpp:84-103, 172-183); the forms with
 * sequence indicators or explicit lengths are refused. A loss: loss_weight 1 unless written.
 */
function warpCtcLoss(ctx: LayerContext): LayerConversion | LayerRefusal {
  if (ctx.layer.bottoms.length !== 2) return { refused: "warp-ctc-loss-form", data: { bottoms: ctx.layer.bottoms.length } };
  const blank = ctcLossBlank(ctx.layer, ctx.sourceMap);
  const written = ctx.layer.param.loss_weight ?? [];
  return {
    module: { cls: "WarpCTCLoss", args: [], kwargs: blank !== 0 ? { blank_index: blank } : {} },
    call: { kind: "module" },
    helpers: ["WarpCTCLoss"],
    lossWeights: ctx.layer.tops.map((_, i) => written[i] ?? (i === 0 ? 1 : 0)),
  };
}

/** The caffe_ocr fork's layers. */
export const ocrConverter: LayerConverter = {
  types: ["Reverse", "Transpose", "Lstm", "CTCGreedyDecoder", "WarpCTCLoss"],
  convert(ctx) {
    switch (ctx.layer.type) {
      case "Reverse":
        return reverse(ctx);
      case "Transpose":
        return transpose(ctx);
      case "Lstm":
        return lstm(ctx);
      case "CTCGreedyDecoder":
        return ctcGreedyDecoder(ctx);
      default:
        return warpCtcLoss(ctx);
    }
  },
};
