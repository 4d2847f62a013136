/**
 * Plain-words lines for a BVLC `BatchNorm` block (BatchNorm, then Scale, then maybe Bias). They
 * name no layer, so identical blocks explain identically and can be grouped. Semantics as Caffe's
 * BatchNormLayer, ScaleLayer and BiasLayer implement them; mapping as src/convert decided it.
 */
import type { ConvertBlock } from "../convert/types.js";
import type { Line, TextStyle } from "./style.js";
import { nameList, num } from "./words.js";

/** cuDNN's CUDNN_BN_MIN_EPSILON; PyTorch only takes the cuDNN path when eps ≥ this. */
export const CUDNN_MIN_EPS = 1e-5;

const has = (block: ConvertBlock, code: string): boolean => block.notes.some((n) => n.code === code);

/** What Caffe does: where the statistics come from, and what Scale/Bias add. */
function caffeLine(block: ConvertBlock): Line {
  const stats = {
    eval: "its stored mean and variance",
    frozen: "its stored mean and variance",
    train: "the mean and variance of the current batch",
    "batch-stats": "the mean and variance of the current batch",
  }[block.torch.mode];
  let affine: string;
  // The reason stays out of the line (it is listed at the end), so blocks unpaired for
  // different reasons still explain alike and group together.
  if (block.scale === null) affine = "no Scale layer is fused with it (why is listed at the end), so there is no gamma or beta";
  else if (block.caffe.bias_term) affine = "the Scale layer after it multiplies by gamma and adds beta";
  else if (block.bias !== null) affine = "the Scale layer after it multiplies by gamma and a Bias layer adds beta";
  else affine = "the Scale layer after it multiplies by gamma; nothing adds a beta (no bias_term, no Bias layer)";
  return { label: "Caffe", text: `BatchNorm normalises each channel with ${stats}; ${affine}.` };
}

/** What PyTorch's module holds, and which Caffe blob goes where. */
function torchLines(block: ConvertBlock, style: TextStyle): Line[] {
  const c = style.code;
  let params: string;
  if (block.scale === null) params = `${c("affine=False")}: the module has no weight or bias, as Caffe's BatchNorm has none.`;
  else {
    const beta = block.caffe.bias_term
      ? `${c("bias")} = beta (the Scale's blob 1)`
      : block.bias !== null
        ? `${c("bias")} = beta (the Bias layer's blob 0)`
        : `${c("bias")} = 0: set it to zero with ${c("requires_grad=False")}`;
    params = `one module does both: ${c("weight")} = gamma (the Scale's blob 0), ${beta}.`;
  }
  const stats =
    block.torch.mode === "batch-stats"
      ? "No running statistics are kept or used (the BatchNorm's three blobs are not needed)."
      : `${c("running_mean")} = blob 0 / blob 2 and ${c("running_var")} = blob 1 / blob 2 of the BatchNorm (Caffe stores sums and a scale factor).`;
  return [{ label: "PyTorch", text: `${params} ${stats}` }];
}

/** use_global_stats in this phase, written or defaulted, as a PyTorch mode. */
function modeLine(block: ConvertBlock, phase: "TEST" | "TRAIN", style: TextStyle): Line {
  const c = style.code;
  const written = block.caffe.use_global_stats_explicit;
  const ugs = `use_global_stats: ${String(block.caffe.use_global_stats)}`;
  switch (block.torch.mode) {
    case "eval":
      return written
        ? { label: "Mode", text: `${ugs} is written, so Caffe always uses the stored statistics and never updates them, even when training. PyTorch: ${c("eval()")}; if you fine-tune, keep these modules in ${c("eval()")}.` }
        : { label: "Mode", text: `use_global_stats is not written, so in the TEST phase Caffe uses the stored statistics: ${c("eval()")}. (Its TRAIN phase would use batch statistics: ${c("train()")}.)` };
    case "train":
      return written
        ? { label: "Mode", text: `${ugs} is written: Caffe normalises with each batch's statistics and updates the stored ones, like ${c("train()")}, and it does so in the TEST phase too (see --phase test).` }
        : { label: "Mode", text: `use_global_stats is not written, so in the TRAIN phase Caffe normalises with each batch's statistics and updates the stored ones: ${c("train()")}. Its TEST phase uses the stored ones: ${c("eval()")}.` };
    case "frozen":
      return {
        label: "Mode",
        text: `${ugs} while training (${written ? "written" : `the ${phase} default`}): Caffe normalises with the stored statistics and never updates them. Keep these modules in ${c("eval()")} while the rest of the model trains (${c("model.train()")} would switch them to batch statistics).`,
      };
    case "batch-stats":
      return {
        label: "Mode",
        text: `${ugs} is written, so even in the TEST phase Caffe normalises every batch with that batch's own statistics. Results then depend on what else is in the batch. PyTorch: ${c("track_running_stats=False")}, so ${c("eval()")} uses batch statistics too.`,
        tone: "warning",
      };
  }
}

