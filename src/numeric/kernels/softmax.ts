/**
 * Softmax as Caffe's SoftmaxLayer::Forward_cpu computes it over an outer × channels × inner buffer.
 */
import { gemvColumnSums } from "../openblas-order.js";

/**
 * For each outer index: the maximum over the channel axis (per inner position), `x − max`
 * (a K = 1 GEMM, one float32 rounding), `exp` (rounded to float32), the sum over channels by
 * a transposed gemv (added in OpenBLAS sgemv_n's order, openblas-order.ts), then one float32
 * division per value.
 */
export function softmax(x: Float32Array, outer: number, channels: number, inner: number, out: Float32Array): void {
  const dim = channels * inner;
  const scale = new Float32Array(inner);
  for (let i = 0; i < outer; i++) {
    const base = i * dim;
    for (let k = 0; k < inner; k++) scale[k] = x[base + k]!;
    for (let j = 0; j < channels; j++) {
      for (let k = 0; k < inner; k++) {
        const v = x[base + j * inner + k]!;
        if (v > scale[k]!) scale[k] = v;
      }
    }
    for (let j = 0; j < channels; j++) {
      for (let k = 0; k < inner; k++) {
        const at = base + j * inner + k;
        out[at] = Math.exp(Math.fround(x[at]! - scale[k]!));
      }
    }
    scale.fill(0);
    gemvColumnSums(out.subarray(base, base + dim), channels, inner, scale);
    for (let j = 0; j < channels; j++) {
      for (let k = 0; k < inner; k++) out[base + j * inner + k] = out[base + j * inner + k]! / scale[k]!;
    }
  }
}
