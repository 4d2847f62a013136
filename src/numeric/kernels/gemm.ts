/**
 * The matrix products Caffe's convolution and InnerProduct layers hand to BLAS (`caffe_cpu_gemm`),
 * in float32 storage: {@link gemmNN} (`C = A·B`, the layout of Caffe's own forward: weights × column
 * buffer) and {@link gemmNT} (`C = A·Bᵀ`, InnerProduct's weights).
 *
 * Products of at least {@link SIMD_MIN_PRODUCT} multiply-adds run on the WebAssembly SIMD kernel
 * (gemm-simd.ts): float32 products summed in float32 over chunks of 32 k, in double across chunks,
 * rounded once. Smaller ones, and engines without SIMD, take the scalar path here: every product of
 * two float32 values is exact in double, each output is summed over k in index order in a double
 * and rounded to float32 once. OpenBLAS instead keeps float32 accumulators over its whole K block and
 * fuses each step (`vfmadd231ps`): both paths agree with it to within its own float32 rounding
 * error, which DESIGN.md accepts ("whose summation order is not worth emulating"); neither is bit
 * for bit OpenBLAS's.
 */
import { simdGemm } from "./gemm-simd.js";

/** Multiply-adds (m·n·k) from which a product goes to the SIMD kernel (below, copies cost more than they save). */
export const SIMD_MIN_PRODUCT = 1 << 15;

/** A matrix in a flat float32 buffer: element (i, j) at `offset + i·stride + j`. */
export interface MatrixView {
  data: Float32Array;
  offset: number;
  /** Distance between rows (≥ the row length). */
  stride: number;
}

/** Bytes of B rows kept hot per column block (about half of a 256 KiB L2). */
const BLOCK_BYTES = 128 * 1024;

/**
 * `C[i][j] = Σ_k A[i][k]·B[j][k]` for i < m, j < n (C is overwritten).
 *
 * @param m rows of A and C
 * @param n rows of B, columns of C
 * @param k the shared dimension
 */
export function gemmNT(m: number, n: number, k: number, a: MatrixView, b: MatrixView, c: MatrixView): void {
  if (m <= 0 || n <= 0) return;
  if (k === 0) {
    zero(m, n, c);
    return;
  }
  if (m * n * k >= SIMD_MIN_PRODUCT && simdGemm(m, n, k, a, b, "nk", c)) return;
  gemmNTScalar(m, n, k, a, b, c);
}

/** {@link gemmNT} on the scalar path (each sum in double, rounded once); k ≥ 1. */
export function gemmNTScalar(m: number, n: number, k: number, a: MatrixView, b: MatrixView, c: MatrixView): void {
  const block = Math.max(2, Math.floor(BLOCK_BYTES / (4 * k)) & ~1);
  for (let j0 = 0; j0 < n; j0 += block) {
    const j1 = Math.min(n, j0 + block);
    let i = 0;
    for (; i + 4 <= m; i += 4) rows4(i, j0, j1, k, a, b, c);
    for (; i < m; i++) rows1(i, j0, j1, k, a, b, c);
  }
}

/**
 * `C[i][j] = Σ_k A[i][k]·B[k][j]` for i < m, j < n (C is overwritten): A is m×k, B is k×n, as
 * Caffe's forward_cpu_gemm multiplies the weights by the column buffer.
 */
export function gemmNN(m: number, n: number, k: number, a: MatrixView, b: MatrixView, c: MatrixView): void {
  if (m <= 0 || n <= 0) return;
  if (k === 0) {
    zero(m, n, c);
    return;
  }
  if (m * n * k >= SIMD_MIN_PRODUCT && simdGemm(m, n, k, a, b, "kn", c)) return;
  gemmNNScalar(m, n, k, a, b, c);
}

