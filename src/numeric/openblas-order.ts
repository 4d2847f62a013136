/**
 * Float32 sums in the order OpenBLAS's x86-64 sgemv kernels add them, for the `gemv(A, ones)` calls
 * Caffe's BatchNorm, Scale and Bias layers use as reductions.
 *
 * Caffe reduces with `caffe_cpu_gemv` against a vector of ones: first each contiguous row of a
 * row-major matrix (sgemv "T" kernel in OpenBLAS, since CBLAS row-major NoTrans is column-major
 * Trans), then over the batch (sgemv "N" kernel). Float addition is not associative, so matching
 * Caffe bit for bit means adding in the kernels' order. What is emulated (OpenBLAS 0.3.21,
 * kernel/x86_64/sgemv_t_4.c with the Haswell micro-kernel, sgemv_n_4.c with its Haswell 4x8/4x4
 * micro-kernels): lane-parallel partial sums, their horizontal reduction, the 4096-element blocking,
 * the scalar C tails (no FMA contraction), and which kernel a row or column group goes through.
 * This order reproduces every recorded Caffe batch mean of the golden cases exactly.
 *
 * Since the vector is all ones, every product is exact and only the additions round; `alpha` (a
 * power-of-two-free scale such as 1/m) is applied where the kernels apply it.
 */

const NBMAX = 4096;

/**
 * The Haswell sgemv_t 4x4 micro-kernel for one row: 8 lanes; a 4-wide step if n & 4 (lanes 0–3),
 * then 8-wide steps (the kernel's optional 8-wide step and its 16-wide loop add into the same lanes
 * in the same order); then lanes j and j+4 are added and two horizontal adds give
 * `(v0+v1) + (v2+v3)`. `n` is a multiple of 4.
 */
function avxRowKernel(a: Float32Array, offset: number, n: number): number {
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
  let i = offset;
  const end = offset + n;
  if (n & 4) {
    l0 = a[i] as number; l1 = a[i + 1] as number; l2 = a[i + 2] as number; l3 = a[i + 3] as number;
    i += 4;
  }
  for (; i < end; i += 8) {
    l0 = Math.fround(l0 + (a[i] as number)); l1 = Math.fround(l1 + (a[i + 1] as number));
    l2 = Math.fround(l2 + (a[i + 2] as number)); l3 = Math.fround(l3 + (a[i + 3] as number));
    l4 = Math.fround(l4 + (a[i + 4] as number)); l5 = Math.fround(l5 + (a[i + 5] as number));
    l6 = Math.fround(l6 + (a[i + 6] as number)); l7 = Math.fround(l7 + (a[i + 7] as number));
  }
  const v0 = Math.fround(l0 + l4), v1 = Math.fround(l1 + l5), v2 = Math.fround(l2 + l6), v3 = Math.fround(l3 + l7);
  return Math.fround(Math.fround(v0 + v1) + Math.fround(v2 + v3));
}

/**
 * {@link avxRowKernel} over the squared deviations from `centre`, without materialising the squares;
 * the centred values `fround(a − centre)` are written to `centred` (Caffe's top holds them too).
 */
