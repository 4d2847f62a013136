/**
 * The loss and accuracy helper modules (src/emit/python/helpers/softmax-losses.ts, losses.ts,
 * accuracy.ts, loss-common.ts), their forward values as the emitted Python computes them:
 * the (outer, classes, inner) view with labels truncated to int, the ignore_label mask, Caffe's
 * normaliser (FULL, VALID, BATCH_SIZE, NONE; at least 1) and the caps Caffe puts inside its logs.
 * Sums are taken in double and rounded once.
 */
import { asBool, asInt, asNumber, asString, asTensor, float, int, invalid, NONE, numel, tensor, tuple, type Tensor, type Value } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";

const f32 = Math.fround;
/** −log(FLT_MIN) and −log(1e-20): the largest term SoftmaxWithLoss / InfogainLoss can add. */
const NLL_FLT_MIN = 87.33654475055311;
const NLL_LOG_THRESHOLD = 46.051701859880914;

/** `_class_view`: (outer, classes, inner) of x and the labels as truncated ints, one per (outer, inner). */
function classView(x: Tensor, label: Tensor, axis: number): { outer: number; classes: number; inner: number; labels: Int32Array } {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const outer = numel(x.shape.slice(0, a));
  const classes = x.shape[a]!;
  const inner = numel(x.shape.slice(a + 1));
  if (label.data.length !== outer * inner) invalid("label-count", { expected: outer * inner, actual: label.data.length });
  return { outer, classes, inner, labels: Int32Array.from(label.data, Math.trunc) };
}

const ignoreOf = (ctx: ModuleContext): number | null => {
  const v = ctx.args.get("ignore_label")!;
  return v.t === "none" ? null : asInt(v, "ignore_label");
};

/** `_caffe_normalizer`. */
function normaliser(mode: string, outer: number, inner: number, labelled: number): number {
  if (mode === "VALID") return Math.max(1, labelled);
  return Math.max(1, mode === "FULL" ? outer * inner : mode === "BATCH_SIZE" ? outer : 1);
}

/** log_softmax over the class axis of the (outer, classes, inner) view, in double. */
function logSoftmaxAt(x: Float32Array, classes: number, inner: number, o: number, i: number): Float64Array {
  const out = new Float64Array(classes);
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, x[(o * classes + c) * inner + i]!);
  let s = 0;
  for (let c = 0; c < classes; c++) s += Math.exp(x[(o * classes + c) * inner + i]! - max);
  const log = Math.log(s);
  for (let c = 0; c < classes; c++) out[c] = f32(f32(x[(o * classes + c) * inner + i]! - max) - log);
  return out;
}

const checkLabel = (k: number, classes: number): void => {
  if (k < 0 || k >= classes) invalid("label-out-of-range", { label: k, classes });
};

/** SoftmaxWithLoss / InfogainLoss: Σ over labelled positions of the position's term, / normaliser (+ the softmax with with_prob). */
function softmaxLoss(ctx: ModuleContext, inputs: readonly Value[], infogain: boolean): Value {
  arity(ctx, inputs, 2, infogain ? 3 : 2);
  const x = asTensor(inputs[0], "x");
  const axis = asInt(ctx.args.get("axis"), "axis");
  const v = classView(x, asTensor(inputs[1], "label"), axis);
  const ignore = ignoreOf(ctx);
  let h: Float32Array | null = null;
  if (infogain) {
    const given = inputs[2];
    if (given === undefined || given.t === "none") invalid("infogain-matrix-missing", { source: ctx.args.get("source")!.t === "str" ? asString(ctx.args.get("source"), "source") : null });
    h = asTensor(given, "infogain").data;
    if (h.length !== v.classes * v.classes) invalid("infogain-matrix-size", { classes: v.classes, values: h.length });
  }
  let total = 0;
  let labelled = 0;
  for (let o = 0; o < v.outer; o++) {
    for (let i = 0; i < v.inner; i++) {
      const k = v.labels[o * v.inner + i]!;
      if (ignore !== null && k === ignore) continue;
      checkLabel(k, v.classes);
      labelled++;
      const logp = logSoftmaxAt(x.data, v.classes, v.inner, o, i);
      if (h === null) total += Math.min(-logp[k]!, NLL_FLT_MIN);
      else {
        let term = 0;
        for (let c = 0; c < v.classes; c++) term += h[k * v.classes + c]! * -Math.min(-logp[c]!, NLL_LOG_THRESHOLD);
        total += f32(-term);
      }
    }
  }
  const mode = asString(ctx.args.get("normalization"), "normalization");
  const loss = tensor([], Float32Array.of(f32(total) / normaliser(mode, v.outer, v.inner, labelled)));
  if (!asBool(ctx.args.get("with_prob"), "with_prob")) return loss;
  const prob = new Float32Array(x.data.length);
  for (let o = 0; o < v.outer; o++) {
    for (let i = 0; i < v.inner; i++) {
      const logp = logSoftmaxAt(x.data, v.classes, v.inner, o, i);
      for (let c = 0; c < v.classes; c++) prob[(o * v.classes + c) * v.inner + i] = Math.exp(logp[c]!);
    }
  }
  return tuple([loss, tensor(x.shape, prob)]);
}

