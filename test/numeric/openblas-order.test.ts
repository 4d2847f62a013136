import { describe, expect, it } from "vitest";
import { gemvColumnSum, gemvColumnSums, gemvRowSum, gemvRowSumOfSquares, isVectorRow } from "../../src/numeric/openblas-order.js";

const big = 2 ** 24; // float32 spacing is 2 here, so big + 1 rounds back to big

describe("isVectorRow", () => {
  it("sends 4-row groups and a last odd row to the 8-lane kernels, a leftover pair to the SSE kernel", () => {
    expect([0, 1, 2].map((r) => isVectorRow(r, 3))).toEqual([false, false, true]);
    expect([0, 1, 2, 3, 4, 5].map((r) => isVectorRow(r, 6))).toEqual([true, true, true, true, false, false]);
    expect([0, 1, 2, 3, 4, 5, 6].map((r) => isVectorRow(r, 7))).toEqual([true, true, true, true, false, false, true]);
    expect([0, 1, 2, 3].map((r) => isVectorRow(r, 4))).toEqual([true, true, true, true]);
  });
});

describe("gemvRowSum", () => {
  it("adds lane j and lane j+4 before folding (8 lanes), where 4 lanes add in sequence", () => {
    // 8 lanes: (big + −big) + (1 + 1) = 2. 4 lanes: ((big + 1) + −big) + 1 = 1, since big + 1 rounds to big.
    const row = new Float32Array(16);
    row[0] = big;
    row[4] = 1;
    row[8] = -big;
    row[12] = 1;
    expect(gemvRowSum(row, 0, 16, 1, 0, true)).toBe(2);
    expect(gemvRowSum(row, 0, 16, 1, 0, false)).toBe(1);
  });

  it("adds the last len & 3 values in the scalar tail after the vector block", () => {
    const row = Float32Array.from([big, 0, 0, 0, 1]);
    expect(gemvRowSum(row, 0, 5, 1, 0, true)).toBe(big);
    expect(gemvRowSum(Float32Array.from([1, 2, 3]), 0, 3, 0.5, 10, true)).toBe(13);
  });

  it("scales each block by alpha and accumulates onto y0", () => {
    expect(gemvRowSum(Float32Array.from([1, 2, 3, 4]), 0, 4, 0.25, 1, true)).toBe(3.5);
  });

  it("sums rows longer than the 4096-element block in blocks", () => {
    const row = new Float32Array(4100).fill(1);
    expect(gemvRowSum(row, 0, 4100, 1, 0, true)).toBe(4100);
  });
});

describe("gemvRowSumOfSquares", () => {
  it("sums fround(fround(a − centre)²) and leaves the centred values behind", () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const centred = new Float32Array(9);
    expect(gemvRowSumOfSquares(a, 1, 8, 5, 1, true, centred)).toBe(9 + 4 + 1 + 0 + 1 + 4 + 9 + 16);
    expect(Array.from(centred)).toEqual([0, -3, -2, -1, 0, 1, 2, 3, 4]);
  });
});

describe("gemvColumnSums", () => {
  it("pairs batch rows when the matrix has 3 columns", () => {
    // Rows 0+1 and 2+3 are added first: (big + 1) + (1 − big) would be absorbed sequentially.
    const a = Float32Array.from([big, 0, 0, 1, 0, 0, 1, 0, 0, -big, 0, 0]);
    const y = new Float32Array(3);
    gemvColumnSums(a, 4, 3, y);
    expect(y[0]).toBe(Math.fround(Math.fround(big + 1) + Math.fround(1 - big)));
  });

  it("adds onto the existing y (Caffe's beta = 1)", () => {
    const y = Float32Array.from([1, 1, 1, 1]);
    gemvColumnSums(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 2, 4, y);
    expect(Array.from(y)).toEqual([7, 9, 11, 13]);
  });

  it("sums many batch rows over many channels exactly when no rounding occurs", () => {
    const rows = 13;
    const cols = 21;
    const a = Float32Array.from({ length: rows * cols }, (_, i) => (i % 7) - 3);
    const y = new Float32Array(cols);
    gemvColumnSums(a, rows, cols, y);
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let n = 0; n < rows; n++) s += a[n * cols + c] as number;
      expect(y[c]).toBe(s);
    }
  });
});

describe("gemvColumnSum", () => {
  it("gives each column of gemvColumnSums on its own, bit for bit, for every block and tail layout", () => {
    // Values spread over 2⁻¹⁰..2²⁰ so that any change of order shows.
    let state = 12345;
    const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const rows of [1, 2, 3, 4, 5, 7, 8, 11, 13, 16, 19, 32]) {
      for (const cols of [1, 2, 3, 4, 5, 6, 7, 12, 13, 20, 28, 64, 4096, 4099, 4108, 8205]) {
        if (rows * cols > 200_000) continue;
        const a = Float32Array.from({ length: rows * cols }, () => (next() - 0.5) * 2 ** Math.floor(next() * 30 - 10));
        const all = new Float32Array(cols);
        gemvColumnSums(a, rows, cols, all);
        const each = Float32Array.from({ length: cols }, (_, c) => gemvColumnSum(a, rows, cols, c));
        expect(new Uint32Array(each.buffer)).toEqual(new Uint32Array(all.buffer));
      }
    }
  });
});
