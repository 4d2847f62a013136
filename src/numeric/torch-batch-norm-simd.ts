/**
 * The PyTorch executor's statistics and output transform (torch-kernels.ts) on the WebAssembly
 * kernels of batch-norm-kernels.ts, with the same bits.
 *
 * - Statistics: ATen's contiguous kernel adds in a plain double loop, one value after the other;
 *   the kernel does the same additions in the same order (no lanes: the order is sequential), but
 *   without JavaScript's per-element overhead, on a channel copied into its memory.
 * - Transform: `fmaf(x, alpha, beta)` as double product and sum rounded to float32, two lanes of
 *   doubles at a time; the rare lanes where that double rounding could differ from a single
 *   rounding (fmaf's tie case) are flagged by the kernel and recomputed here with fmaf itself.
 */
import { batchNormKernels, loadChannel } from "./batch-norm-kernels.js";
import { fmaf } from "./float32.js";
import type { TorchBatchStats } from "./torch-kernels.js";

/** Rows shorter than this go through the scalar transform (a kernel call per row would cost more). */
const MIN_SPATIAL = 8;
/** Floats the transform copies into the kernels' memory at a time (256 KiB). */
const CHUNK = 1 << 16;

/**
 * torchCollectStats of torch-kernels.ts for the contiguous kernel (double sums); null for inputs
 * that take the channels-last kernels (spatial 1, batch > 1) or when the kernels are not available.
 */
export function simdTorchCollectStats(x: Float32Array, num: number, channels: number, spatial: number): TorchBatchStats | null {
  if (spatial === 1 && num > 1) return null;
  const k = batchNormKernels();
  const size = num * spatial;
  if (k === null || size === 0 || !k.reserve(size)) return null;
  const mean = new Float32Array(channels);
  const varSum = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    loadChannel(k, x, num, channels, spatial, c);
    const mu = Math.fround(k.doubleSum(0, size, 0) / size);
    mean[c] = mu;
    varSum[c] = k.doubleSumOfSquares(0, size, mu, 0);
  }
  return { mean, varSum };
}

/**
 * torchTransform of torch-kernels.ts: `y = fmaf(x, alpha, beta)` with `alpha = fround(invstd·w)`,
 * `beta = fmaf(−mean, alpha, b)`; false (nothing written) when rows are short or the kernels are
 * not available.
 */
export function simdTorchTransform(
  x: Float32Array,
  y: Float32Array,
  num: number,
  channels: number,
  spatial: number,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  bias: Float32Array | null,
): boolean {
  if (spatial < MIN_SPATIAL) return false;
  const chunkRows = Math.max(1, Math.floor(CHUNK / spatial));
  const flagsAt = chunkRows * spatial;
  const k = batchNormKernels();
  if (k === null || !k.reserve(flagsAt + (spatial >> 2) + 1)) return false;
  const alphas = new Float64Array(channels);
  const betas = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const alpha = Math.fround((invstd[c] as number) * (weight === null ? 1 : (weight[c] as number)));
    alphas[c] = alpha;
    betas[c] = fmaf(-(mean[c] as number), alpha, bias === null ? 0 : (bias[c] as number));
  }
  const memory = k.memory;
  const vectorPart = spatial & -4;
  const rows = num * channels;
  for (let first = 0; first < rows; first += chunkRows) {
    const count = Math.min(chunkRows, rows - first);
    const start = first * spatial;
    memory.set(x.subarray(start, start + count * spatial), 0);
    for (let i = 0, c = first % channels; i < count; i++, c = c + 1 === channels ? 0 : c + 1) {
      const alpha = alphas[c] as number;
      const beta = betas[c] as number;
      const at = i * spatial;
      const flagged = k.fmaTransform(at, at, vectorPart, alpha, beta, flagsAt);
      if (flagged > 0) {
        const groups = new Int32Array(memory.buffer, flagsAt * 4, flagged);
        for (const address of groups) {
          const local = address >> 2;
          for (let q = local; q < local + 4; q++) memory[q] = fmaf(x[start + q] as number, alpha, beta);
        }
      }
      for (let q = at + vectorPart; q < at + spatial; q++) memory[q] = fmaf(x[start + q] as number, alpha, beta);
    }
    y.set(memory.subarray(0, count * spatial), start);
  }
  return true;
}