/** gamma/beta with lr_mult 0: trained in neither framework, but never reset. */
function frozenAffineLine(block: ConvertBlock, style: TextStyle): Line | null {
  const c = style.code;
  if (has(block, "affine-frozen")) {
    return { label: "Frozen", text: `the Scale has lr_mult: 0, so gamma and beta are fixed, not absent: load Caffe's values and set ${c("requires_grad=False")} (they are not 1 and 0).` };
  }
  if (has(block, "affine-partly-frozen")) {
    const which = block.torch.weight_requires_grad === false ? "gamma" : "beta";
    const attr = which === "gamma" ? "weight" : "bias";
    return { label: "Frozen", text: `${which} has lr_mult: 0: load it and set ${c(`${attr}.requires_grad=False`)}; the other one trains.` };
  }
  return null;
}

/** Lines for values Caffe refuses or PyTorch handles differently. */
function extraLines(block: ConvertBlock, style: TextStyle): Line[] {
  const out: Line[] = [];
  const c = style.code;
  block.caffe.stats_lr_mult.forEach((lr, i) => {
    if (lr !== 0 && i < 3) {
      out.push({
        label: "Refused",
        text: `param[${i}] of the BatchNorm has ${lr === null ? "no lr_mult (so 1)" : `lr_mult: ${num(lr)}`}: Caffe stops with "Cannot configure batch normalization statistics as layer parameters". Use lr_mult: 0, or no param at all.`,
        tone: "warning",
      });
    }
  });
  const tooMany = block.notes.find((n) => n.code === "too-many-params");
  if (tooMany) out.push({ label: "Refused", text: tooMany.message, tone: "warning" });
  const f = block.caffe.moving_average_fraction;
  if (has(block, "fraction-out-of-range")) {
    out.push({ label: "Momentum", text: `moving_average_fraction: ${num(f)} is outside [0, 1]: Caffe's statistics diverge and no momentum is equivalent.`, tone: "warning" });
  } else if (has(block, "momentum-cumulative")) {
    out.push({ label: "Momentum", text: `moving_average_fraction: 1 makes Caffe's statistics the plain average of all batches so far; ${c("momentum=None")} (cumulative average) does exactly that.` });
  } else if (has(block, "momentum-last-batch")) {
    out.push({ label: "Momentum", text: `moving_average_fraction: 0 keeps only the last batch's statistics; ${c("momentum=1.0")} does exactly that.` });
  }
  const eps = epsLine(block.caffe.eps);
  if (eps) out.push(eps);
  return out;
}

/** The cuDNN warning for an eps below 1e-5 (null otherwise); Caffe and PyTorch both add eps to the variance. */
export function epsLine(eps: number): Line | null {
  if (!(eps < CUDNN_MIN_EPS)) return null;
  return {
    label: "eps",
    text: `${num(eps)} is below 1e-5, cuDNN's minimum: PyTorch then uses its own kernel instead of cuDNN (cuDNN up to 7.4 rejects it), so GPU results can differ slightly by backend.`,
    tone: "warning",
  };
}

/** Whether the converter could not infer the input's rank (module null). */
export function rankUnknown(block: ConvertBlock): boolean {
  return block.notes.some((n) => n.code === "rank-unknown");
}

/**
 * The line for blocks whose input rank is unknown: `names` lists them when only some of a group
 * are (null: all of them are).
 */
export function rankUnknownLine(names: readonly string[] | null, style: TextStyle): Line {
  const c = style.code;
  const subject = names === null ? "the input's shape" : `the input shape of ${nameList(names)}`;
  return {
    label: "Shape",
    text: `${subject} could not be inferred (an unknown or fork layer upstream): choose by the input's rank, ${c("BatchNorm2d")} for N×C×H×W images (1d for N×C or N×C×L, 3d for N×C×D×H×W), with num_features = C.`,
  };
}

/** The shape lines other than an unknown rank: an unsupported rank, unknown channels. */
export function shapeLines(block: ConvertBlock): Line[] {
  const unsupported = block.notes.find((n) => n.code === "rank-unsupported");
  if (unsupported) return [{ label: "Shape", text: unsupported.message, tone: "warning" }];
  if (block.notes.some((n) => n.code === "channels-unknown")) return [{ label: "Shape", text: "the number of channels (axis 1 of the input) could not be inferred: num_features is the input's C." }];
  return [];
}

/** Every line for a BVLC block, in reading order: Caffe, PyTorch, mode, then specifics. */
export function bvlcLines(block: ConvertBlock, phase: "TEST" | "TRAIN", style: TextStyle): Line[] {
  const lines = [caffeLine(block), ...torchLines(block, style), modeLine(block, phase, style)];
  const frozen = frozenAffineLine(block, style);
  if (frozen) lines.push(frozen);
  return [...lines, ...extraLines(block, style), ...shapeLines(block)];
}