function avxRowKernelSquares(a: Float32Array, offset: number, n: number, centre: number, centred: Float32Array): number {
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
  let i = offset;
  const end = offset + n;
  let d: number;
  if (n & 4) {
    d = Math.fround((a[i] as number) - centre); centred[i] = d; l0 = Math.fround(d * d);
    d = Math.fround((a[i + 1] as number) - centre); centred[i + 1] = d; l1 = Math.fround(d * d);
    d = Math.fround((a[i + 2] as number) - centre); centred[i + 2] = d; l2 = Math.fround(d * d);
    d = Math.fround((a[i + 3] as number) - centre); centred[i + 3] = d; l3 = Math.fround(d * d);
    i += 4;
  }
  for (; i < end; i += 8) {
    d = Math.fround((a[i] as number) - centre); centred[i] = d; l0 = Math.fround(l0 + Math.fround(d * d));
    d = Math.fround((a[i + 1] as number) - centre); centred[i + 1] = d; l1 = Math.fround(l1 + Math.fround(d * d));
    d = Math.fround((a[i + 2] as number) - centre); centred[i + 2] = d; l2 = Math.fround(l2 + Math.fround(d * d));
    d = Math.fround((a[i + 3] as number) - centre); centred[i + 3] = d; l3 = Math.fround(l3 + Math.fround(d * d));
    d = Math.fround((a[i + 4] as number) - centre); centred[i + 4] = d; l4 = Math.fround(l4 + Math.fround(d * d));
    d = Math.fround((a[i + 5] as number) - centre); centred[i + 5] = d; l5 = Math.fround(l5 + Math.fround(d * d));
    d = Math.fround((a[i + 6] as number) - centre); centred[i + 6] = d; l6 = Math.fround(l6 + Math.fround(d * d));
    d = Math.fround((a[i + 7] as number) - centre); centred[i + 7] = d; l7 = Math.fround(l7 + Math.fround(d * d));
  }
  const v0 = Math.fround(l0 + l4), v1 = Math.fround(l1 + l5), v2 = Math.fround(l2 + l6), v3 = Math.fround(l3 + l7);
  return Math.fround(Math.fround(v0 + v1) + Math.fround(v2 + v3));
}

/** The SSE sgemv_t 4x2 kernel for one row: 4 lanes, then two horizontal adds. */
function sseRowKernel(a: Float32Array, offset: number, n: number): number {
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0;
  for (let i = offset, end = offset + n; i < end; i += 4) {
    l0 = Math.fround(l0 + (a[i] as number)); l1 = Math.fround(l1 + (a[i + 1] as number));
    l2 = Math.fround(l2 + (a[i + 2] as number)); l3 = Math.fround(l3 + (a[i + 3] as number));
  }
  return Math.fround(Math.fround(l0 + l1) + Math.fround(l2 + l3));
}

/**
 * One row of `y = alpha·A·1 + y` as sgemv_t computes it: the row `a[offset .. offset+len)` is summed
 * in blocks of at most 4096 (multiples of 4) by the vector kernel, each block added to y as
 * `y + block·alpha`; the last `len & 3` values are added by the scalar tail as
 * `y + ((a·x' + a·x') + a·x')` with `x' = fround(alpha)`.
 *
 * @param y0 y before the call (0 when Caffe passes beta 0, the accumulated diff when beta is 1).
 * @param vectorRow whether the row is summed by an 8-lane kernel rather than the 4-lane SSE one
 *   (see {@link isVectorRow}).
 */
export function gemvRowSum(
  a: Float32Array,
  offset: number,
  len: number,
  alpha: number,
  y0: number,
  vectorRow: boolean,
): number {
  return rowSum(a, offset, len, alpha, y0, vectorRow);
}

/**
 * {@link gemvRowSum} over `fround(fround(a − centre)²)` — what Caffe sums for the variance after
 * caffe_sqr of its centred top — with `alpha` and y starting at 0. The centred values are written to
 * `centred` at the same offsets (the caller normalises them in place afterwards).
 */
export function gemvRowSumOfSquares(
  a: Float32Array,
  offset: number,
  len: number,
  centre: number,
  alpha: number,
  vectorRow: boolean,
  centred: Float32Array,
): number {
  if (vectorRow && len >= 4 && len < NBMAX && (len & 3) === 0) {
    // The common case (one block, no tail) straight through the fused kernel.
    return Math.fround(Math.fround(avxRowKernelSquares(a, offset, len, centre, centred) * alpha));
  }
  for (let i = offset; i < offset + len; i++) {
    const d = Math.fround((a[i] as number) - centre);
    centred[i] = d;
  }
  const squares = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const d = centred[offset + i] as number;
    squares[i] = d * d;
  }
  return gemvRowSum(squares, 0, len, alpha, 0, vectorRow);
}

