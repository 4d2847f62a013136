/**
 * The float32 error bound of a BatchNorm → Scale forward, from the magnitudes of its operands.
 *
 * Caffe computes `((x − μ)/σ)·γ + β`; PyTorch 1.13 computes `x·α + (β − μ·α)` with `α = γ/σ`
 * (src/numeric/torch-kernels.ts). Each order is backward stable, but their results differ by what
 * float32 cannot resolve: about `u·|μ|·|γ|/σ` (u = 2⁻²⁴) once |μ| ≫ |x − μ|. Measured with
 * PyTorch 1.13 against Caffe's order (μ = 2.5e8, σ = 2.85, γ = 0.9): |Δ| = 3.99 for a bound term
 * u·|μ|·|γ|/σ = 4.79 — less than one ulp of the input (ulp(x)·|γ|/σ = 5.05). Such a difference is
 * the input's own quantisation, not a conversion error, and the output-relative tolerance alone
 * (`|Δ| / max(1, |y|)`) cannot tell it from one: it scales with the output, not with the operands.
 */
import { channelLayout, type Tensor } from "../numeric/tensor.js";

/** float32's unit roundoff. */
export const UNIT_ROUNDOFF = 2 ** -24;

/**
 * Roundings counted on both sides, each worth `u·M` with `M = (|x| + |μ|)·|γ|/σ + |β|`:
 * Caffe 6 (x − μ, var + eps, sqrt ≈ 1.5, ÷σ, ·γ, + β, with the output's own ≤ M),
 * PyTorch 6 (var + eps, sqrt ≈ 1.5, 1/σ, ·γ, β − μα, x·α + β'), and 2 for the converted statistics,
 * which may sit one ulp from Caffe's effective ones (`sum/s` against `sum·fround(1/s)`).
 */
export const FORWARD_ROUNDINGS = 14;

/**
 * Batch statistics add the rounding of two sums over m values on Caffe's side (float32, BLAS order;
 * PyTorch sums in double). Worst case that is (m − 1)·u, but sums of rounding errors of either sign
 * grow like √m (the probabilistic bound of Higham & Mary, 2019); 2·√m keeps a margin of two on it.
 * The worst case would make the bound looser than the output tolerance on ordinary data.
 */
export function summationRoundings(m: number): number {
  return 2 * Math.sqrt(Math.max(1, m));
}

/** Per-channel operands of one forward: the statistics it normalised with, and gamma/beta. */
export interface ForwardOperands {
  readonly mean: ArrayLike<number>;
  readonly variance: ArrayLike<number>;
  readonly eps: number;
  /** null: no Scale (γ = 1). */
  readonly gamma: ArrayLike<number> | null;
  /** null: no beta (β = 0). */
  readonly beta: ArrayLike<number> | null;
  /** The roundings the bound counts: FORWARD_ROUNDINGS, plus summationRoundings(m) for batch statistics. */
  readonly roundings: number;
  /**
   * How far PyTorch's statistics may sit from these (absolute, per channel) after training: the
   * running statistics' own bound (statisticsBoundOfBatch), propagated through the normalisation.
   */
  readonly slack?: { readonly mean: ArrayLike<number>; readonly variance: ArrayLike<number> } | null;
}

/**
 * The bound of one forward as `bound_i = slope_c·|x_i| + offset_c` (channel c of element i), so
 * that it is only evaluated where the output-relative tolerance is exceeded. `mean`/`std` are kept
 * to say in the report how far the statistics outweigh the input's spread.
 */