/** SigmoidCrossEntropyLoss: Σ BCE-with-logits over entries whose int target is not ignored, / normaliser. */
function sigmoidCrossEntropy(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 2);
  const x = asTensor(inputs[0], "x");
  const target = asTensor(inputs[1], "target");
  if (target.data.length !== x.data.length) invalid("target-count", { expected: x.data.length, actual: target.data.length });
  const ignore = ignoreOf(ctx);
  let total = 0;
  let labelled = 0;
  x.data.forEach((z, k) => {
    const t = target.data[k]!;
    if (ignore !== null && Math.trunc(t) === ignore) return;
    labelled++;
    // binary_cross_entropy_with_logits: (1 − t)·z + m + log(e^−m + e^(−z−m)), m = max(−z, 0).
    const m = Math.max(-z, 0);
    total += f32((1 - t) * z + m + Math.log(Math.exp(-m) + Math.exp(-z - m)));
  });
  const n = x.shape[0] ?? 1;
  return tensor([], Float32Array.of(f32(total) / normaliser(asString(ctx.args.get("normalization"), "normalization"), n, x.data.length / n, labelled)));
}

/** HingeLoss: Σ max(0, 1 ∓ x) (− at the label), squared with L2, / N. */
function hinge(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 2);
  const x = asTensor(inputs[0], "x");
  const label = asTensor(inputs[1], "label");
  const n = x.shape[0]!;
  const dim = x.data.length / n;
  const l2 = asString(ctx.args.get("norm"), "norm") !== "L1";
  let total = 0;
  for (let r = 0; r < n; r++) {
    const k = Math.trunc(label.data[r]!);
    checkLabel(k, dim);
    for (let c = 0; c < dim; c++) {
      const margin = Math.max(0, f32(1 + (c === k ? -1 : 1) * x.data[r * dim + c]!));
      total += l2 ? f32(margin * margin) : margin;
    }
  }
  return tensor([], Float32Array.of(f32(total) / n));
}

/** MultinomialLogisticLoss: −Σ log max(p[n, label], 1e-20) / N. */
function multinomialLogistic(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 2);
  const p = asTensor(inputs[0], "p");
  const label = asTensor(inputs[1], "label");
  const n = p.shape[0]!;
  const dim = p.data.length / n;
  let total = 0;
  for (let r = 0; r < n; r++) {
    const k = Math.trunc(label.data[r]!);
    checkLabel(k, dim);
    total += f32(Math.log(Math.max(p.data[r * dim + k]!, f32(1e-20))));
  }
  return tensor([], Float32Array.of(f32(-total) / n));
}