/** A block kernel: the sum of the `n` values (a multiple of 4) of `a` from `offset`, in its lane order. */
export type RowKernel = (a: Float32Array, offset: number, n: number) => number;

/**
 * {@link gemvRowSum} with another implementation of the 8-lane block kernel (which must add in
 * avxRowKernel's order), e.g. a WebAssembly SIMD one reading the same memory as `a`.
 */
export function gemvRowSumWith(
  vectorKernel: RowKernel,
  a: Float32Array,
  offset: number,
  len: number,
  alpha: number,
  y0: number,
  vectorRow: boolean,
): number {
  return rowSum(a, offset, len, alpha, y0, vectorRow, vectorKernel);
}

function rowSum(
  a: Float32Array,
  offset: number,
  len: number,
  alpha: number,
  y0: number,
  vectorRow: boolean,
  vectorKernel: RowKernel = avxRowKernel,
): number {
  let y = y0;
  const m3 = len & 3;
  let m1 = len & -4;
  const m2 = (len & (NBMAX - 1)) - m3;
  let nb = NBMAX;
  let position = offset;
  while (nb === NBMAX) {
    m1 -= nb;
    if (m1 < 0) {
      if (m2 === 0) break;
      nb = m2;
    }
    const block = vectorRow ? vectorKernel(a, position, nb) : sseRowKernel(a, position, nb);
    y = Math.fround(y + Math.fround(block * alpha));
    position += nb;
  }
  if (m3 === 0) return y;
  const x = Math.fround(alpha);
  let tail = Math.fround((a[position] as number) * x);
  if (m3 >= 2) tail = Math.fround(tail + Math.fround((a[position + 1] as number) * x));
  if (m3 === 3) tail = Math.fround(tail + Math.fround((a[position + 2] as number) * x));
  return Math.fround(y + tail);
}

/**
 * Whether row `r` of a `rows`-row matrix is summed with 8 lanes (the 4-row AVX kernel, and the
 * single-row kernel for a last odd row) or with 4 lanes (the SSE 2-row kernel for the pair of rows
 * left after the 4-row groups). The single-row rule is measured, not read: the recorded Caffe bias
 * gradients (gemv over C = 3 rows) match only with it (229 of 229 values, against 195 with 4 lanes).
 */
export function isVectorRow(r: number, rows: number): boolean {
  const pairStart = rows - (rows & 3);
  return r < pairStart || r >= pairStart + (rows & 2);
}

/**
 * `y[c] += Σ_n a[n·cols + c]` (alpha 1) as sgemv_n adds it for a row-major `rows × cols` matrix
 * (Caffe's CblasTrans gemv over the batch). Columns of y are processed in blocks (multiples of 4) by
 * the 4x8 / 4x4 / 4x2 / 4x1 kernels over groups of batch rows; the last `cols & 3` entries by the
 * scalar tail, which pairs batch rows when the matrix has exactly that many columns.
 */
export function gemvColumnSums(a: Float32Array, rows: number, cols: number, y: Float32Array): void {
  const m3 = cols & 3;
  let m1 = cols & -4;
  const m2 = (cols & (NBMAX - 1)) - m3;
  let nb = NBMAX;
  let start = 0;
  while (nb === NBMAX) {
    m1 -= nb;
    if (m1 < 0) {
      if (m2 === 0) break;
      nb = m2;
    }
    columnBlock(a, rows, cols, start, nb, y);
    start += nb;
  }
  for (let c = start; c < start + m3; c++) y[c] = (y[c] as number) + tailColumnSum(a, rows, cols, c);
}

/**
 * Column `c` of the last `cols & 3` (sgemv_n's scalar C tail), summed over the batch rows. The
 * tail has an unrolled loop only when lda equals m3 (the whole matrix is the tail): m3 = 1 adds
 * four batch rows left to right, m3 = 2 or 3 adds them in pairs.
 */