/** {@link gemmNN} on the scalar path (each sum in double, in k order, rounded once). */
export function gemmNNScalar(m: number, n: number, k: number, a: MatrixView, b: MatrixView, c: MatrixView): void {
  const row = new Float64Array(n);
  const A = a.data;
  const B = b.data;
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const w = A[a.offset + i * a.stride + p]!;
      const from = b.offset + p * b.stride;
      for (let j = 0; j < n; j++) row[j] += w * B[from + j]!;
    }
    const o = c.offset + i * c.stride;
    for (let j = 0; j < n; j++) c.data[o + j] = row[j]!;
  }
}

function zero(m: number, n: number, c: MatrixView): void {
  for (let i = 0; i < m; i++) c.data.fill(0, c.offset + i * c.stride, c.offset + i * c.stride + n);
}

/** Four rows of C over columns [j0, j1): 4×2 tiles, then a last single column. */
function rows4(i: number, j0: number, j1: number, k: number, a: MatrixView, b: MatrixView, c: MatrixView): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const a0 = a.offset + i * a.stride;
  const a1 = a0 + a.stride;
  const a2 = a1 + a.stride;
  const a3 = a2 + a.stride;
  const cs = c.stride;
  let j = j0;
  for (; j + 2 <= j1; j += 2) {
    const b0 = b.offset + j * b.stride;
    const b1 = b0 + b.stride;
    let c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
    for (let p = 0; p < k; p++) {
      const x0 = B[b0 + p]!;
      const x1 = B[b1 + p]!;
      const w0 = A[a0 + p]!;
      const w1 = A[a1 + p]!;
      const w2 = A[a2 + p]!;
      const w3 = A[a3 + p]!;
      c00 += w0 * x0; c01 += w0 * x1;
      c10 += w1 * x0; c11 += w1 * x1;
      c20 += w2 * x0; c21 += w2 * x1;
      c30 += w3 * x0; c31 += w3 * x1;
    }
    const o = c.offset + i * cs + j;
    C[o] = c00; C[o + 1] = c01;
    C[o + cs] = c10; C[o + cs + 1] = c11;
    C[o + 2 * cs] = c20; C[o + 2 * cs + 1] = c21;
    C[o + 3 * cs] = c30; C[o + 3 * cs + 1] = c31;
  }
  if (j < j1) {
    const b0 = b.offset + j * b.stride;
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (let p = 0; p < k; p++) {
      const x0 = B[b0 + p]!;
      c0 += A[a0 + p]! * x0;
      c1 += A[a1 + p]! * x0;
      c2 += A[a2 + p]! * x0;
      c3 += A[a3 + p]! * x0;
    }
    const o = c.offset + i * cs + j;
    C[o] = c0; C[o + cs] = c1; C[o + 2 * cs] = c2; C[o + 3 * cs] = c3;
  }
}

/** One row of C over columns [j0, j1): four columns at a time (a depthwise convolution's only row). */
function rows1(i: number, j0: number, j1: number, k: number, a: MatrixView, b: MatrixView, c: MatrixView): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const a0 = a.offset + i * a.stride;
  const bs = b.stride;
  const o = c.offset + i * c.stride;
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const b0 = b.offset + j * bs;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < k; p++) {
      const w = A[a0 + p]!;
      s0 += w * B[b0 + p]!;
      s1 += w * B[b0 + bs + p]!;
      s2 += w * B[b0 + 2 * bs + p]!;
      s3 += w * B[b0 + 3 * bs + p]!;
    }
    C[o + j] = s0; C[o + j + 1] = s1; C[o + j + 2] = s2; C[o + j + 3] = s3;
  }
  for (; j < j1; j++) {
    const b0 = b.offset + j * bs;
    let s = 0;
    for (let p = 0; p < k; p++) s += A[a0 + p]! * B[b0 + p]!;
    C[o + j] = s;
  }
}

/** `out[j][i] = src[i][j]` for a rows×cols row-major matrix (out is cols×rows). */
export function transpose(src: Float32Array, srcOffset: number, rows: number, cols: number, out: Float32Array, outOffset = 0): void {
  const TILE = 32;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const s = srcOffset + i * cols;
        for (let j = j0; j < j1; j++) out[outOffset + j * rows + i] = src[s + j]!;
      }
    }
  }
}