/** ContrastiveLoss: Σ d² (similar) or max(margin − d, 0)² (legacy: max(margin − d², 0)), / N / 2. */
function contrastive(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 3);
  const [a, b, similar] = [asTensor(inputs[0], "a"), asTensor(inputs[1], "b"), asTensor(inputs[2], "similar")];
  const n = a.shape[0]!;
  const dim = a.data.length / n;
  const margin = f32(asNumber(ctx.args.get("margin"), "margin"));
  const legacy = asBool(ctx.args.get("legacy_version"), "legacy_version");
  let total = 0;
  for (let r = 0; r < n; r++) {
    let sq = 0;
    for (let c = 0; c < dim; c++) {
      const d = f32(a.data[r * dim + c]! - b.data[r * dim + c]!);
      sq += d * d;
    }
    const dsq = f32(sq);
    const mdist = legacy ? Math.max(f32(margin - dsq), 0) : Math.max(f32(margin - f32(Math.sqrt(dsq))), 0);
    total += Math.trunc(similar.data[r]!) !== 0 ? dsq : legacy ? mdist : f32(mdist * mdist);
  }
  return tensor([], Float32Array.of(f32(f32(total) / n) / 2));
}

/** Accuracy: labelled positions whose label's score has fewer than top_k scores ≥ it (itself excluded). */
function accuracy(ctx: ModuleContext, inputs: readonly Value[]): Value {
  arity(ctx, inputs, 2);
  const x = asTensor(inputs[0], "x");
  const v = classView(x, asTensor(inputs[1], "label"), asInt(ctx.args.get("axis"), "axis"));
  const topK = asInt(ctx.args.get("top_k"), "top_k");
  const ignore = ignoreOf(ctx);
  let [labelled, correct] = [0, 0];
  const seen = new Float64Array(v.classes);
  const hits = new Float64Array(v.classes);
  for (let o = 0; o < v.outer; o++) {
    for (let i = 0; i < v.inner; i++) {
      const k = v.labels[o * v.inner + i]!;
      if (ignore !== null && k === ignore) continue;
      checkLabel(k, v.classes);
      labelled++;
      seen[k]!++;
      const score = x.data[(o * v.classes + k) * v.inner + i]!;
      let better = -1;
      for (let c = 0; c < v.classes; c++) if (x.data[(o * v.classes + c) * v.inner + i]! >= score) better++;
      if (better < topK) {
        correct++;
        hits[k]!++;
      }
    }
  }
  const acc = tensor([], Float32Array.of(f32(correct) / f32(Math.max(labelled, 1))));
  if (!asBool(ctx.args.get("per_class"), "per_class")) return acc;
  return tuple([acc, tensor([v.classes], Float32Array.from(hits, (h, c) => f32(h) / f32(Math.max(seen[c]!, 1))))]);
}

const LOSS_ARGS = [["axis", int(1)], ["ignore_label", NONE], ["normalization", { t: "str", v: "VALID" }], ["with_prob", { t: "bool", v: false }]] as const;

/** The loss and accuracy helper modules. */
export const LOSS_MODULES: readonly ModuleImpl[] = [
  { classes: ["SoftmaxWithLoss"], signature: LOSS_ARGS, forward: (ctx, inputs) => softmaxLoss(ctx, inputs, false) },
  { classes: ["InfogainLoss"], signature: [...LOSS_ARGS, ["source", NONE]], forward: (ctx, inputs) => softmaxLoss(ctx, inputs, true) },
  { classes: ["SigmoidCrossEntropyLoss"], signature: [["ignore_label", NONE], ["normalization", { t: "str", v: "BATCH_SIZE" }]], forward: sigmoidCrossEntropy },
  { classes: ["HingeLoss"], signature: [["norm", { t: "str", v: "L1" }]], forward: hinge },
  { classes: ["MultinomialLogisticLoss"], signature: [], forward: multinomialLogistic },
  { classes: ["ContrastiveLoss"], signature: [["margin", float(1)], ["legacy_version", { t: "bool", v: false }]], forward: contrastive },
  { classes: ["Accuracy"], signature: [["top_k", int(1)], ["axis", int(1)], ["ignore_label", NONE], ["per_class", { t: "bool", v: false }]], forward: accuracy },
];
