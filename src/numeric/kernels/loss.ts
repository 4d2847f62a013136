/**
 * The arithmetic of BVLC Caffe's loss layers and AccuracyLayer (Forward_cpu), in float32.
 *
 * Caffe's loss loops keep a float accumulator and call the float overloads of `log`/`exp`/`sqrt`
 * (mkl_alternate.hpp includes <math.h>, whose C++ wrapper brings std::log(float) into scope), so
 * every step here is rounded to float32: `Math.fround(Math.log(p))` is glibc's `logf` except,
 * rarely, in the last bit. BLAS dot products (caffe_cpu_dot, caffe_cpu_asum) are summed in double
 * and rounded once, as kernels/reduce.ts does: OpenBLAS's float32 lane order is not emulated.
 */

/** Caffe's LossParameter normalisation modes. */
export type LossNormalization = "FULL" | "VALID" | "BATCH_SIZE" | "NONE";

/** FLT_MIN: SoftmaxWithLossLayer clamps a probability to it before the log. */
export const FLT_MIN = 1.1754943508222875e-38;

/** kLOG_THRESHOLD (loss_layer.hpp, a float 1e-20): MultinomialLogistic and Infogain clamp to it. */
export const LOG_THRESHOLD = Math.fround(1e-20);

/**
 * get_normalizer (softmax_loss_layer.cpp and its copies): FULL → outer·inner, VALID → the count of
 * labels not ignored (outer·inner when there is no count), BATCH_SIZE → outer, NONE → 1; at least 1
 * ("the max prevents NaNs" when every label is ignored).
 */
export function lossNormalizer(mode: LossNormalization, outer: number, inner: number, validCount: number): number {
  const normalizer = mode === "FULL" ? outer * inner : mode === "VALID" ? (validCount < 0 ? outer * inner : validCount) : mode === "BATCH_SIZE" ? outer : 1;
  return Math.max(1, Math.fround(normalizer));
}

/** Labels as Caffe reads them: `static_cast<int>` of the float (truncation towards zero). */
const labelOf = (v: number): number => Math.trunc(v);

/** A label outside [0, classes) at a position; Caffe only DCHECKs it and reads past its row. */
export interface LabelFault {
  position: number;
  label: number;
}

/**
 * SoftmaxWithLossLayer::Forward_cpu on the probabilities: `loss −= log(max(p[label], FLT_MIN))`
 * over the labels not ignored, in order, then divided by the normaliser.
 *
 * @param prob outer × classes × inner probabilities (SoftmaxLayer's output)
 * @param label outer × inner labels
 * @returns the loss, or the first label out of range
 */
export function softmaxLoss(
  prob: Float32Array,
  label: Float32Array,
  outer: number,
  classes: number,
  inner: number,
  ignoreLabel: number | null,
  mode: LossNormalization,
): number | LabelFault {
  const dim = classes * inner;
  let loss = 0;
  let count = 0;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) {
      const value = labelOf(label[i * inner + j]!);
      if (ignoreLabel !== null && value === ignoreLabel) continue;
      if (value < 0 || value >= classes) return { position: i * inner + j, label: value };
      loss = Math.fround(loss - Math.fround(Math.log(Math.max(prob[i * dim + value * inner + j]!, FLT_MIN))));
      count++;
    }
  }
  return Math.fround(loss / lossNormalizer(mode, outer, inner, count));
}

/**
 * SigmoidCrossEntropyLossLayer::Forward_cpu, its numerically stable form per element:
 * `loss −= x·(t − [x ≥ 0]) − log(1 + exp(x − 2·x·[x ≥ 0]))`, skipping targets equal to the ignore
 * label, divided by the normaliser over outer = N and inner = count / N.
 */
export function sigmoidCrossEntropyLoss(x: Float32Array, target: Float32Array, outer: number, ignoreLabel: number | null, mode: LossNormalization): number {
  let loss = 0;
  let valid = 0;
  for (let i = 0; i < x.length; i++) {
    const t = target[i]!;
    if (ignoreLabel !== null && labelOf(t) === ignoreLabel) continue;
    const v = x[i]!;
    const positive = v >= 0 ? 1 : 0;
    const linear = Math.fround(v * Math.fround(t - positive));
    const e = Math.fround(Math.exp(Math.fround(v - Math.fround(Math.fround(2 * v) * positive))));
    const softplus = Math.fround(Math.log(Math.fround(1 + e)));
    loss = Math.fround(loss - Math.fround(linear - softplus));
    valid++;
  }
  return Math.fround(loss / lossNormalizer(mode, outer, x.length / Math.max(outer, 1), valid));
}

/** caffe_cpu_dot of `a` with itself from `offset` over `n` values (double sum, one rounding). */
function sumOfSquares(a: Float32Array, offset = 0, n = a.length): number {
  let s = 0;
  for (let i = offset; i < offset + n; i++) s += a[i]! * a[i]!;
  return Math.fround(s);
}

/** `fround(a − b)` element-wise (caffe_sub). */
function difference(a: Float32Array, b: Float32Array): Float32Array {
  const d = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i]! - b[i]!;
  return d;
}

/** EuclideanLossLayer::Forward_cpu: `dot(a − b, a − b) / num / 2`. */
export function euclideanLoss(a: Float32Array, b: Float32Array, num: number): number {
  return Math.fround(Math.fround(sumOfSquares(difference(a, b)) / num) / 2);
}

