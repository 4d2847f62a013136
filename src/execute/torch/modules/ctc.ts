/**
 * caffe_ocr's CTC helper modules as the emitted Python computes them (src/emit/python/helpers/ctc.ts):
 * CTCGreedyDecoder (best class per step, the first on ties as argmax gives it; repeats merged,
 * blanks dropped; or with labels the accuracy pair) and WarpCTCLoss (F.ctc_loss's per-sequence
 * cost −log p(labels | x) by the forward recursion over the blank-extended labels, in double;
 * the mean of the finite costs).
 */
import { asBool, asInt, asTensor, invalid, tensor, type Tensor, type Value } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";

/** Levenshtein distance (ctc_decoder_layer.cpp EditDistance). */
function editDistance(a: readonly number[], b: readonly number[]): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] !== b[j - 1] ? 1 : 0));
      previous = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

function decode(ctx: ModuleContext, x: Tensor): { sequences: number[][]; blank: number; steps: number; batch: number } {
  const [steps, batch] = x.shape as [number, number];
  const classes = x.data.length / (steps * batch);
  const index = asInt(ctx.args.get("blank_index"), "blank_index");
  const blank = index >= 0 ? index : classes - 1;
  const merge = asBool(ctx.args.get("merge_repeated"), "merge_repeated");
  const sequences: number[][] = [];
  for (let n = 0; n < batch; n++) {
    const seq: number[] = [];
    let previous = -1;
    for (let t = 0; t < steps; t++) {
      const base = (t * batch + n) * classes;
      let best = 0;
      for (let c = 1; c < classes; c++) if (x.data[base + c]! > x.data[base + best]! || (Number.isNaN(x.data[base + c]!) && !Number.isNaN(x.data[base + best]!))) best = c;
      if (best !== blank && !(merge && best === previous)) seq.push(best);
      previous = best;
    }
    sequences.push(seq);
  }
  return { sequences, blank, steps, batch };
}

function greedyDecoder(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 1, 2);
  const x = asTensor(inputs[0], "x");
  const { sequences, blank, steps, batch } = decode(ctx, x);
  if (inputs[1] === undefined || inputs[1].t === "none") {
    const out = new Float32Array(batch * steps).fill(-1);
    sequences.forEach((seq, n) => seq.forEach((k, i) => (out[n * steps + i] = k)));
    return tensor([batch, steps, 1, 1], out);
  }
  const labels = asTensor(inputs[1], "labels");
  const width = labels.data.length / labels.shape[0]!;
  let distance = 0;
  let exact = 0;
  sequences.forEach((seq, n) => {
    const target: number[] = [];
    for (let j = 0; j < width; j++) {
      const v = labels.data[n * width + j]!;
      if (v < 0) break;
      const k = Math.trunc(0.5 + v);
      if (k !== blank) target.push(k);
    }
    const longer = Math.max(target.length, seq.length);
    if (longer === 0) return;
    const d = editDistance(target, seq);
    distance += d / longer;
    if (d === 0) exact++;
  });
  return tensor([1, 2, 1, 1], Float32Array.of(1 - distance / batch, exact / batch));
}

const logAdd = (a: number, b: number): number => (a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));

/** −log p(target | log-probabilities of one sequence), by the CTC forward (alpha) recursion. */
function ctcCost(logp: (t: number, c: number) => number, steps: number, target: readonly number[], blank: number): number {
  const ext = [blank, ...target.flatMap((k) => [k, blank])];
  let alpha = ext.map((_, s) => (s === 0 ? logp(0, blank) : s === 1 ? logp(0, ext[1]!) : -Infinity));
  for (let t = 1; t < steps; t++) {
    alpha = ext.map((k, s) => {
      let a = alpha[s]!;
      if (s > 0) a = logAdd(a, alpha[s - 1]!);
      if (s > 1 && k !== blank && k !== ext[s - 2]) a = logAdd(a, alpha[s - 2]!);
      return a + logp(t, k);
    });
  }
  const last = ext.length - 1;
  return -logAdd(alpha[last]!, last > 0 ? alpha[last - 1]! : -Infinity);
}

function warpCtcLoss(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 2);
  const x = asTensor(inputs[0], "x");
  const labels = asTensor(inputs[1], "labels");
  const [steps, batch] = x.shape as [number, number];
  const classes = x.data.length / (steps * batch);
  const blank = asInt(ctx.args.get("blank_index"), "blank_index");
  const width = labels.data.length / batch;
  let total = 0;
  let finite = 0;
  for (let n = 0; n < batch; n++) {
    const target = Array.from(labels.data.subarray(n * width, (n + 1) * width), Math.trunc).filter((k) => k !== blank);
    if (target.some((k) => k < 0 || k >= classes)) invalid("ctc-label-out-of-range", { labels: target, classes });
    // log_softmax over the classes of each step (float32 values, as F.log_softmax gives them).
    const logp = new Float64Array(steps * classes);
    for (let t = 0; t < steps; t++) {
      const base = (t * batch + n) * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, x.data[base + c]!);
      let s = 0;
      for (let c = 0; c < classes; c++) s += Math.exp(x.data[base + c]! - max);
      for (let c = 0; c < classes; c++) logp[t * classes + c] = Math.fround(x.data[base + c]! - max - Math.log(s));
    }
    const cost = ctcCost((t, c) => logp[t * classes + c]!, steps, target, blank);
    if (Number.isFinite(cost)) {
      total += Math.fround(cost);
      finite++;
    }
  }
  return tensor([], Float32Array.of(Math.fround(total) / finite));
}

/** The CTC helper modules. */
export const CTC_MODULES: readonly ModuleImpl[] = [
  { classes: ["CTCGreedyDecoder"], signature: [["blank_index", { t: "int", v: 0 }], ["merge_repeated", { t: "bool", v: true }]], forward: greedyDecoder },
  { classes: ["WarpCTCLoss"], signature: [["blank_index", { t: "int", v: 0 }]], forward: warpCtcLoss },
];
