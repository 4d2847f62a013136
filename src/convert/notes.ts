/**
 * The English text of every block note and of the diagnostics the net model and the converters
 * emit. The core only produces codes and data; this module is the one place that words them
 * (the JSON contract carries a `message` beside each note code).
 */

/** Values a note or diagnostic carries. */
export type NoteData = Record<string, string | number | boolean | null>;

const fmt = (v: string | number | boolean | null | undefined): string => (v === null || v === undefined ? "?" : String(v));

const NOTES: Record<string, (d: NoteData) => string> = {
  // Mode (use_global_stats × phase).
  "mode-frozen": () =>
    "use_global_stats is true while training: Caffe normalises with its stored statistics and never updates them. Keep this module in eval() while training (set_training does); its weight and bias still train if requires_grad.",
  "mode-batch-stats": () =>
    "use_global_stats is false at test time: Caffe normalises every test batch with that batch's own statistics (and keeps adding them to its stored sums). PyTorch: track_running_stats=False, so eval() also uses batch statistics.",
  // Affine part.
  "no-scale": (d) => `No Scale layer is fused with this BatchNorm (${fmt(d.reason)}): affine=False, as Caffe's BatchNorm has no gamma or beta of its own.`,
  "scale-without-bias": (d) =>
    `The Scale ${fmt(d.scale)} has no bias_term and no Bias layer follows: affine=True with the bias fixed at 0 (initialise it to 0 and keep requires_grad=False).`,
  "bias-layer": (d) => `beta comes from the separate Bias layer ${fmt(d.bias)} after the Scale.`,
  "affine-frozen": () => "gamma and beta have lr_mult 0 in Caffe: they are not trained (requires_grad=False).",
  "affine-partly-frozen": (d) => `Only ${fmt(d.frozen)} has lr_mult 0 in Caffe: that one is not trained (requires_grad=False).`,
  // The BatchNorm's own param blocks.
  "stats-lr-mult": (d) =>
    `param[${fmt(d.index)}] of the BatchNorm has ${d.lr_mult === null ? "no lr_mult (meaning 1)" : `lr_mult ${fmt(d.lr_mult)}`}: Caffe refuses this net ("Cannot configure batch normalization statistics as layer parameters"). Its statistics are buffers in PyTorch and never learned.`,
  "too-many-params": (d) =>
    `The layer declares ${fmt(d.count)} param blocks but has ${fmt(d.blobs)} blobs: Caffe refuses it ("Too many params specified for layer").`,
  // Momentum and exactness.
  "momentum-cumulative": () =>
    "moving_average_fraction is 1: Caffe's statistics are the plain average of every batch so far. momentum=None (cumulative average) reproduces them exactly; num_batches_tracked equals Caffe's scale factor.",
  "momentum-last-batch": () =>
    "moving_average_fraction is 0: Caffe's statistics are those of the last batch. momentum=1 reproduces them exactly.",
  "momentum-not-exact": (d) =>
    `momentum = 1 − ${fmt(d.fraction)} = ${fmt(d.momentum)}, but the running statistics differ early on: Caffe divides its sums by a scale factor s (s ← ${fmt(d.fraction)}·s + 1), so its estimate is bias-corrected from the first step, while PyTorch's running value after k steps is (1 − ${fmt(d.fraction)}^k)·Caffe + ${fmt(d.fraction)}^k·initial (initial mean 0, variance 1). The initial value's weight falls below 1e-3 only after k = ${fmt(d.steps)} steps. Load Caffe's statistics (sums divided by s) to convert a trained model; use --exact to reproduce Caffe's updates.`,
  "exact-emulation": (d) =>
    `--exact: the module keeps Caffe's scale factor s (s ← ${fmt(d.fraction)}·s + 1 per training step) and updates with momentum 1/s, which reproduces Caffe's running statistics from the first step.`,
  "fraction-out-of-range": (d) =>
    `moving_average_fraction ${fmt(d.fraction)} is outside [0, 1]: the running statistics diverge; no PyTorch momentum is equivalent.`,
  // Shapes.
  "rank-unknown": () =>
    "The input's rank could not be inferred (the net's input has no declared shape, or a layer without a shape rule sits upstream with no Convolution or InnerProduct after it): module and num_features are unknown. --input-shape [BLOB=]DIMS for that input or that layer's top resolves them; weights give the channels.",
  "rank-unsupported": (d) => `The input has ${fmt(d.rank)} axes; PyTorch's BatchNorm1d/2d/3d take 2 to 5.`,
  "channels-unknown": () => "The number of channels (axis 1 of the input) could not be inferred: num_features is unknown.",
  // Forks.
  "fork-nvcaffe": () =>
    "NVIDIA Caffe BatchNorm with scale_bias: gamma and beta are blobs 3 and 4 of the BatchNorm itself (NVCaffe forces their lr_mult to 1); mean and variance are blobs 0 and 1, stored as they are (blob 2 is not a factor to divide by); eps is raised to at least 1e-5. Semantics of NVCaffe 0.17's BatchNormLayer.",
  "fork-nvcaffe-phase": () => "NVCaffe picks the statistics by phase (stored ones in TEST, batch ones in TRAIN) and ignores use_global_stats.",
  "fork-nvcaffe-running": () =>
    "NVCaffe's first two training steps copy the batch statistics, then average with momentum 1 − moving_average_fraction, and it stores the biased variance plus eps: its running statistics differ from PyTorch's.",
  "fork-nvcaffe-lr-mult": (d) => `param[${fmt(d.index)}] asks for lr_mult ${fmt(d.lr_mult)}, but NVCaffe forces gamma's and beta's lr_mult to 1.`,
  "fork-segnet-learn": () =>
    "SegNet/ENet BN in LEARN mode: it normalises with the statistics of the current batch in every phase, keeps no running statistics, and adds a fixed eps of 1e-9; gamma and beta are its blobs 0 and 1. PyTorch: track_running_stats=False (momentum is irrelevant).",
  "fork-segnet-inference": () =>
    "SegNet/ENet BN in INFERENCE mode computes y = scale·x + shift per channel, with no normalisation (SegNet's compute_bn_statistics.py folds the statistics into scale and shift). Equivalent: this module in eval() with running_mean 0, running_var 1 and eps 0; weight = scale, bias = shift.",
  "fork-pspnet": (d) =>
    `PSPNet BN: slope and bias (gamma, beta) are blobs 0 and 1; the moving mean and variance are blobs 2 and 3, stored as they are (no scale factor); running ← ${fmt(d.fraction)}·running + (1 − ${fmt(d.fraction)})·batch, which is PyTorch's rule with momentum ${fmt(d.momentum)}.`,
  "fork-pspnet-frozen": () => "frozen: true: the moving statistics are used in both phases and never updated, and slope/bias are not trained (the fork forces their lr_mult to 0).",
  "fork-pspnet-running": () =>
    "While training, the fork averages the biased batch variance (PyTorch the unbiased one) and starts from variance 0 (PyTorch from 1): the running statistics differ.",
  "fork-unrecognised": (d) =>
    `A ${fmt(d.type)} layer whose bn_param (${fmt(d.fields)}) matches no known fork (${fmt(d.why)}). Known: SegNet/ENet (bn_mode, scale_filler, shift_filler) and PSPNet (slope_filler, bias_filler, momentum, eps, frozen). Its semantics are unknown, so no PyTorch configuration is given.`,
};

