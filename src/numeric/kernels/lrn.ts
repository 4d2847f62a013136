/**
 * Local response normalisation as Caffe's LRNLayer computes it on the CPU (N × C × H × W).
 */
import { fmaf } from "../float32.js";
import { avePool } from "./pool.js";

/** LRN's float parameters, already float32 (Caffe holds them in float fields). */
export interface LrnSpec {
  localSize: number;
  alpha: number;
  beta: number;
  k: number;
}

/**
 * ACROSS_CHANNELS (CrossChannelForward_cpu): the scale of channel 0 is `k` plus `α/n`·x² of the
 * first channels of a zero-padded square buffer, added one channel at a time with axpy (a fused
 * multiply-add in OpenBLAS); every later channel copies the previous scale, adds the channel
 * entering the window and subtracts the one leaving it — a running sum, not a fresh one per
 * channel. Then `y = x · scale^−β` (powx, then mul).
 *
 * @param squared multiply `scale^−β` by itself instead of by x (what Caffe computes in place, where
 *   powx has already overwritten x)
 */
export function lrnAcrossChannels(x: Float32Array, shape: readonly number[], spec: LrnSpec, out: Float32Array, squared = false): void {
  const [num, channels, height, width] = shape as [number, number, number, number];
  const spatial = height * width;
  const size = spec.localSize;
  const prePad = (size - 1) / 2;
  const alphaOverSize = Math.fround(spec.alpha / size);
  const negAlphaOverSize = -alphaOverSize;
  const negBeta = Math.fround(-spec.beta);
  const padded = new Float32Array((channels + size - 1) * spatial);
  const scale = new Float32Array(num * channels * spatial).fill(spec.k);
  for (let n = 0; n < num; n++) {
    const xb = n * channels * spatial;
    for (let i = 0; i < channels * spatial; i++) {
      const v = x[xb + i]!;
      padded[prePad * spatial + i] = v * v;
    }
    const s0 = n * channels * spatial;
    for (let c = 0; c < size; c++) {
      for (let i = 0; i < spatial; i++) scale[s0 + i] = fmaf(alphaOverSize, padded[c * spatial + i]!, scale[s0 + i]!);
    }
    for (let c = 1; c < channels; c++) {
      const sc = s0 + c * spatial;
      const head = (c + size - 1) * spatial;
      const tail = (c - 1) * spatial;
      for (let i = 0; i < spatial; i++) {
        let s = scale[sc - spatial + i]!;
        s = fmaf(alphaOverSize, padded[head + i]!, s);
        scale[sc + i] = fmaf(negAlphaOverSize, padded[tail + i]!, s);
      }
    }
  }
  for (let i = 0; i < out.length; i++) {
    const p = Math.fround(Math.pow(scale[i]!, negBeta));
    out[i] = p * (squared ? p : x[i]!);
  }
}

/**
 * WITHIN_CHANNEL (WithinChannelForward): Caffe chains internal layers — Power (x²), AVE pooling
 * (kernel n, pad (n−1)/2, stride 1: divisor n² everywhere), Power (`(1 + α·avg)^−β`, as scale α,
 * shift 1, power −β), and an Eltwise PROD with x — each rounding to float32.
 */
export function lrnWithinChannel(x: Float32Array, shape: readonly number[], spec: LrnSpec, out: Float32Array): void {
  const [num, channels, height, width] = shape as [number, number, number, number];
  const size = spec.localSize;
  const pad = (size - 1) / 2;
  const squares = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) squares[i] = x[i]! * x[i]!;
  const pooled = new Float32Array(x.length);
  avePool(squares, num * channels, {
    height,
    width,
    pooledHeight: height,
    pooledWidth: width,
    kernelH: size,
    kernelW: size,
    strideH: 1,
    strideW: 1,
    padH: pad,
    padW: pad,
  }, pooled);
  const power = Math.fround(-spec.beta);
  for (let i = 0; i < x.length; i++) {
    let v = pooled[i]!;
    if (spec.alpha !== 1) v = Math.fround(v * spec.alpha);
    v = Math.fround(v + 1);
    out[i] = Math.fround(Math.pow(v, power)) * x[i]!;
  }
}
