/**
 * The Caffe BatchNorm forward on the WebAssembly SIMD kernels (batch-norm-kernels.ts), channel by
 * channel: a channel's N rows are copied into the kernels' memory once, and its row sums, mean,
 * squared deviations, variance and normalised top are all computed while the rows are in cache,
 * instead of three passes over the whole tensor. Every value is the one the scalar executor
 * (caffe-batch-norm.ts) computes: the same float32 operations, added in the same OpenBLAS order.
 */
import { batchNormKernels, loadChannel, storeChannel, type BatchNormKernels } from "./batch-norm-kernels.js";
import { gemvColumnSum, gemvRowSumWith, isVectorRow, type RowKernel } from "./openblas-order.js";

/** Batch statistics and the divisor per channel, as the train forward computes them. */
export interface SimdBatchStats {
  readonly mean: Float32Array;
  readonly variance: Float32Array;
  readonly stdDev: Float32Array;
}

/** The divisor Caffe uses: `fround(sqrt(fround(var + eps)))`. */
export function caffeStdDev(variance: number, eps: number): number {
  return Math.fround(Math.sqrt(Math.fround(variance + eps)));
}

/** Reserves a channel (`num·spatial` floats) plus one row of scratch; null when that cannot be had. */
function kernelsFor(num: number, spatial: number): BatchNormKernels | null {
  const k = batchNormKernels();
  return k !== null && k.reserve(num * spatial + spatial) ? k : null;
}

/**
 * Train forward with batch statistics: fills `y` with `fround(fround(x − mean) / sd)` and returns
 * the statistics, exactly as caffe-batch-norm.ts's scalar path; null when the kernels are not
 * available (the caller then runs the scalar path).
 */
export function simdBatchNormTrain(
  x: Float32Array,
  num: number,
  channels: number,
  spatial: number,
  eps: number,
  y: Float32Array,
): SimdBatchStats | null {
  const k = kernelsFor(num, spatial);
  if (k === null) return null;
  const invM = Math.fround(1 / (num * spatial));
  const rows = num * channels;
  const rowSums = new Float32Array(rows);
  const rowSquares = new Float32Array(rows);
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  const stdDev = new Float32Array(channels);
  const sum8: RowKernel = (_a, offset, n) => k.sum8(offset, n);
  const scratch = num * spatial;
  // The fused squares kernel covers the rows scalar code sums in one block without a tail.
  const fused = spatial >= 4 && spatial < 4096 && (spatial & 3) === 0;
  for (let c = 0; c < channels; c++) {
    loadChannel(k, x, num, channels, spatial, c);
    for (let n = 0; n < num; n++) {
      const r = n * channels + c;
      rowSums[r] = gemvRowSumWith(sum8, k.memory, n * spatial, spatial, invM, 0, isVectorRow(r, rows));
    }
    const mu = gemvColumnSum(rowSums, num, channels, c);
    mean[c] = mu;
    for (let n = 0; n < num; n++) {
      const r = n * channels + c;
      const vectorRow = isVectorRow(r, rows);
      if (fused && vectorRow) {
        rowSquares[r] = Math.fround(k.sumOfSquares8(n * spatial, spatial, mu) * invM);
      } else {
        k.squares(n * spatial, scratch, spatial, mu);
        rowSquares[r] = gemvRowSumWith(sum8, k.memory, scratch, spatial, invM, 0, vectorRow);
      }
    }
    const v = gemvColumnSum(rowSquares, num, channels, c);
    variance[c] = v;
    const sd = caffeStdDev(v, eps);
    stdDev[c] = sd;
    k.normalize(0, 0, num * spatial, mu, sd);
    storeChannel(k, y, num, channels, spatial, c);
  }
  return { mean, variance, stdDev };
}

/** Floats the global-statistics forward copies into the kernels' memory at a time (256 KiB). */
const CHUNK = 1 << 16;

/**
 * Forward with given statistics: fills `y` with `fround(fround(x − mean[c]) / stdDev[c])`; false
 * when the kernels are not available. No reduction here, so the tensor goes through in contiguous
 * chunks of whole rows (large copies), each row normalised with its channel's statistics.
 */
export function simdBatchNormNormalize(
  x: Float32Array,
  num: number,
  channels: number,
  spatial: number,
  mean: Float32Array,
  stdDev: Float32Array,
  y: Float32Array,
): boolean {
  const chunkRows = Math.max(1, Math.floor(CHUNK / spatial));
  const k = batchNormKernels();
  if (k === null || !k.reserve(chunkRows * spatial)) return false;
  const memory = k.memory;
  const rows = num * channels;
  for (let first = 0; first < rows; first += chunkRows) {
    const count = Math.min(chunkRows, rows - first);
    const start = first * spatial;
    const end = start + count * spatial;
    memory.set(x.subarray(start, end), 0);
    for (let i = 0, c = first % channels; i < count; i++, c = c + 1 === channels ? 0 : c + 1) {
      k.normalize(i * spatial, i * spatial, spatial, mean[c] as number, stdDev[c] as number);
    }
    y.set(memory.subarray(0, end - start), start);
  }
  return true;
}