/**
 * HingeLossLayer::Forward_cpu: each score, its sign flipped at the item's label, becomes
 * `max(0, 1 + v)`; L1 sums them (asum), L2 their squares (dot); divided by num.
 */
export function hingeLoss(x: Float32Array, label: Float32Array, num: number, norm: "L1" | "L2"): number | LabelFault {
  const dim = x.length / num;
  const margins = Float32Array.from(x);
  for (let i = 0; i < num; i++) {
    const value = labelOf(label[i]!);
    if (value < 0 || value >= dim) return { position: i, label: value };
    margins[i * dim + value] = -margins[i * dim + value]!;
  }
  let s = 0;
  for (let k = 0; k < margins.length; k++) {
    const m = Math.max(0, Math.fround(1 + margins[k]!));
    s += norm === "L1" ? m : m * m;
  }
  return Math.fround(Math.fround(s) / num);
}

/** MultinomialLogisticLossLayer::Forward_cpu: `loss −= log(max(p[label], kLOG_THRESHOLD))` per item, / num. */
export function multinomialLogisticLoss(prob: Float32Array, label: Float32Array, num: number): number | LabelFault {
  const dim = prob.length / num;
  let loss = 0;
  for (let i = 0; i < num; i++) {
    const value = labelOf(label[i]!);
    if (value < 0 || value >= dim) return { position: i, label: value };
    loss = Math.fround(loss - Math.fround(Math.log(Math.max(prob[i * dim + value]!, LOG_THRESHOLD))));
  }
  return Math.fround(loss / num);
}

/**
 * InfogainLossLayer::Forward_cpu: for each label not ignored, `loss −= Σ_l H[label, l]·log(max(p_l,
 * kLOG_THRESHOLD))` (added term by term), divided by the normaliser.
 *
 * @param h the classes × classes infogain matrix
 */
export function infogainLoss(
  prob: Float32Array,
  label: Float32Array,
  h: Float32Array,
  outer: number,
  classes: number,
  inner: number,
  ignoreLabel: number | null,
  mode: LossNormalization,
): number | LabelFault {
  let loss = 0;
  let count = 0;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) {
      const value = labelOf(label[i * inner + j]!);
      if (ignoreLabel !== null && value === ignoreLabel) continue;
      if (value < 0 || value >= classes) return { position: i * inner + j, label: value };
      for (let l = 0; l < classes; l++) {
        const log = Math.fround(Math.log(Math.max(prob[i * inner * classes + l * inner + j]!, LOG_THRESHOLD)));
        loss = Math.fround(loss - Math.fround(h[value * classes + l]! * log));
      }
      count++;
    }
  }
  return Math.fround(loss / lossNormalizer(mode, outer, inner, count));
}

/**
 * ContrastiveLossLayer::Forward_cpu: per pair the squared distance `d = dot(a − b, a − b)`; similar
 * pairs add d, dissimilar ones `max(margin − √d, 0)²` (legacy_version: `max(margin − d, 0)`); the
 * sum is divided by num, then by 2.
 */
export function contrastiveLoss(a: Float32Array, b: Float32Array, similar: Float32Array, num: number, margin: number, legacy: boolean): number {
  const channels = a.length / num;
  const diff = difference(a, b);
  let loss = 0;
  for (let i = 0; i < num; i++) {
    const d = sumOfSquares(diff, i * channels, channels);
    if (labelOf(similar[i]!) !== 0) loss = Math.fround(loss + d);
    else if (legacy) loss = Math.fround(loss + Math.max(Math.fround(margin - d), 0));
    else {
      const dist = Math.max(Math.fround(margin - Math.fround(Math.sqrt(d))), 0);
      loss = Math.fround(loss + Math.fround(dist * dist));
    }
  }
  return Math.fround(Math.fround(loss / num) / 2);
}

/**
 * AccuracyLayer::Forward_cpu: a position is correct when fewer than top_k classes score at least
 * the true class's score (the true class counts itself); accuracy = correct / counted (0 when none
 * is counted). `perClass`, when given (a second top), receives each class's accuracy.
 */
export function accuracy(
  x: Float32Array,
  label: Float32Array,
  outer: number,
  classes: number,
  inner: number,
  topK: number,
  ignoreLabel: number | null,
  perClass: Float32Array | null,
): number | LabelFault {
  const dim = classes * inner;
  const counts = new Float32Array(classes);
  let correct = 0;
  let count = 0;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) {
      const value = labelOf(label[i * inner + j]!);
      if (ignoreLabel !== null && value === ignoreLabel) continue;
      if (value < 0 || value >= classes) return { position: i * inner + j, label: value };
      counts[value]!++;
      const truth = x[i * dim + value * inner + j]!;
      let better = -1;
      for (let k = 0; k < classes && better < topK; k++) if (x[i * dim + k * inner + j]! >= truth) better++;
      if (better < topK) {
        correct++;
        if (perClass) perClass[value]!++;
      }
      count++;
    }
  }
  if (perClass) for (let c = 0; c < classes; c++) perClass[c] = counts[c] === 0 ? 0 : perClass[c]! / counts[c]!;
  return count === 0 ? 0 : Math.fround(correct / count);
}