export interface OperandBound {
  readonly input: Float32Array;
  readonly channels: number;
  readonly spatial: number;
  readonly slope: Float64Array;
  readonly offset: Float64Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** The bound of the forward of `x` with these operands. */
export function outputBound(x: Tensor, operands: ForwardOperands): OperandBound {
  const { channels, spatial } = channelLayout(x.shape);
  const slope = new Float64Array(channels);
  const offset = new Float64Array(channels);
  const mean = new Float64Array(channels);
  const std = new Float64Array(channels);
  const k = operands.roundings * UNIT_ROUNDOFF;
  for (let c = 0; c < channels; c++) {
    const mu = Math.abs(operands.mean[c] ?? 0);
    const sigma = Math.sqrt(Math.max(0, operands.variance[c] ?? 0) + operands.eps);
    const a = Math.abs(operands.gamma === null ? 1 : (operands.gamma[c] ?? 1)) / sigma;
    const b = Math.abs(operands.beta === null ? 0 : (operands.beta[c] ?? 0));
    // A variance off by Δv scales 1/σ by at most r = σ/√(σ² − Δv) − 1 (eps floors the root);
    // a mean off by Δμ shifts the output by Δμ·|γ|/σ·(1 + r).
    const dv = operands.slack?.variance[c] ?? 0;
    const dm = operands.slack?.mean[c] ?? 0;
    const r = dv > 0 ? sigma / Math.sqrt(Math.max(operands.eps, sigma * sigma - dv)) - 1 : 0;
    slope[c] = k * a + a * r;
    offset[c] = k * (mu * a + b) + a * r * mu + dm * a * (1 + r);
    mean[c] = mu;
    std[c] = sigma;
  }
  return { input: x.data, channels, spatial, slope, offset, mean, std };
}

/** The bound at flat index i. */
export function boundAt(bound: OperandBound, i: number): number {
  const c = Math.floor(i / bound.spatial) % bound.channels;
  return (bound.slope[c] as number) * Math.abs(bound.input[i] as number) + (bound.offset[c] as number);
}

/** The channel of flat index i. */
export function channelAt(bound: OperandBound, i: number): number {
  return Math.floor(i / bound.spatial) % bound.channels;
}

/**
 * The exact (double) batch statistics of x per channel, biased variance, as both frameworks
 * normalise with; the bound needs their magnitudes, not their float32 rounding.
 */
export function batchOperandStatistics(x: Tensor): { mean: Float64Array; variance: Float64Array; meanAbs: Float64Array; m: number } {
  const { num, channels, spatial, m } = channelLayout(x.shape);
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const meanAbs = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let sumAbs = 0;
    for (let n = 0; n < num; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = base; i < base + spatial; i++) {
        const v = x.data[i] as number;
        sum += v;
        sumAbs += Math.abs(v);
      }
    }
    const mu = sum / m;
    let sq = 0;
    for (let n = 0; n < num; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = base; i < base + spatial; i++) sq += ((x.data[i] as number) - mu) ** 2;
    }
    mean[c] = mu;
    variance[c] = sq / m;
    meanAbs[c] = sumAbs / m;
  }
  return { mean, variance, meanAbs, m };
}

/**
 * What one batch's rounding can move the running statistics by, per channel, both sides summed:
 * the batch mean by `δ = roundings·u·Σ|x|/m` (a float32 sum's error is relative to Σ|x|, not to
 * |Σx|), the unbiased variance by `(δ² + roundings·u·var)·m/(m − 1)`: Σ(x − μ̂)² = Σ(x − μ)² +
 * m·(μ̂ − μ)² exactly (the cross term vanishes about the exact mean), and each term rounds
 * relatively. A running average of batch values is a convex combination of them, so its error stays
 * below the largest of these.
 */
export function statisticsBoundOfBatch(x: Tensor): { mean: Float64Array; variance: Float64Array } {
  const s = batchOperandStatistics(x);
  const k = (FORWARD_ROUNDINGS + summationRoundings(s.m)) * UNIT_ROUNDOFF;
  const unbias = s.m > 1 ? s.m / (s.m - 1) : 1;
  const mean = s.meanAbs.map((a) => k * a);
  const variance = mean.map((d, c) => (d * d + k * (s.variance[c] as number)) * unbias);
  return { mean, variance };
}

/**
 * The bound of one forward of x: with batch statistics (their exact magnitudes, and the roundings of
 * the sums added) or with the stored statistics the forward read (and `slack`, how far PyTorch's
 * running statistics may have drifted from them within their own bound).
 */
export function forwardBound(
  x: Tensor,
  stored: { readonly mean: ArrayLike<number>; readonly variance: ArrayLike<number> } | null,
  affine: { readonly eps: number; readonly gamma: ArrayLike<number> | null; readonly beta: ArrayLike<number> | null },
  slack: ForwardOperands["slack"] = null,
): OperandBound {
  if (stored !== null) return outputBound(x, { ...stored, ...affine, roundings: FORWARD_ROUNDINGS, slack });
  const batch = batchOperandStatistics(x);
  return outputBound(x, { mean: batch.mean, variance: batch.variance, ...affine, roundings: FORWARD_ROUNDINGS + summationRoundings(batch.m) });
}

/** A per-channel bound of running statistics (no input term), with the channel's |μ| and σ for the report. */
export function vectorBound(bound: Float64Array, mean: ArrayLike<number>, variance: ArrayLike<number>): OperandBound {
  const channels = bound.length;
  return {
    input: new Float32Array(channels),
    channels,
    spatial: 1,
    slope: new Float64Array(channels),
    offset: bound,
    mean: Float64Array.from({ length: channels }, (_, c) => Math.abs(mean[c] ?? 0)),
    std: Float64Array.from({ length: channels }, (_, c) => Math.sqrt(Math.max(0, variance[c] ?? 0))),
  };
}
