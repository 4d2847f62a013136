import { describe, expect, it } from "vitest";
import { gemmNN, gemmNNScalar, gemmNT, gemmNTScalar, SIMD_MIN_PRODUCT, type MatrixView } from "../../../src/numeric/kernels/gemm.js";
import { MEMORY_BUDGET, simdGemm, simdGemmMemoryBytes } from "../../../src/numeric/kernels/gemm-simd.js";
import { SUM_CHUNK } from "../../../src/numeric/kernels/gemm-simd-kernels.js";
import { createRng } from "../../../src/numeric/rng.js";

/** Seeded values in [−1, 1) in a buffer with `pad` extra floats before and after. */
function values(count: number, seed: number, pad = 0): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(count + 2 * pad).fill(Number.NaN);
  for (let i = 0; i < count; i++) out[pad + i] = rng.nextFloat() * 2 - 1;
  return out;
}

/** A rows×cols matrix stored from `offset` with row stride cols + `gap` (the gap holds NaN, which must never be read). */
function matrix(rows: number, cols: number, seed: number, offset = 0, gap = 0): MatrixView {
  const stride = cols + gap;
  const data = new Float32Array(offset + rows * stride).fill(Number.NaN);
  const v = values(rows * cols, seed);
  for (let i = 0; i < rows; i++) data.set(v.subarray(i * cols, (i + 1) * cols), offset + i * stride);
  return { data, offset, stride };
}

const at = (v: MatrixView, i: number, j: number): number => v.data[v.offset + i * v.stride + j]!;

/** The exact products summed in double (in k order); also Σ|products| for the error bound. */
function reference(m: number, n: number, k: number, a: MatrixView, b: MatrixView, bIsKN: boolean): { sum: Float64Array; abs: Float64Array } {
  const sum = new Float64Array(m * n);
  const abs = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const x = at(a, i, p) * (bIsKN ? at(b, p, j) : at(b, j, p));
        s += x;
        t += Math.abs(x);
      }
      sum[i * n + j] = s;
      abs[i * n + j] = t;
    }
  }
  return { sum, abs };
}

/** The largest |C − exact| / bound over C, and whether C's gap columns were left alone. */
function worstRatio(m: number, n: number, c: MatrixView, ref: { sum: Float64Array; abs: Float64Array }): number {
  // Float32 products and a float32 sum of at most SUM_CHUNK terms: |error| ≤ (SUM_CHUNK + 1)·u·Σ|a·b|,
  // plus the final rounding (u·|C|) and the double sums (negligible), u = 2⁻²⁴.
  const u = 2 ** -24;
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const exact = ref.sum[i * n + j]!;
      const bound = (SUM_CHUNK + 2) * u * ref.abs[i * n + j]! + u * Math.abs(exact) + Number.MIN_VALUE;
      const got = at(c, i, j);
      worst = Math.max(worst, Number.isNaN(got) ? Infinity : Math.abs(got - exact) / bound);
    }
  }
  return worst;
}

// Awkward shapes: 1s, primes, sizes just off the 4-row tiles, the 8-column panels, the 4-wide k
// steps and the 32-step float32 chunks, and products of the sizes the ResNet-50 convolutions use.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 3], [3, 1, 5], [4, 8, 4], [5, 9, 7], [7, 13, 31], [13, 17, 33], [17, 23, 65],
  [31, 37, 147], [2, 3, 1000], [64, 49, 67], [9, 130, 128], [1, 1000, 97],
];

