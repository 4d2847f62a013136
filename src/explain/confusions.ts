/**
 * The usual Caffe → PyTorch BatchNorm mistakes, each answered once with this net's numbers, and
 * only those that apply to the blocks explained. Pure.
 */
import { stepsUntilBelow } from "../convert/decimal.js";
import type { ConvertBlock } from "../convert/types.js";
import { hasNoEquivalent } from "./header.js";
import type { TextStyle } from "./style.js";
import { count, distinct, joinAnd, nameList, num, pyNum, tally } from "./words.js";

/**
 * The weight of PyTorch's initial running value below which it counts as forgotten; the same
 * threshold src/convert/converters/batch-norm.ts uses for the `momentum-not-exact` note's k.
 */
const FORGOTTEN = 1e-3;

const has = (block: ConvertBlock, code: string): boolean => block.notes.some((n) => n.code === code);
const bvlcOnly = (blocks: readonly ConvertBlock[]): ConvertBlock[] => blocks.filter((b) => !b.caffe.fork);

/** `param { lr_mult: 0 }` on a BatchNorm is not affine=False; affine comes from the Scale. */
function lrMultItem(blocks: readonly ConvertBlock[], style: TextStyle): string | null {
  const c = style.code;
  const bvlc = bvlcOnly(blocks);
  const withZero = bvlc.filter((b) => b.caffe.stats_lr_mult.includes(0));
  if (withZero.length === 0) return null;
  const where = withZero.length === blocks.length ? (blocks.length === 1 ? "here" : `here on all ${blocks.length}`) : `here on ${withZero.length} of ${blocks.length}`;
  let s = `${c("param { lr_mult: 0 }")} on a BatchNorm (${where}) is not ${c("affine=False")}. It only keeps the solver off the BatchNorm's three blobs (the mean sum, the variance sum and the scale factor), which are statistics, not weights; PyTorch keeps them as buffers that no optimiser touches anyway. Caffe's BatchNorm never has gamma or beta:`;
  const example = withZero.find((b) => b.scale !== null);
  if (example) {
    const bias = example.caffe.bias_term ? "with bias_term: true" : example.bias ? `and Bias ${example.bias}` : "without a bias";
    s += ` affine comes from the Scale layer after it (here ${example.scale} after ${example.batchnorm}, ${bias}) → ${c("affine=True")}, gamma = ${c("weight")}, beta = ${c("bias")}.`;
  } else s += " affine would come from a Scale layer after it.";
  const noScale = bvlc.filter((b) => b.scale === null);
  if (noScale.length > 0) s += ` No Scale means ${c("affine=False")} (here: ${nameList(noScale.map((b) => b.batchnorm), 3)}).`;
  return s;
}

/**
 * lr_mult 0 on the Scale does freeze gamma/beta: requires_grad=False with the loaded values.
 * `afterBatchNorm`: the item on lr_mult 0 on a BatchNorm comes just before, so this one contrasts
 * with it; alone it states the rule plainly.
 */
function frozenScaleItem(blocks: readonly ConvertBlock[], style: TextStyle, afterBatchNorm: boolean): string | null {
  const frozen = blocks.filter((b) => !b.caffe.fork && (has(b, "affine-frozen") || has(b, "affine-partly-frozen")));
  if (frozen.length === 0) return null;
  const c = style.code;
  const where = `(${frozen.length === blocks.length ? "all" : frozen.length} here)`;
  const opening = afterBatchNorm
    ? `On the Scale, by contrast, ${c("lr_mult: 0")} does freeze gamma and beta ${where}`
    : `${c("lr_mult: 0")} on a Scale (or Bias) layer freezes gamma and beta ${where}`;
  return `${opening}: in PyTorch set ${c("requires_grad=False")} and load Caffe's values into ${c("weight")} and ${c("bias")}; do not leave them at 1 and 0.`;
}

