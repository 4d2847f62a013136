/**
 * From Caffe's stored BatchNorm blobs to the statistics PyTorch holds.
 *
 * Caffe's BatchNormLayer keeps running sums and a scale factor s (blobs 0, 1, 2). With
 * use_global_stats it normalises with `sum·(1/s)`: Forward_cpu computes
 * `scale_factor = s == 0 ? 0 : 1/s` in float32 and multiplies both sums by it (caffe_cpu_scale),
 * so the statistics are `fround(sum · fround(1/s))`, and 0 when s is 0. Loading exactly those
 * values as running_mean / running_var makes PyTorch's eval() normalise with Caffe's numbers.
 */

const fround = Math.fround;

/** The per-channel statistics of one BatchNorm, as Caffe uses them at TEST time. */
export interface EffectiveStatistics {
  /** The stored scale factor s (blob 2). */
  scaleFactor: number;
  /** `fround(1/s)`, or 0 when s is 0, as BatchNormLayer::Forward_cpu computes it. */
  factor: number;
  /** `mean_sum · factor`, float32. */
  mean: Float32Array;
  /** `var_sum · factor`, float32 (Caffe stores the unbiased variance sum). */
  variance: Float32Array;
}

/** Caffe's effective statistics from the three blobs' values. */
export function effectiveStatistics(meanSum: ArrayLike<number>, varSum: ArrayLike<number>, scaleFactor: number): EffectiveStatistics {
  const factor = scaleFactor === 0 ? 0 : fround(1 / scaleFactor);
  const mean = new Float32Array(meanSum.length);
  const variance = new Float32Array(varSum.length);
  // A Float32Array store rounds the double product to float32, as Caffe's float multiply does.
  for (let c = 0; c < mean.length; c++) mean[c] = (meanSum[c] as number) * factor;
  for (let c = 0; c < variance.length; c++) variance[c] = (varSum[c] as number) * factor;
  return { scaleFactor, factor, mean, variance };
}

/** Smallest and largest value, or null for an empty array or when either is not finite. */
export function range(values: ArrayLike<number>): { min: number; max: number } | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) nan = true;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return nan || !Number.isFinite(min) || !Number.isFinite(max) ? null : { min, max };
}

/** How many values are NaN or infinite. */
export function countNonFinite(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i] as number)) n++;
  return n;
}

/** How many values are below 0. */
export function countNegative(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if ((values[i] as number) < 0) n++;
  return n;
}

/**
 * How many training updates produced the scale factor `s`, with the fraction f as Caffe holds it
 * (float32). Each TRAIN forward does `s ← s·f + 1` from 0, so after k updates
 * `s = Σ_{j<k} f^j = (1 − f^k)/(1 − f)`, giving `k = ln(1 − s·(1 − f)) / ln f`, rounded.
 *
 * - f = 1 (cumulative average): s counts the updates, k = round(s); this is what PyTorch's
 *   num_batches_tracked means for momentum=None.
 * - f = 0: s is 1 after any update, so only "at least one" is known: 1.
 * - Otherwise null when s has reached the float32 fixed point (1 − s·(1 − f) ≤ 0), where the count
 *   is lost, or when s is negative or not finite.
 */
export function estimateUpdates(scaleFactor: number, fraction: number): number | null {
  const s = scaleFactor;
  const f = fround(fraction);
  if (!Number.isFinite(s) || s < 0) return null;
  if (s === 0) return 0;
  if (f === 1) return Math.round(s);
  if (f === 0) return 1;
  if (!(f > 0 && f < 1)) return null;
  const remaining = 1 - s * (1 - f);
  if (!(remaining > 0)) return null;
  const k = Math.log(remaining) / Math.log(f);
  return Number.isFinite(k) ? Math.round(k) : null;
}

/** The weight of the initial value below which statistics count as converged (as convert's notes use). */
export const CONVERGED_WEIGHT = 1e-3;

/**
 * Whether the stored statistics are still short of Caffe's steady state: `s < (1 − 10⁻³)/(1 − f)`,
 * i.e. the first batches still weigh more than 10⁻³ against a running average with PyTorch's
 * momentum 1 − f. Caffe's next update weighs a new batch by 1/s, more than 1 − f, so PyTorch's
 * plain momentum would lag it. Only for 0 < f < 1 and s > 0 (0 is "never trained").
 */
export function isBelowLimit(scaleFactor: number, fraction: number): boolean {
  const f = fround(fraction);
  if (!(f > 0 && f < 1) || !(scaleFactor > 0)) return false;
  return scaleFactor * (1 - f) < 1 - CONVERGED_WEIGHT;
}

/** `1/(1 − f)` with f as Caffe holds it (float32): the value s tends to. */
export function scaleFactorLimit(fraction: number): number {
  return 1 / (1 - fround(fraction));
}