describe("simdGemm, the WebAssembly SIMD GEMM, against exact double sums", () => {
  it.each(SHAPES)("M %i, N %i, K %i: C = A·B and C = A·Bᵀ within float32's error for 32-term sums", (m, n, k) => {
    for (const layout of ["kn", "nk"] as const) {
      const a = matrix(m, k, 1, 3, 2);
      const b = layout === "kn" ? matrix(k, n, 2, 5, 1) : matrix(n, k, 2, 5, 3);
      const c = matrix(m, n, 3, 7, 2);
      expect(simdGemm(m, n, k, a, b, layout, c)).toBe(true);
      expect(worstRatio(m, n, c, reference(m, n, k, a, b, layout === "kn"))).toBeLessThanOrEqual(1);
      // The gap between C's rows (NaN) is not written.
      for (let i = 0; i < m; i++) expect(c.data[c.offset + i * c.stride + n]).toBeNaN();
    }
  });

  it("gives the same bits for B and for its transpose", () => {
    const [m, n, k] = [11, 21, 75];
    const a = matrix(m, k, 4);
    const b = matrix(k, n, 5);
    const bt: MatrixView = { data: new Float32Array(n * k), offset: 0, stride: k };
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt.data[j * k + p] = at(b, p, j);
    const c1 = matrix(m, n, 6);
    const c2 = matrix(m, n, 7);
    simdGemm(m, n, k, a, b, "kn", c1);
    simdGemm(m, n, k, a, bt, "nk", c2);
    expect(c2.data).toEqual(c1.data);
  });

  it(`adds its float32 chunks of ${SUM_CHUNK} in double: ones after 2²⁴ are lost only in the first chunk`, () => {
    // A float32 running sum over all k would stay at 2²⁴ (each +1 rounds back to even); a double
    // sum of the chunks keeps every 1 after the first chunk.
    const k = 4096;
    const a = { data: new Float32Array(k).fill(1), offset: 0, stride: k };
    const b = { data: new Float32Array(k).fill(1), offset: 0, stride: 1 };
    b.data[0] = 2 ** 24;
    const c = { data: new Float32Array(1), offset: 0, stride: 1 };
    simdGemm(1, 1, k, a, b, "kn", c);
    expect(c.data[0]).toBe(2 ** 24 + k - SUM_CHUNK);
  });

  it("takes a product too large for its memory budget in blocks of columns, within the same bound", () => {
    // Raw and packed B need 2·K·N floats: 17.2 M here, over the 16 M float (64 MiB) budget.
    const [n, k] = [2100, 4100];
    expect(2 * k * n).toBeGreaterThan(MEMORY_BUDGET);
    const a = new Float32Array(k);
    for (let p = 0; p < k; p++) a[p] = Math.sin(p);
    const bt = new Float32Array(n * k);
    const b = new Float32Array(k * n);
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) b[p * n + j] = bt[j * k + p] = Math.cos((j * k + p) * 0.37);
    let worst = 0;
    for (const layout of ["kn", "nk"] as const) {
      const c = new Float32Array(n);
      const view = layout === "kn" ? { data: b, offset: 0, stride: n } : { data: bt, offset: 0, stride: k };
      expect(simdGemm(1, n, k, { data: a, offset: 0, stride: k }, view, layout, { data: c, offset: 0, stride: n })).toBe(true);
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const x = a[p]! * bt[j * k + p]!;
          sum += x;
          abs += Math.abs(x);
        }
        worst = Math.max(worst, Math.abs(c[j]! - sum) / ((SUM_CHUNK + 2) * 2 ** -24 * abs + 2 ** -24 * Math.abs(sum)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(simdGemmMemoryBytes()).toBeLessThanOrEqual(4 * MEMORY_BUDGET + 65536);
  });

  it("keeps an infinite or NaN input in its own row and column (the zero padding adds only zeros)", () => {
    const [m, n, k] = [6, 10, 9];
    const a = matrix(m, k, 8);
    const b = matrix(k, n, 9);
    a.data[2 * k + 4] = Infinity;
    b.data[5 * n + 7] = Number.NaN;
    const c = matrix(m, n, 10);
    simdGemm(m, n, k, a, b, "kn", c);
    const finite = Array.from({ length: m * n }, (_, q) => Number.isFinite(at(c, Math.floor(q / n), q % n)));
    expect(finite).toEqual(Array.from({ length: m * n }, (_, q) => Math.floor(q / n) !== 2 && q % n !== 7));
  });
});

describe("gemmNN and gemmNT", () => {
  it.each(SHAPES)("M %i, N %i, K %i: the scalar path rounds the in-order double sum once", (m, n, k) => {
    const a = matrix(m, k, 11, 1, 1);
    const b = matrix(k, n, 12, 2, 3);
    const bt = matrix(n, k, 13, 3, 2);
    const c = matrix(m, n, 14, 1, 1);
    const rounded = (sum: Float64Array): number[] => [...sum].map(Math.fround);
    const got = (): number[] => Array.from({ length: m * n }, (_, q) => at(c, Math.floor(q / n), q % n));
    gemmNNScalar(m, n, k, a, b, c);
    expect(got()).toEqual(rounded(reference(m, n, k, a, b, true).sum));
    gemmNTScalar(m, n, k, a, bt, c);
    expect(got()).toEqual(rounded(reference(m, n, k, a, bt, false).sum));
  });

  it("send large products to the SIMD kernel and small ones to the scalar path", () => {
    const small: [number, number, number] = [4, 8, 8];
    const large: [number, number, number] = [16, 64, 40];
    expect(small[0] * small[1] * small[2]).toBeLessThan(SIMD_MIN_PRODUCT);
    expect(large[0] * large[1] * large[2]).toBeGreaterThanOrEqual(SIMD_MIN_PRODUCT);
    for (const [m, n, k] of [small, large]) {
      const a = matrix(m, k, 15);
      const b = matrix(k, n, 16);
      const bt = matrix(n, k, 17);
      const [viaNN, scalarNN, simdNN] = [matrix(m, n, 0), matrix(m, n, 0), matrix(m, n, 0)];
      gemmNN(m, n, k, a, b, viaNN);
      gemmNNScalar(m, n, k, a, b, scalarNN);
      simdGemm(m, n, k, a, b, "kn", simdNN);
      expect(viaNN.data).toEqual(m * n * k < SIMD_MIN_PRODUCT ? scalarNN.data : simdNN.data);
      const [viaNT, scalarNT, simdNT] = [matrix(m, n, 0), matrix(m, n, 0), matrix(m, n, 0)];
      gemmNT(m, n, k, a, bt, viaNT);
      gemmNTScalar(m, n, k, a, bt, scalarNT);
      simdGemm(m, n, k, a, bt, "nk", simdNT);
      expect(viaNT.data).toEqual(m * n * k < SIMD_MIN_PRODUCT ? scalarNT.data : simdNT.data);
    }
    // The two paths do differ somewhere on the large product (float32 chunks against one double sum).
    const [m, n, k] = large;
    const [x, y] = [matrix(m, n, 0), matrix(m, n, 0)];
    gemmNNScalar(m, n, k, matrix(m, k, 15), matrix(k, n, 16), x);
    simdGemm(m, n, k, matrix(m, k, 15), matrix(k, n, 16), "kn", y);
    expect(y.data).not.toEqual(x.data);
  });

  it("write zeros for K = 0 and nothing for M or N = 0", () => {
    const c = matrix(3, 4, 18);
    gemmNN(3, 4, 0, matrix(3, 0, 1), matrix(0, 4, 2), c);
    expect([...c.data]).toEqual(new Array(12).fill(0));
    const d = matrix(2, 2, 19);
    const before = [...d.data];
    gemmNT(0, 2, 3, matrix(0, 3, 1), matrix(2, 3, 2), d);
    gemmNN(2, 0, 3, matrix(2, 3, 1), matrix(3, 0, 2), d);
    expect([...d.data]).toEqual(before);
  });
});