const REASONS: Record<string, string> = {
  "no-consumer": "its output is not read by any layer",
  "multiple-consumers": "several layers read its output",
  "no-scale": "the next layer is not a Scale",
  "scale-two-bottoms": "the Scale that reads it takes its factor from a second bottom (SE-style gating), not from a learned gamma",
  "scale-axes": "the Scale that reads it does not scale the channel axis alone (axis 1, num_axes 1)",
};

const DIAGNOSTICS: Record<string, (d: NoteData) => string> = {
  "include-and-exclude": (d) => `Layer ${fmt(d.layer)} has both include and exclude rules; Caffe refuses this ("Specify either include rules or exclude rules; not both.").`,
  "unknown-bottom": (d) => `Layer ${fmt(d.layer)} reads blob ${fmt(d.blob)}, which no earlier layer produces (Caffe: "Unknown bottom blob").`,
  "duplicate-top": (d) => `Layer ${fmt(d.layer)} writes blob ${fmt(d.blob)} again without working in place (Caffe: "produced by multiple sources").`,
  "input-without-shape": () => "The net's input fields give no shape (input_shape or input_dim); Caffe ignores them.",
  "input-shape-count": (d) => `${fmt(d.inputs)} inputs but ${fmt(d.shapes)} input_shape entries.`,
  "input-dim-count": (d) => `${fmt(d.inputs)} inputs need ${Number(d.inputs) * 4} input_dim values (4 each); there are ${fmt(d.dims)}.`,
  "legacy-layers-not-upgraded": () => "The net uses legacy V1 `layers`, which were not upgraded: no layers to analyse.",
  "fraction-out-of-range": (d) => `BatchNorm ${fmt(d.layer)}: moving_average_fraction ${fmt(d.fraction)} is outside [0, 1].`,
  // Shapes given for the net's inputs (--input-shape; src/caffe/input-shapes.ts).
  "input-shape-ambiguous": (d) => `--input-shape without a blob name needs a net with one input; this one has ${nameList(d.inputs)}: give BLOB=DIMS.`,
  "input-shape-no-input": (d) => `--input-shape: the net has no input blob (no data or Input layer)${others(d.others)}.`,
  "input-shape-unknown-blob": (d) => `--input-shape names blob ${fmt(d.blob)}, which is not an input of the net; its input blobs: ${nameList(d.inputs)}${others(d.others)}.`,
  "input-shape-repeated": (d) => `--input-shape gives blob ${fmt(d.blob)} twice.`,
  "input-shape-rank": (d) =>
    `${fmt(d.type)} ${fmt(d.layer)} needs ${rankNeed(d)} input; ${d.direct === true ? `--input-shape gives rank ${fmt(d.rank)}` : `its input ${fmt(d.blob)} has rank ${fmt(d.rank)} from --input-shape`}.`,
  "input-shape-values": (d) =>
    `${fmt(d.type)} ${fmt(d.layer)} cannot reshape its input ${fmt(d.blob)} ${dims(d.shape)} (from --input-shape) to ${dims(d.target)}: the number of values does not fit.`,
  "input-shape-declared": (d) =>
    `--input-shape gives blob ${fmt(d.blob)} ${dims(d.given)}; ${d.layer === null ? "the net's input fields declare" : `Input layer ${fmt(d.layer)} declares`} ${dims(d.declared)}. The given shape is used.`,
};

