/**
 * Scale and Bias over an outer × dim × inner buffer, one parameter value per dim index, as Caffe's
 * ScaleLayer (caffe_cpu_scale per run) and BiasLayer (a K = 1 GEMM adding `bias·1`) compute them:
 * one float32 product or sum per value.
 */

/** `out = x · scale[d]`. */
export function scaleRuns(x: Float32Array, outer: number, dim: number, inner: number, scale: Float32Array, out: Float32Array): void {
  for (let n = 0; n < outer; n++) {
    for (let d = 0; d < dim; d++) {
      const s = scale[d]!;
      const base = (n * dim + d) * inner;
      for (let i = base; i < base + inner; i++) out[i] = x[i]! * s;
    }
  }
}

/** `out = x + bias[d]`. */
export function biasRuns(x: Float32Array, outer: number, dim: number, inner: number, bias: Float32Array, out: Float32Array): void {
  for (let n = 0; n < outer; n++) {
    for (let d = 0; d < dim; d++) {
      const b = bias[d]!;
      const base = (n * dim + d) * inner;
      for (let i = base; i < base + inner; i++) out[i] = x[i]! + b;
    }
  }
}
