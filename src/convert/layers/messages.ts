/**
 * The English text of the layer converters' refusal codes and node notes. Converters return
 * `{refused: code, data}` and `{code, data}` notes only; the CLI's report, `export --json` and
 * the stub modules in model.py take their words from here. A refusal reads as the end of
 * "layer "x" (Type) cannot be exported: …", so it starts in lower case and names the fix when
 * there is one.
 */
import type { NodeNote } from "../torch-graph.js";
import { isNodeNoteCode, nodeNoteMessage } from "./node-notes.js";

/** Values a refusal or a note carries. */
export type LayerMessageData = Readonly<Record<string, string | number | boolean | null | undefined>>;

const fmt = (v: string | number | boolean | null | undefined): string => (v === null || v === undefined ? "?" : String(v));
const q = (v: string | number | boolean | null | undefined): string => `"${fmt(v)}"`;

const REFUSALS: Record<string, (d: LayerMessageData) => string> = {
  "python-layer": (d) =>
    `it is a Caffe Python layer (class ${q(d.layer)} of module ${q(d.module)}): its forward is Python code that caffe2torch cannot translate; port it to a torch module, a stand-in for key "${fmt(d.module)}.${fmt(d.layer)}" of build(stand_ins=...)`,
  "no-converter": (d) => `caffe2torch has no converter for Caffe's ${fmt(d.type)} layer yet`,
  "fork-type": (d) => `${fmt(d.type)} is a layer of ${fmt(d.fork)}, not of BVLC Caffe, and caffe2torch does not convert it`,
  "unknown-type": (d) =>
    d.type === ""
      ? "the layer has no type"
      : `neither BVLC Caffe nor a Caffe fork caffe2torch knows has a layer type ${q(d.type)}` + (d.suggestion ? `; did you mean ${q(d.suggestion)}?` : ""),
  "input-shape-unknown": (d) =>
    d.after
      ? `the shape of its input is unknown because layer ${q(d.after)} before it cannot be exported`
      : "the shape of its input is unknown (a data layer that does not state its size, or a layer before it whose output shape cannot be inferred)",
  "channels-unknown": (d) =>
    d.after
      ? `the number of channels of its input is unknown because layer ${q(d.after)} before it cannot be exported`
      : "the number of channels of its input (axis 1) is unknown (a data layer that does not state its size, or a layer before it whose output shape cannot be inferred)",
  "axis-out-of-range": (d) =>
    d.axis === undefined ? "its axis is outside the input's axes" : `axis ${fmt(d.axis)} is outside the input's ${d.rank === undefined ? "" : `${fmt(d.rank)} `}axes`,
  "num-axes-out-of-range": (d) => `num_axes ${fmt(d.num_axes)} reaches past the input's last axis`,
  "conv-axis": (d) => `axis ${fmt(d.axis)}: PyTorch convolves with the channels on axis 1 only`,
  "conv-rank": (d) => `the input has ${fmt(d.rank)} axes; PyTorch's convolutions take 3 to 5 (1 to 3 spatial axes)`,
  "conv-geometry": () =>
    "kernel_size, stride, pad or dilation does not give one positive size per spatial axis (kernel_size is required; a list has one value, or one per axis; *_h/*_w only for 2-D)",
  "conv-groups": (d) => `group ${fmt(d.groups)} does not divide both the ${fmt(d.in)} input channels and the ${fmt(d.out)} outputs`,
  "pool-method": (d) => `pooling method ${fmt(d.method)} has no PyTorch equivalent (MAX and AVE have)`,
  "pool-rank": (d) => `the input has ${fmt(d.rank)} axes; Caffe's Pooling pools 4-D blobs only`,
  "pool-geometry": () => "a kernel size or stride below 1",
  "pool-pad-above-half": (d) =>
    `pad ${fmt(d.pad)} is more than half the kernel ${fmt(d.kernel)}: PyTorch's pooling refuses that (Caffe accepts up to kernel − 1)`,
  "pool-empty-window": (d) =>
    `Caffe's rounded-up size ${fmt(d.pooled)} (size ${fmt(d.size)}, kernel ${fmt(d.kernel)}, stride ${fmt(d.stride)}, no pad) ends in a window past the input: Caffe keeps it empty (−FLT_MAX, or 0/0 for AVE), PyTorch's ceil_mode drops it (round_mode: FLOOR or a kernel ≥ stride avoids it)`,
  "eltwise-coeff-count": (d) => `${fmt(d.coeffs)} coeff values for ${fmt(d.bottoms)} bottoms (Caffe wants one per bottom)`,
  "eltwise-operation": (d) => `Eltwise operation ${fmt(d.operation)} is not SUM, PROD or MAX`,
  "no-block": () => "no BatchNorm block was made for it (an internal inconsistency: please report it)",
  "fork-batch-norm": (d) => `it is a ${fmt(d.family)} BatchNorm, whose whole-net export is not written yet`,
  "loss-weight-on-fused": () =>
    "it has a loss_weight, but it is folded into a BatchNorm module whose intermediate values forward does not compute",
  "argmax-top-k": (d) => `top_k ${fmt(d.top_k)} is not between 1 and the ${fmt(d.size)} values it ranks (Caffe refuses it too)`,
  "dummy-filler-sparse": (d) => `a gaussian filler with sparse ${fmt(d.sparse)} draws a random sparsity pattern that a constant cannot hold`,
  "dummy-filler": (d) => `DummyData cannot fill with a ${fmt(d.filler)} filler`,
  "dummy-filler-count": (d) => `${fmt(d.fillers)} data_filler values for ${fmt(d.tops)} tops (Caffe wants one, or one per top)`,
  "shape-unknown": (d) => `the shape of top ${fmt(d.top)} is not fully given by the prototxt`,
  "embed-size": (d) => `input_dim ${fmt(d.input_dim)} and num_output ${fmt(d.num_output)} must both be at least 1`,
  "top-count": (d) => `it has ${fmt(d.tops)} tops; this layer type has 1 to ${fmt(d.max)}`,
  "infogain-normalize": () => "InfogainLoss refuses the legacy normalize field (Caffe aborts); use loss_param { normalization }",
  "infogain-no-matrix": () => "InfogainLoss has neither a third bottom nor an infogain_loss_param source for its matrix H",
  "rank-not-4": (d) => `the input has ${fmt(d.rank)} axes; this layer works on 4-D blobs only`,
  "lrn-even-size": (d) => `local_size ${fmt(d.local_size)} is even; Caffe's LRN needs an odd window`,
  "parameter-shape": (d) => `the parameter shape ${fmt(d.shape)} has a negative or fractional dimension`,
  "reduction-operation": (d) => `Reduction operation ${fmt(d.operation)} is not SUM, ASUM, SUMSQ or MEAN`,
  "reshape-two-inferred": () => "the shape has more than one -1 (Caffe infers at most one dimension)",
  "reshape-negative-dim": (d) => `the shape ${fmt(d.dims)} has a dimension below -1`,
  "reshape-copy-beyond-rank": () => "a 0 (copy this dimension) points past the input's last axis",
  "flatten-end-before-start": (d) => `end_axis ${fmt(d.end_axis)} comes before axis ${fmt(d.axis)}`,
  "slice-axis-and-dim": () => "both axis and the legacy slice_dim are written (Caffe refuses that)",
  "slice-point-count": (d) => `${fmt(d.points)} slice points for ${fmt(d.tops)} tops (Caffe wants one fewer than the tops)`,
  "slice-uneven": (d) => `an axis of ${fmt(d.size)} cannot be split evenly into ${fmt(d.tops)} tops`,
  "slice-points": (d) => `slice points ${fmt(d.points)} are not increasing within the axis of ${fmt(d.size)}`,
  "crop-bottoms": (d) => `Crop takes 2 bottoms (the blob and the reference for the size); it has ${fmt(d.bottoms)}`,
  "crop-offset-count": (d) => `${fmt(d.offsets)} offsets for ${fmt(d.axes)} cropped axes (Caffe wants one, or one per axis)`,
  "crop-out-of-bounds": (d) => `on axis ${fmt(d.axis)}, offset ${fmt(d.offset)} + size ${fmt(d.size)} reaches past the input's ${fmt(d.input)}`,
  "tile-count": (d) => `tiles ${fmt(d.tiles)} is missing or below 1`,
  "lstm-continuation-input": (d) => `it has ${fmt(d.bottoms)} bottoms; the sequence-continuation input is not supported, only the one-bottom form`,
  "lstm-rank": (d) => `the input has ${fmt(d.rank)} axes; the OCR fork's Lstm takes [T, N, features]`,
  "ctc-decoder-blobs": (d) => `${fmt(d.bottoms)} bottoms and ${fmt(d.tops)} tops; the decoder takes 1 or 2 bottoms and 1 top`,
  "warp-ctc-loss-form": (d) => `it has ${fmt(d.bottoms)} bottoms; only the two-bottom form (scores, labels) is supported`,
  "psroi-pooling-channels": (d) => `the input has ${fmt(d.channels)} channels; output_dim · group_size² is ${fmt(d.expected)}`,
  "bottom-count": (d) => `it has ${fmt(d.bottoms)} bottoms; DetectionOutput takes 3 or 4 (locations, confidences, priors[, arm])`,
  "normalize-rank": (d) => `the input has ${fmt(d.rank)} axes; Normalize takes 2 to 4`,
  "prior-box-no-image": () => "neither img_size/img_h/img_w nor a second bottom (the image) gives the image size",
  "shuffle-group": (d) => `group ${fmt(d.group)} does not divide the ${fmt(d.channels)} channels`,
  "axpy-bottoms": (d) => `Axpy takes 3 bottoms (a, x, y); it has ${fmt(d.bottoms)}`,
  "axpy-scale-shape": (d) => `the scale a has shape ${fmt(d.scale)}, which does not scale x (${fmt(d.x)}) per channel`,
  "fork-batch-norm-unrecognised": (d) => `its bn_param matches none of the forks caffe2torch knows (${fmt(d.reason)})`,
  "bn-extra-tops": (d) => `it has ${fmt(d.tops)} tops; the extra batch mean and variance tops are not supported`,
  "pool-mask-not-max": (d) => `a ${fmt(d.method)} pooling with a mask top: only MAX pooling gives a mask`,
  "upsample-bottoms": (d) => `Upsample takes 2 bottoms (the values and the pooling mask); it has ${fmt(d.bottoms)}`,
  "upsample-params": () => "upsample_param gives neither upsample_h/upsample_w nor scale",
  "multibox-loss-bottoms": (d) => `it has ${fmt(d.bottoms)} bottoms; MultiBoxLoss takes 4 (locations, confidences, priors, ground truth)`,
  "multibox-loss-classes": (d) => `num_classes is ${fmt(d.num_classes)}; SSD's MultiBoxLoss needs num_classes of at least 1`,
  "multibox-loss-background": (d) => `background_label_id ${fmt(d.background_label_id)} is not one of the ${fmt(d.num_classes)} classes, which the SOFTMAX confidence loss needs`,
  "multibox-loss-options": (d) => `caffe2torch does not reproduce these MultiBoxLoss options yet: ${fmt(d.options)}`,
  "smooth-l1-bottoms": (d) => `it has ${fmt(d.bottoms)} bottoms; the fork's layer takes the prediction and the targets, and its weights (SmoothL1Loss: inside and outside; SmoothL1LossOHEM: one)`,
};

const NOTES: Record<string, (d: LayerMessageData) => string> = {
  stub: (d) => `a stub that raises NotImplementedError: ${refusalMessage(fmt(d.reason), d)}`,
};

/** The words of a refusal code (the code itself for one not in the catalogue). */
export function refusalMessage(code: string, data: LayerMessageData = {}): string {
  const render = Object.hasOwn(REFUSALS, code) ? REFUSALS[code] : undefined;
  return render ? render(data) : code;
}

/** Whether `code` is in the refusal catalogue. */
export function isRefusalCode(code: string): boolean {
  return Object.hasOwn(REFUSALS, code);
}

/** The words of a node note: this catalogue's, then the training notes' (node-notes.ts); else the code. */
export function layerNoteMessage(code: string, data: LayerMessageData = {}): string {
  const render = Object.hasOwn(NOTES, code) ? NOTES[code] : undefined;
  if (render) return render(data);
  return isNodeNoteCode(code) ? nodeNoteMessage({ code, data: data as NodeNote["data"] }) : code;
}

/** Whether `code` is in a node-note catalogue. */
export function isLayerNoteCode(code: string): boolean {
  return Object.hasOwn(NOTES, code) || isNodeNoteCode(code);
}