function tailColumnSum(a: Float32Array, rows: number, cols: number, c: number): number {
  const at = (n: number) => a[n * cols + c] as number;
  const m3 = cols & 3;
  let temp = 0;
  let n = 0;
  if (cols === m3) {
    for (; n < (rows & -4); n += 4) {
      if (m3 === 1) {
        temp = Math.fround(temp + Math.fround(Math.fround(Math.fround(at(n) + at(n + 1)) + at(n + 2)) + at(n + 3)));
      } else {
        temp = Math.fround(temp + Math.fround(at(n) + at(n + 1)));
        temp = Math.fround(temp + Math.fround(at(n + 2) + at(n + 3)));
      }
    }
  }
  for (; n < rows; n++) temp = Math.fround(temp + at(n));
  return temp;
}

/**
 * Column `c` of {@link gemvColumnSums} into a zero y: the same additions in the same order, for one
 * column alone (so a channel's statistic is ready before the next channel's rows are read).
 */
export function gemvColumnSum(a: Float32Array, rows: number, cols: number, c: number): number {
  const at = (n: number) => a[n * cols + c] as number;
  const blocked = cols & -4;
  if (c >= blocked) return Math.fround(0 + tailColumnSum(a, rows, cols, c));
  // Blocks of NBMAX columns, then one of the rest (see gemvColumnSums); c's place in its block
  // decides between the paired and the sequential accumulation.
  const start = c - (c % NBMAX);
  const nb = Math.min(NBMAX, blocked - start);
  const paired = c - start < (nb & 4) + ((nb - (nb & 4)) & 8);
  let y = 0;
  let n = 0;
  const group = (size: number) => {
    let acc = 0;
    if (paired) {
      let even = 0;
      let odd = 0;
      for (let k = 0; k < size; k += 2) {
        even = Math.fround(even + at(n + k));
        odd = Math.fround(odd + at(n + k + 1));
      }
      acc = Math.fround(even + odd);
    } else {
      for (let k = 0; k < size; k++) acc = Math.fround(acc + at(n + k));
    }
    y = Math.fround(y + acc);
    n += size;
  };
  for (let g = 0; g < rows >> 3; g++) group(8);
  if (rows & 4) group(4);
  if (rows & 2) {
    y = Math.fround(Math.fround(y + at(n)) + at(n + 1));
    n += 2;
  }
  if (rows & 1) y = Math.fround(y + at(n));
  return y;
}

/**
 * One block of `nb` y-entries starting at `start`: batch rows in groups of 8 (4x8 kernel), then 4, 2
 * and 1. Inside the Haswell 4x8/4x4 kernels the first `nb & 4` and next `nb & 8` entries use two
 * interleaved accumulators (even and odd batch rows) and `y + (acc0 + acc1)`; the remaining entries,
 * 16 at a time, accumulate the batch rows in order and add with an FMA (`y + acc`, one rounding).
 */
function columnBlock(a: Float32Array, rows: number, cols: number, start: number, nb: number, y: Float32Array): void {
  const head = (nb & 4) + ((nb - (nb & 4)) & 8);
  const at = (n: number, c: number) => a[n * cols + c] as number;
  let n = 0;
  const group = (size: number) => {
    for (let c = start; c < start + nb; c++) {
      let acc: number;
      if (c - start < head) {
        let even = 0;
        let odd = 0;
        for (let k = 0; k < size; k += 2) {
          even = Math.fround(even + at(n + k, c));
          odd = Math.fround(odd + at(n + k + 1, c));
        }
        acc = Math.fround(even + odd);
      } else {
        acc = 0;
        for (let k = 0; k < size; k++) acc = Math.fround(acc + at(n + k, c));
      }
      y[c] = (y[c] as number) + acc;
    }
    n += size;
  };
  for (let g = 0; g < rows >> 3; g++) group(8);
  if (rows & 4) group(4);
  if (rows & 2) {
    for (let c = start; c < start + nb; c++) y[c] = Math.fround((y[c] as number) + at(n, c)) + at(n + 1, c);
    n += 2;
  }
  if (rows & 1) {
    for (let c = start; c < start + nb; c++) y[c] = (y[c] as number) + at(n, c);
  }
}
