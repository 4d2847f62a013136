/**
 * Caffe's BatchNorm layer, computed as BVLC Caffe's CPU BatchNormLayer (Forward_cpu / Backward_cpu)
 * does, in float32.
 *
 * Every float32 operation is a JavaScript double operation followed by a rounding to float32
 * (`Math.fround`, or a store into a Float32Array). For + − × ÷ √ on float32 operands this double
 * rounding is innocuous (53 ≥ 2·24 + 2), so each step gives the float32 result Caffe gets. Where Caffe
 * sums with BLAS gemv, the sums are added in OpenBLAS's kernel order (openblas-order.ts), so batch
 * statistics come out as Caffe's too.
 */
import { caffeStdDev, simdBatchNormNormalize, simdBatchNormTrain } from "./caffe-batch-norm-simd.js";
import { gemvColumnSums, gemvRowSum, gemvRowSumOfSquares, isVectorRow } from "./openblas-order.js";
import { channelLayout, type Tensor } from "./tensor.js";
import { freshFloats } from "./float-pool.js";

/** Caffe's phases; BatchNorm's use_global_stats defaults from them. */
export type CaffePhase = "TRAIN" | "TEST";

/** Caffe's BatchNormParameter defaults (caffe.proto: moving_average_fraction 0.999, eps 1e-5). */
export const CAFFE_BATCH_NORM_DEFAULTS = { movingAverageFraction: 0.999, eps: 1e-5 } as const;

/** batch_norm_param as written in a prototxt; absent fields are null or undefined. */
export interface CaffeBatchNormParam {
  readonly movingAverageFraction?: number | null;
  readonly eps?: number | null;
  readonly useGlobalStats?: boolean | null;
}

/** The values a BatchNorm layer computes with, after Caffe's defaults, held as Caffe holds them. */
export interface CaffeBatchNormSettings {
  /** moving_average_fraction as float32 (0.9 is 0.89999997615814…). */
  readonly movingAverageFraction: number;
  /** eps as float32. */
  readonly eps: number;
  /** Whether the stored statistics are used instead of the batch's. */
  readonly useGlobalStats: boolean;
}

/**
 * Resolves a layer's settings in a phase: use_global_stats defaults to `phase == TEST` (as
 * BatchNormLayer::LayerSetUp does); maf and eps take caffe.proto's defaults and are rounded to float32
 * because Caffe stores them in float fields.
 */
export function caffeBatchNormSettings(param: CaffeBatchNormParam, phase: CaffePhase): CaffeBatchNormSettings {
  return {
    movingAverageFraction: Math.fround(param.movingAverageFraction ?? CAFFE_BATCH_NORM_DEFAULTS.movingAverageFraction),
    eps: Math.fround(param.eps ?? CAFFE_BATCH_NORM_DEFAULTS.eps),
    useGlobalStats: param.useGlobalStats ?? phase === "TEST",
  };
}

/**
 * The three BatchNorm blobs: [0] mean_sum (C), [1] var_sum (C, unbiased), [2] scale_factor (1).
 * The executor updates them in place in training forwards, as Caffe does.
 */
export interface CaffeBatchNormBlobs {
  readonly meanSum: Float32Array;
  readonly varSum: Float32Array;
  /** One value. */
  readonly scaleFactor: Float32Array;
}

/** Zero blobs for `channels` channels, as a freshly set-up BatchNormLayer has. */
export function createCaffeBatchNormBlobs(channels: number): CaffeBatchNormBlobs {
  return {
    meanSum: new Float32Array(channels),
    varSum: new Float32Array(channels),
    scaleFactor: new Float32Array(1),
  };
}

/** Blobs copied from given values (e.g. a caffemodel or a trace); every value is rounded to float32. */
export function caffeBatchNormBlobsFrom(
  meanSum: ArrayLike<number>,
  varSum: ArrayLike<number>,
  scaleFactor: number,
): CaffeBatchNormBlobs {
  return {
    meanSum: Float32Array.from(meanSum),
    varSum: Float32Array.from(varSum),
    scaleFactor: Float32Array.of(scaleFactor),
  };
}

