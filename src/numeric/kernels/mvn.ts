/**
 * Mean-variance normalisation as Caffe's MVNLayer::Forward_cpu computes it, over `rows` rows of
 * `dim` values (rows = N·C, or N with across_channels).
 */
import { gemvRowSum, isVectorRow } from "../openblas-order.js";

/**
 * Each row's mean is a gemv with alpha `fround(1/dim)` (summed in OpenBLAS sgemv_t's order); the
 * centred value is `x + (−mean)`; with `normalizeVariance`, the variance is the same gemv over the
 * squared centred values, then `pow(var, 0.5) + eps` and one float32 division.
 */
export function mvn(x: Float32Array, rows: number, dim: number, normalizeVariance: boolean, eps: number, out: Float32Array): void {
  const alpha = Math.fround(1 / dim);
  const squares = normalizeVariance ? new Float32Array(dim) : null;
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    const vector = isVectorRow(r, rows);
    const mean = gemvRowSum(x, base, dim, alpha, 0, vector);
    for (let i = base; i < base + dim; i++) out[i] = x[i]! + -mean;
    if (!squares) continue;
    for (let i = 0; i < dim; i++) squares[i] = out[base + i]! * out[base + i]!;
    const variance = gemvRowSum(squares, 0, dim, alpha, 0, vector);
    const sd = Math.fround(Math.fround(Math.pow(variance, 0.5)) + eps);
    for (let i = base; i < base + dim; i++) out[i] = out[i]! / sd;
  }
}
