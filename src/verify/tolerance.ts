/**
 * The tolerances of `verify`, in one place. Every error is scaled: `|torch − caffe| / max(1, |caffe|)`.
 * A value beyond them still agrees within float32's error bound for its operands (float32-bound.ts).
 */

/**
 * The default tolerance of every forward's output (`--tolerance` overrides it). Both frameworks compute
 * in float32, and a BatchNorm → Scale output takes a handful of roundings: the golden traces agree to a
 * few 1e-7 (../shared/golden/README.md, "Expected agreement"). 1e-5 leaves a margin of more than ten
 * for summation order, yet lies far below any semantic difference (a lag, a wrong eps, a lost beta).
 */
export const DEFAULT_VERIFY_TOLERANCE = 1e-5;

/**
 * What one averaged training step may add to the disagreement of running statistics. Caffe's
 * `sum/s` and PyTorch's `r ← (1 − m)·r + m·batch` are both float32 recurrences: each step rounds on
 * each side (about 2⁻²⁴ relative per rounding), and the rounding errors of the last ~1/(1 − f) steps
 * stay in the estimate. Over thousands of steps two correct implementations thus drift apart by a few
 * 1e-6 (measured: 3e-6 at f = 0.999 and 7e-6 at f = 0.99 after 3000 steps), which a fixed 1e-5 cannot
 * absorb for long runs. 2⁻²³ per remembered step covers both sides' rounding.
 */
export const DRIFT_PER_AVERAGED_STEP = 2 ** -23;

/** The steps a running average with fraction f remembers: 1/(1 − f), every step for f = 1 (cumulative). */
export function averagingMemory(fraction: number): number {
  return fraction >= 1 ? Infinity : 1 / (1 - Math.max(0, fraction));
}

/**
 * The tolerance of quantities accumulated over `steps` training forwards (running statistics, and the
 * evaluation output that normalises with them): `tolerance + 2⁻²³·min(steps, 1/(1 − f))`. Equal to
 * `tolerance` when no step updated the statistics.
 */
export function statisticsTolerance(tolerance: number, steps: number, fraction: number): number {
  return tolerance + DRIFT_PER_AVERAGED_STEP * Math.min(steps, averagingMemory(fraction));
}
