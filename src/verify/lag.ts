/**
 * The lag of PyTorch's plain momentum mapping behind Caffe's running statistics, with its prediction.
 *
 * Caffe (BatchNormLayer::Forward_cpu) keeps sums with s_k = Σ_{j<k} f^j and normalises with sum/s,
 * a bias-corrected average from the first step. torch.nn.BatchNorm with momentum 1 − f keeps
 * `r ← f·r + (1 − f)·batch`, starting from its initial buffers (mean 0, variance 1). Since
 * (1 − f)·s_k = 1 − f^k, after k updates
 *
 *     torch_k = (1 − f^k)·caffe_k + f^k·init,   so   torch_k − caffe_k = f^k·(init − caffe_k):
 *
 * the gap is the initial value's remaining weight f^k times its distance from Caffe's estimate. The
 * tracker measures the gap per step and how closely the relation holds.
 *
 * Continuing from trained statistics (`verify --weights`): Caffe's blobs start at s₀ > 0 and PyTorch's
 * buffers at Caffe's effective statistics caffe_0 = sum₀/s₀. With s_k = f^k·s₀ + (1 − f^k)/(1 − f),
 * the same algebra gives
 *
 *     torch_k = (1 − w_k)·caffe_k + w_k·init,   w_k = (1 − (1 − f)·s₀)·f^k:
 *
 * the relation above with the initial weight scaled by how far s₀ is from its limit 1/(1 − f) — the
 * lag is smaller the longer Caffe trained, and vanishes once s₀ has converged (s₀ = 0: the fresh case).
 */
import { stepsUntilBelow } from "../convert/decimal.js";
import type { LagReport, LagStep } from "./types.js";

/**
 * The scaled tolerance of the relation. It holds exactly in real arithmetic; in float32, PyTorch's
 * decay 1 − fround(1 − f) differs from Caffe's fround(f) by up to ~1.3e-8 (f = 0.999), which
 * compounds to ~k·1.3e-8 of f^k·|init − caffe| (largest, ~5e-6·|init − caffe|, near k = 1/(1 − f)),
 * and both running averages accumulate float32 rounding. 1e-4 leaves room for that and still rejects
 * any other cause of a gap (a wrong momentum shifts f^k by orders more).
 */
export const LAG_RELATION_TOLERANCE = 1e-4;

/** The initial value's weight below which it counts as forgotten (as convert's notes count it). */
const FORGOTTEN = 1e-3;

/** Steps 1, 2, 5, 10, 20, 50, … up to `steps`, and `steps` itself. */
export function sampleSteps(steps: number): number[] {
  const out: number[] = [];
  for (let decade = 1; decade <= steps; decade *= 10) {
    for (const m of [1, 2, 5]) if (m * decade <= steps) out.push(m * decade);
  }
  if (out[out.length - 1] !== steps && steps > 0) out.push(steps);
  return out;
}

/** Accumulates the per-step gaps of the plain mapping's running statistics. */
export class LagTracker {
  private readonly samples = new Set<number>();
  private readonly perStep: LagStep[] = [];
  private last: LagStep | null = null;
  private relationMaxError = 0;
  private relationBounded = 0;

  /** `1 − (1 − f)·s₀`: the initial value's weight before any step. */
  private readonly startWeight: number;

  /**
   * @param maf Caffe's moving_average_fraction as float32.
   * @param momentum PyTorch's momentum, for the report.
   * @param initMean PyTorch's initial running_mean; @param initVar its initial running_var.
   * @param startScaleFactor Caffe's scale factor before the first step (0 for fresh blobs).
   */
  constructor(
    private readonly maf: number,
    private readonly momentum: number | null,
    private readonly initMean: Float32Array,
    private readonly initVar: Float32Array,
    steps: number,
    private readonly startScaleFactor = 0,
  ) {
    for (const k of sampleSteps(steps)) this.samples.add(k);
    this.startWeight = 1 - (1 - maf) * startScaleFactor;
  }

  /**
   * Records step k: PyTorch's running statistics and Caffe's effective ones after k updates. `bound`
   * (float32-bound.ts, per channel) is how far float32 rounding alone may move the statistics: a
   * residual within it cannot test the relation and is not held against it (it is counted).
   */
  add(
    k: number,
    torchMean: Float32Array,
    torchVar: Float32Array,
    caffeMean: Float32Array,
    caffeVar: Float32Array,
    bound: { readonly mean: ArrayLike<number>; readonly variance: ArrayLike<number> } | null = null,
  ): void {
    const weight = this.startWeight * Math.pow(this.maf, k);
    const mean = this.gaps(weight, torchMean, caffeMean, this.initMean, bound?.mean ?? null);
    const variance = this.gaps(weight, torchVar, caffeVar, this.initVar, bound?.variance ?? null);
    const step: LagStep = {
      step: k,
      init_weight: weight,
      running_mean_gap: mean.gap,
      predicted_mean_gap: mean.predicted,
      running_var_gap: variance.gap,
      predicted_var_gap: variance.predicted,
    };
    this.last = step;
    if (this.samples.has(k)) this.perStep.push(step);
  }

  private gaps(weight: number, torch: Float32Array, caffe: Float32Array, init: Float32Array, bound: ArrayLike<number> | null) {
    let gap = 0;
    let predicted = 0;
    for (let c = 0; c < torch.length; c++) {
      const t = torch[c] as number;
      const ref = caffe[c] as number;
      const i0 = init[c] as number;
      gap = Math.max(gap, Math.abs(t - ref));
      predicted = Math.max(predicted, Math.abs(weight * (i0 - ref)));
      const expected = (1 - weight) * ref + weight * i0;
      const residual = Math.abs(t - expected) / Math.max(1, Math.abs(expected));
      if (residual > LAG_RELATION_TOLERANCE && bound !== null && Math.abs(t - expected) <= (bound[c] as number)) {
        this.relationBounded += 1;
        continue;
      }
      if (!(residual <= this.relationMaxError)) this.relationMaxError = Number.isNaN(residual) ? Infinity : residual;
    }
    return { gap, predicted };
  }

  /** The report after the last step; null when no step was recorded. */
  report(): LagReport | null {
    if (this.last === null) return null;
    // |w₀|·f^k < 1e-3 ⇔ f^k < 1e-3/|w₀|; already forgotten (0 steps) when |w₀| is below it.
    const w0 = Math.abs(this.startWeight);
    const forgotten = w0 < FORGOTTEN ? 0 : stepsUntilBelow(this.maf, FORGOTTEN / w0);
    return {
      moving_average_fraction: this.maf,
      momentum: this.momentum,
      start_scale_factor: this.startScaleFactor,
      start_weight: this.startWeight,
      init_weight: this.last.init_weight,
      steps_until_forgotten: Number.isFinite(forgotten) ? forgotten : null,
      final: this.last,
      per_step: this.perStep,
      relation_max_error: this.relationMaxError,
      relation_holds: this.relationMaxError <= LAG_RELATION_TOLERANCE,
      relation_tolerance: LAG_RELATION_TOLERANCE,
      relation_float32_bound: this.relationBounded,
    };
  }
}