/** momentum = 1 − moving_average_fraction, and the trap of passing the fraction as momentum. */
function momentumItem(blocks: readonly ConvertBlock[], style: TextStyle): string | null {
  const c = style.code;
  const relevant = blocks.filter((b) => {
    const f = b.caffe.moving_average_fraction;
    // Without running statistics (track_running_stats=False) momentum does nothing.
    return b.torch.momentum !== null && b.torch.track_running_stats && f > 0 && f < 1 && b.caffe.fork?.family !== "segnet" && !hasNoEquivalent(b);
  });
  if (relevant.length === 0) return null;
  const pairs = tally(relevant, (b) => `${num(b.caffe.moving_average_fraction)}|${pyNum(b.torch.momentum!)}`).map(([k, n]) => [...k.split("|"), n] as [string, string, number]);
  const [f, m] = pairs[0]!;
  // PSPNet's bn_param names the kept share `momentum`, which makes the slip even likelier.
  const pspOnly = relevant.every((b) => b.caffe.fork?.family === "pspnet");
  const theirs = pspOnly ? `PSPNet's bn_param ${c("momentum")}` : `Caffe's ${c("moving_average_fraction")}`;
  let s = pspOnly
    ? `PyTorch's ${c("momentum")} is not PSPNet's ${c("momentum")}, despite the name: one is 1 minus the other.`
    : `${c("momentum")} is not ${c("moving_average_fraction")}: one is 1 minus the other.`;
  s += ` ${theirs} (${f}) is how much of the old estimate each step keeps; PyTorch's momentum is how much of the new batch it takes in: ${c(`momentum = 1 − ${f} = ${m}`)}.`;
  if (pairs.length > 1) s += ` Here: ${joinAnd(pairs.map(([pf, pm, n]) => `${pf} → ${pm} (${count(n, "block")})`))}.`;
  s += ` ${pspOnly ? "Copying" : "Passing"} ${f} ${pspOnly ? "into" : "as"} momentum, the usual slip, ${style.warning("makes the running statistics follow almost only the last batch")}.`;
  return s;
}

/** Caffe's bias-corrected running statistics against PyTorch's start from mean 0 / variance 1. */
function biasCorrectionItem(blocks: readonly ConvertBlock[], style: TextStyle): string | null {
  const fractions = distinct(blocks.filter((b) => has(b, "momentum-not-exact") && b.torch.track_running_stats).map((b) => b.caffe.moving_average_fraction));
  if (fractions.length === 0) return null;
  const f = num(fractions[0]!);
  const steps = fractions.map((x) => `k = ${stepsUntilBelow(x, FORGOTTEN)}${fractions.length > 1 ? ` for ${num(x)}` : ""}`);
  return `The running statistics also start differently. Caffe keeps sums and divides them by a scale factor s (${style.code(`s ← ${f}·s + 1`)} each step), so its estimate is a true average from the first step. PyTorch starts from mean 0 and variance 1 and after k steps holds (1 − ${f}^k)·Caffe's value + ${f}^k·start: the start weighs less than 0.1% only after ${joinAnd(steps)} steps. That matters only when training from scratch in PyTorch: a converted model loads Caffe's statistics (blobs 0 and 1 divided by blob 2), and inference is then identical.`;
}

/** use_global_stats against eval()/train() and track_running_stats, for the modes present. */
function modeItem(blocks: readonly ConvertBlock[], style: TextStyle): string | null {
  const c = style.code;
  const bvlc = bvlcOnly(blocks);
  if (bvlc.length === 0) return null;
  let s = `PyTorch has no ${c("use_global_stats")}; the module's mode decides. ${c("eval()")} normalises with ${c("running_mean")} and ${c("running_var")} (Caffe's use_global_stats: true); ${c("train()")} normalises with each batch's statistics and updates the running ones (false). Unset, Caffe follows the phase: true in TEST, false in TRAIN.`;
  const written = tally(bvlc, (b) => (b.caffe.use_global_stats_explicit ? `written as ${String(b.caffe.use_global_stats)}` : "not written"));
  if (written.length === 1 && written[0]![0] === "not written") s += " Here it is not written, so the phase decides.";
  else s += ` Here it is ${joinAnd(written.map(([w, n]) => (written.length === 1 ? (bvlc.length === 1 ? w : `${w} on all ${n}`) : `${w} on ${n}`)))}.`;
  if (bvlc.some((b) => b.torch.mode === "batch-stats" || (b.torch.mode === "train" && b.caffe.use_global_stats_explicit))) {
    s += ` ${c("track_running_stats=False")} is something else: the module then keeps no running statistics, so even ${c("eval()")} uses batch statistics; that is what use_global_stats: false means at test time.`;
  }
  if (bvlc.some((b) => b.torch.mode === "frozen")) {
    s += ` Frozen blocks (true while training) must stay in ${c("eval()")} inside a model in ${c("train()")}: call ${c("model.train()")}, then ${c(".eval()")} on those modules.`;
  }
  return s;
}

/** eps: the same number, added to the variance on both sides. */
function epsItem(blocks: readonly ConvertBlock[], style: TextStyle): string | null {
  const eps = distinct(bvlcOnly(blocks).map((b) => b.caffe.eps));
  if (eps.length === 0) return null;
  return `${style.code("eps")} (here ${joinAnd(eps.map(num))}) is copied unchanged: Caffe adds it to the variance before the square root, exactly as PyTorch does.`;
}

/** Every confusion that applies to `blocks`, in the order people meet them. */
export function confusions(blocks: readonly ConvertBlock[], style: TextStyle): string[] {
  const lrMult = lrMultItem(blocks, style);
  const items = [lrMult, frozenScaleItem(blocks, style, lrMult !== null), ...[momentumItem, biasCorrectionItem, modeItem, epsItem].map((f) => f(blocks, style))];
  return items.filter((s): s is string => s !== null);
}
