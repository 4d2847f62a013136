/**
 * The float32 arithmetic of PyTorch 1.13's CPU BatchNorm kernels (aten/src/ATen/native/cpu/
 * batch_norm_kernel.cpp), in their order of operations.
 *
 * What decides the bits, and how it is emulated:
 * - The kernels are compiled per CPU capability; the golden recordings come from the AVX2 build:
 *   `Vectorized<float>` has 8 lanes, and `vec_reduce_all` folds them with a shuffle tree
 *   `((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7))`.
 * - GCC contracts `a*b + c` on vector types into FMA in these kernels (`_mm256_mul_ps` is plain
 *   vector arithmetic to it), so `x·alpha + beta`, `bias − mean·alpha`, `acc + d·dy` and
 *   `(dy − gm) − d·k` round once ({@link fmaf}).
 * - Statistics accumulate in double (`acc_type<float>` on CPU) in the contiguous kernel; inputs with
 *   one value per (n, c) (image_size 1, "NC11 is also channels last") take the channels-last kernels,
 *   which accumulate in float lane buffers.
 * Every recorded PyTorch value of the golden cases is reproduced bit for bit by this file.
 */
import { fmaf } from "./float32.js";

const LANES = 8;

/** ATen's `vec_reduce_all` on AVX2 for a full 8-lane vector: the shuffle tree. */
function reduceLanes(l: Float64Array): number {
  const w0 = Math.fround((l[0] as number) + (l[4] as number));
  const w1 = Math.fround((l[1] as number) + (l[5] as number));
  const w2 = Math.fround((l[2] as number) + (l[6] as number));
  const w3 = Math.fround((l[3] as number) + (l[7] as number));
  return Math.fround(Math.fround(w0 + w2) + Math.fround(w1 + w3));
}

const lanes = new Float64Array(LANES);

/**
 * `vec::reduce_all(+)` over `a[offset .. offset+size)`: fewer than 8 values are added left to right;
 * otherwise 8 lane sums (the first vector, each further full vector, then a partial tail vector that
 * only updates its first lanes) folded by the shuffle tree.
 */
export function vecSum(a: Float32Array, offset: number, size: number): number {
  if (size < LANES) {
    let s = size > 0 ? (a[offset] as number) : 0;
    for (let i = 1; i < size; i++) s = Math.fround(s + (a[offset + i] as number));
    return s;
  }
  for (let q = 0; q < LANES; q++) lanes[q] = a[offset + q] as number;
  let d = LANES;
  const full = size - (size % LANES);
  for (; d < full; d += LANES) {
    for (let q = 0; q < LANES; q++) lanes[q] = Math.fround((lanes[q] as number) + (a[offset + d + q] as number));
  }
  for (let q = 0; q < size - d; q++) lanes[q] = Math.fround((lanes[q] as number) + (a[offset + d + q] as number));
  return reduceLanes(lanes);
}

/**
 * `vec::map2_reduce_all` of `(x − mean)·dy` with `+`: like {@link vecSum}, but after the first vector
 * each product is fused into the lane sum (`fma(d, dy, acc)`); below 8 values the rounded products
 * are added left to right.
 */
export function vecCentredDot(x: Float32Array, dy: Float32Array, offset: number, size: number, mean: number): number {
  const product = (i: number) => Math.fround(Math.fround((x[i] as number) - mean) * (dy[i] as number));
  if (size < LANES) {
    let s = size > 0 ? product(offset) : 0;
    for (let i = 1; i < size; i++) s = Math.fround(s + product(offset + i));
    return s;
  }
  for (let q = 0; q < LANES; q++) lanes[q] = product(offset + q);
  let d = LANES;
  const full = size - (size % LANES);
  const fused = (q: number) => {
    const i = offset + d + q;
    lanes[q] = fmaf(Math.fround((x[i] as number) - mean), dy[i] as number, lanes[q] as number);
  };
  for (; d < full; d += LANES) for (let q = 0; q < LANES; q++) fused(q);
  for (let q = 0; q < size - d; q++) fused(q);
  return reduceLanes(lanes);
}

/** Per-channel batch mean (float) and sum of squared deviations (float), as collect_stats computes them. */
export interface TorchBatchStats {
  readonly mean: Float32Array;
  readonly varSum: Float32Array;
}

/**
 * batch_norm_cpu_collect_stats: contiguous kernel (double sums; `(x − mean)²` rounded to float
 * before it is added), or for image_size 1 the channels-last kernel (float sums over the batch rows;
 * the squares fused into the running sum).
 */
export function torchCollectStats(x: Float32Array, num: number, channels: number, spatial: number): TorchBatchStats {
  const m = num * spatial;
  const mean = new Float32Array(channels);
  const varSum = new Float32Array(channels);
  const channelsLast = spatial === 1 && num > 1;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let n = 0; n < num; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = base; i < base + spatial; i++) sum = channelsLast ? Math.fround(sum + (x[i] as number)) : sum + (x[i] as number);
    }
    const mu = Math.fround(sum / m);
    let sq = 0;
    for (let n = 0; n < num; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = base; i < base + spatial; i++) {
        const d = Math.fround((x[i] as number) - mu);
        sq = channelsLast ? fmaf(d, d, sq) : sq + Math.fround(d * d);
      }
    }
    mean[c] = mu;
    varSum[c] = sq;
  }
  return { mean, varSum };
}

/**
 * The output `y = x·alpha + beta` with `alpha = invstd·w` and `beta = b − mean·alpha`
 * (batch_norm_cpu_collect_linear_and_constant_terms, then the vectorised transform), both fused.
 */
export function torchTransform(
  x: Float32Array,
  y: Float32Array,
  num: number,
  channels: number,
  spatial: number,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  bias: Float32Array | null,
): void {
  for (let c = 0; c < channels; c++) {
    const w = weight === null ? 1 : (weight[c] as number);
    const b = bias === null ? 0 : (bias[c] as number);
    const alpha = Math.fround((invstd[c] as number) * w);
    const beta = fmaf(-(mean[c] as number), alpha, b);
    for (let n = 0; n < num; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = base; i < base + spatial; i++) y[i] = fmaf(x[i] as number, alpha, beta);
    }
  }
}

/**
 * Σdy and Σ(x − mean)·dy of one channel, as the backward kernels reduce them: contiguous — one
 * vectorised reduction per batch item, added in double; image_size 1 (channels-last kernel) — float
 * sums over the batch rows, the products fused.
 */
export function torchBackwardSums(
  x: Float32Array,
  dy: Float32Array,
  num: number,
  channels: number,
  spatial: number,
  c: number,
  mean: number,
): { sum: number; dotp: number } {
  let sum = 0;
  let dotp = 0;
  for (let n = 0; n < num; n++) {
    const base = (n * channels + c) * spatial;
    if (spatial === 1) {
      sum = Math.fround(sum + (dy[base] as number));
      dotp = fmaf(Math.fround((x[base] as number) - mean), dy[base] as number, dotp);
    } else {
      sum += vecSum(dy, base, spatial);
      dotp += vecCentredDot(x, dy, base, spatial, mean);
    }
  }
  return { sum, dotp };
}