/** A list of names carried as JSON text (diagnostic data are scalars). */
function nameList(json: string | number | boolean | null | undefined): string {
  const list = typeof json === "string" ? (JSON.parse(json) as string[]) : [];
  return list.length === 0 ? "none" : list.join(", ");
}

/** The tops of layers without a shape rule, which a given shape may also set. */
function others(json: string | number | boolean | null | undefined): string {
  const list = typeof json === "string" ? (JSON.parse(json) as string[]) : [];
  return list.length === 0 ? "" : `; layers without a shape rule write ${list.join(", ")}, which may be given too`;
}

/** Comma-separated dims as `[2, 3, 32, 32]`. */
const dims = (text: string | number | boolean | null | undefined): string => `[${String(text ?? "").split(",").join(", ")}]`;

/** "a 4-D", "a 4-D (or N-D ≥3)", "an input of rank ≥2"-style words for a rank need. */
function rankNeed(d: NoteData): string {
  if (d.max !== null && d.max === d.min) return `a ${fmt(d.min)}-D`;
  if (d.usual !== null && d.usual !== undefined) return `a ${fmt(d.usual)}-D (or N-D ≥${fmt(d.min)})`;
  return `an at least ${fmt(d.min)}-D`;
}

/** The English message of a block note. */
export function noteMessage(code: string, data: NoteData = {}): string {
  const render = NOTES[code];
  return render ? render(data) : code;
}

/** Whether `code` is a known note code. */
export function isNoteCode(code: string): boolean {
  return Object.hasOwn(NOTES, code);
}

/** Plain words for an unpaired reason code. */
export function unpairedReason(code: string): string {
  return REASONS[code] ?? code;
}

/** The English message of a diagnostic raised by src/caffe or src/convert; undefined for others' codes. */
export function analysisMessage(code: string, data: NoteData): string | undefined {
  const render = DIAGNOSTICS[code];
  return render ? render(data) : undefined;
}

/** Whether `code` is a diagnostic raised by src/caffe or src/convert (not by the reader). */
export function isAnalysisCode(code: string): boolean {
  return Object.hasOwn(DIAGNOSTICS, code);
}