/** The statistics a global-stats forward normalises with. */
export interface CaffeEffectiveStats {
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

/**
 * The effective statistics: `factor = s == 0 ? 0 : fround(1/s)`, then `mean_sum·factor` and
 * `var_sum·factor` in float32. Caffe multiplies by the reciprocal (caffe_cpu_scale); it does not
 * divide, and with s = 0 both statistics are 0.
 */
export function caffeEffectiveStats(blobs: CaffeBatchNormBlobs): CaffeEffectiveStats {
  const s = blobs.scaleFactor[0] as number;
  const factor = s === 0 ? 0 : Math.fround(1 / s);
  const channels = blobs.meanSum.length;
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    mean[c] = (blobs.meanSum[c] as number) * factor;
    variance[c] = (blobs.varSum[c] as number) * factor;
  }
  return { mean, variance };
}

/** What a forward leaves for the backward, as Caffe's layer keeps x_norm_ and temp_. */
export interface CaffeBatchNormForward {
  /** The normalised output (x_norm). */
  readonly top: Tensor;
  /** The per-channel mean used (batch or effective). */
  readonly mean: Float32Array;
  /** The per-channel variance used (biased batch variance or effective). */
  readonly variance: Float32Array;
  /** Per channel `fround(sqrt(fround(var + eps)))`, the divisor (Caffe's temp_ before broadcast). */
  readonly stdDev: Float32Array;
  /** Whether the stored statistics were used. */
  readonly useGlobalStats: boolean;
}

/**
 * Per-channel sums of a row-major N×C×S buffer the way Caffe's two gemv calls form them: each (n, c)
 * row is summed and scaled by `alpha` (sgemv_t), then the N row results of a channel are added
 * (sgemv_n). `fillRow` writes one row of values to sum into `scratch` (Caffe materialises them
 * too: caffe_mul writes a temporary blob before the gemv).
 */
export function caffeChannelSums(
  num: number,
  channels: number,
  spatial: number,
  alpha: number,
  fillRow: (row: number, scratch: Float32Array) => void,
): Float32Array {
  const rows = num * channels;
  const numByChans = new Float32Array(rows);
  const scratch = new Float32Array(spatial);
  for (let r = 0; r < rows; r++) {
    fillRow(r, scratch);
    numByChans[r] = gemvRowSum(scratch, 0, spatial, alpha, 0, isVectorRow(r, rows));
  }
  const sums = new Float32Array(channels);
  gemvColumnSums(numByChans, num, channels, sums);
  return sums;
}

/**
 * The per-channel batch mean and biased variance, as Forward_cpu computes them: gemv with
 * `alpha = fround(1/m)` over the input for the mean; then Caffe writes the centred values
 * `fround(x − mean)` to its top and sums their squares (caffe_sqr) the same way for the variance.
 * The centred values are left in `centred`.
 */
function batchStats(x: Float32Array, num: number, channels: number, spatial: number, centred: Float32Array) {
  const m = num * spatial;
  const invM = Math.fround(1 / m);
  const rows = num * channels;
  const rowSums = new Float32Array(rows);
  for (let r = 0; r < rows; r++) rowSums[r] = gemvRowSum(x, r * spatial, spatial, invM, 0, isVectorRow(r, rows));
  const mean = new Float32Array(channels);
  gemvColumnSums(rowSums, num, channels, mean);
  for (let r = 0; r < rows; r++) {
    const mu = mean[r % channels] as number;
    rowSums[r] = gemvRowSumOfSquares(x, r * spatial, spatial, mu, invM, isVectorRow(r, rows), centred);
  }
  const variance = new Float32Array(channels);
  gemvColumnSums(rowSums, num, channels, variance);
  return { mean, variance, m };
}

/**
 * Folds one batch into the blobs, in the order of BatchNormLayer::Forward_cpu:
 * `s ← s·maf + 1`, `mean_sum ← mean + maf·mean_sum`, `var_sum ← k·var + maf·var_sum` with
 * `k = m/(m−1)` (1 when m = 1) — Caffe stores the unbiased variance sum.
 */
function updateBlobs(
  blobs: CaffeBatchNormBlobs,
  mean: Float32Array,
  variance: Float32Array,
  m: number,
  maf: number,
): void {
  blobs.scaleFactor[0] = Math.fround((blobs.scaleFactor[0] as number) * maf) + 1;
  const k = m > 1 ? Math.fround(m / (m - 1)) : 1;
  for (let c = 0; c < mean.length; c++) {
    blobs.meanSum[c] = (mean[c] as number) + Math.fround(maf * (blobs.meanSum[c] as number));
    blobs.varSum[c] = Math.fround(k * (variance[c] as number)) + Math.fround(maf * (blobs.varSum[c] as number));
  }
}

/**
 * BatchNorm forward: `y = fround(fround(x − mean) / fround(sqrt(fround(var + eps))))` per element.
 *
 * With batch statistics (use_global_stats false, in either phase) the blobs are updated in the same
 * forward, as Caffe does. With global statistics the blobs are read, never written.
 *
 * Runs on the WebAssembly SIMD kernels (caffe-batch-norm-simd.ts) where the engine has them, and
 * otherwise as {@link caffeBatchNormForwardScalar}; both give the same bits.
 *
 * @param out optional buffer for the top (length numel); a fresh one is allocated otherwise.
 */
export function caffeBatchNormForward(
  bottom: Tensor,
  blobs: CaffeBatchNormBlobs,
  settings: CaffeBatchNormSettings,
  out?: Float32Array,
): CaffeBatchNormForward {
  return forward(bottom, blobs, settings, out, true);
}

/**
 * {@link caffeBatchNormForward} in scalar JavaScript only: the reference the SIMD path is tested
 * against, and what runs where WebAssembly SIMD is missing.
 *
 * The division is done as a multiplication by the double reciprocal of the float32 divisor: for
 * float32 operands the exact quotient is at least 2⁻⁴⁹ (relative) away from any float32 rounding
 * midpoint, and the double product errs by at most ~2⁻⁵², so rounding it to float32 gives exactly the
 * float32 quotient Caffe's caffe_div computes — at a fraction of a division's cost.
 */
export function caffeBatchNormForwardScalar(
  bottom: Tensor,
  blobs: CaffeBatchNormBlobs,
  settings: CaffeBatchNormSettings,
  out?: Float32Array,
): CaffeBatchNormForward {
  return forward(bottom, blobs, settings, out, false);
}

function forward(
  bottom: Tensor,
  blobs: CaffeBatchNormBlobs,
  settings: CaffeBatchNormSettings,
  out: Float32Array | undefined,
  simd: boolean,
): CaffeBatchNormForward {
  const { num, channels, spatial } = channelLayout(bottom.shape);
  const x = bottom.data;
  const y = out ?? freshFloats(x.length);
  const result = (mean: Float32Array, variance: Float32Array, stdDev: Float32Array): CaffeBatchNormForward => ({
    top: { shape: [...bottom.shape], data: y },
    mean,
    variance,
    stdDev,
    useGlobalStats: settings.useGlobalStats,
  });
  const useSimd = simd && x.length > 0;
  if (settings.useGlobalStats) {
    const { mean, variance } = caffeEffectiveStats(blobs);
    const stdDev = variance.map((v) => caffeStdDev(v, settings.eps));
    if (!(useSimd && simdBatchNormNormalize(x, num, channels, spatial, mean, stdDev, y))) {
      normalizeScalar(x, num, channels, spatial, mean, stdDev, y);
    }
    return result(mean, variance, stdDev);
  }
  const fast = useSimd ? simdBatchNormTrain(x, num, channels, spatial, settings.eps, y) : null;
  if (fast !== null) {
    updateBlobs(blobs, fast.mean, fast.variance, num * spatial, settings.movingAverageFraction);
    return result(fast.mean, fast.variance, fast.stdDev);
  }
  // Leaves fround(x − mean) in y, as Caffe's top holds it before the division.
  const stats = batchStats(x, num, channels, spatial, y);
  updateBlobs(blobs, stats.mean, stats.variance, stats.m, settings.movingAverageFraction);
  const stdDev = stats.variance.map((v) => caffeStdDev(v, settings.eps));
  for (let c = 0; c < channels; c++) {
    const reciprocal = 1 / (stdDev[c] as number);
    for (let n = 0; n < num; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = base, end = base + spatial; i < end; i++) y[i] = (y[i] as number) * reciprocal;
    }
  }
  return result(stats.mean, stats.variance, stdDev);
}

/** `y = fround(fround(x − mean[c]) / stdDev[c])`, the global-statistics forward in scalar code. */
function normalizeScalar(
  x: Float32Array,
  num: number,
  channels: number,
  spatial: number,
  mean: Float32Array,
  stdDev: Float32Array,
  y: Float32Array,
): void {
  for (let c = 0; c < channels; c++) {
    const mu = mean[c] as number;
    const reciprocal = 1 / (stdDev[c] as number);
    for (let n = 0; n < num; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = base, end = base + spatial; i < end; i++) y[i] = Math.fround((x[i] as number) - mu) * reciprocal;
    }
  }
}

/**
 * BatchNorm backward for the input, as BatchNormLayer::Backward_cpu computes it.
 *
 * Global statistics: `dx = dy / sd` (the statistics are constants).
 * Batch statistics, with y the forward's x_norm and sums over all but the channel axis:
 * `dx = (dy − mean(dy) − mean(dy·y)·y) / sd`, evaluated in Caffe's order and rounding:
 * `t = fround(fround(y·Σ(dy·y)) + Σdy)`, `u = fround(dy + fround(t·fround(−1/m)))`, `dx = fround(u / sd)`.
 *
 * Like Caffe's layer, it ignores propagate_down: whoever calls it decides whether the input gradient
 * is wanted (see caffe-diff-rule.ts).
 */
export function caffeBatchNormBackward(topDiff: Tensor, forward: CaffeBatchNormForward, out?: Float32Array): Tensor {
  const { num, channels, spatial, m } = channelLayout(topDiff.shape);
  const dy = topDiff.data;
  const y = forward.top.data;
  const dx = out ?? new Float32Array(dy.length);
  const negInvM = Math.fround(-1 / m);
  const batch = !forward.useGlobalStats;
  // Σ(dy·y) and Σdy per channel, through the same gemv pair as the forward statistics.
  const sumDyY = batch
    ? caffeChannelSums(num, channels, spatial, 1, (r, row) => {
        for (let i = 0, base = r * spatial; i < spatial; i++) row[i] = (y[base + i] as number) * (dy[base + i] as number);
      })
    : null;
  const sumDy = batch
    ? caffeChannelSums(num, channels, spatial, 1, (r, row) => row.set(dy.subarray(r * spatial, (r + 1) * spatial)))
    : null;
  for (let c = 0; c < channels; c++) {
    const reciprocal = 1 / (forward.stdDev[c] as number);
    if (sumDyY === null || sumDy === null) {
      for (let n = 0; n < num; n++) {
        const base = (n * channels + c) * spatial;
        for (let i = base; i < base + spatial; i++) dx[i] = (dy[i] as number) * reciprocal;
      }
      continue;
    }
    const dyY = sumDyY[c] as number;
    const dySum = sumDy[c] as number;
    for (let n = 0; n < num; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = base; i < base + spatial; i++) {
        const t = Math.fround(Math.fround((y[i] as number) * dyY) + dySum);
        const u = Math.fround((dy[i] as number) + Math.fround(t * negInvM));
        dx[i] = u * reciprocal;
      }
    }
  }
  return { shape: [...topDiff.shape], data: dx };
}
