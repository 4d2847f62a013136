import { describe, expect, it } from "vitest";
import { batchNormKernels } from "../../src/numeric/batch-norm-kernels.js";
import { gemvRowSum, gemvRowSumOfSquares } from "../../src/numeric/openblas-order.js";
import { createRng } from "../../src/numeric/rng.js";

const big = 2 ** 24;

/** Values with a wide range of magnitudes, so that any change of summation order shows. */
function awkward(count: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (rng.nextFloat() - 0.5) * 2 ** Math.floor(rng.nextFloat() * 30 - 10);
  return out;
}

function kernels() {
  const k = batchNormKernels();
  // Node 20 has WebAssembly SIMD: without the kernels the executor would silently run scalar code only.
  expect(k).not.toBeNull();
  return k!;
}

describe("batchNormKernels", () => {
  it("sums in the 8-lane order: lane j and lane j+4 meet before the horizontal fold", () => {
    const k = kernels();
    k.reserve(16);
    k.memory.fill(0, 0, 16);
    k.memory[0] = big;
    k.memory[4] = 1;
    k.memory[8] = -big;
    k.memory[12] = 1;
    expect(k.sum8(0, 16)).toBe(2);
  });

  it("gives the scalar avxRowKernel's sum and sum of squares bit for bit, head of 4 or not", () => {
    const k = kernels();
    for (const n of [4, 8, 12, 16, 20, 28, 44, 3136, 4092]) {
      for (let seed = 1; seed <= 5; seed++) {
        const values = awkward(n, seed * 1000 + n);
        const at = 7; // an address not aligned to 16 bytes
        k.reserve(at + n);
        k.memory.set(values, at);
        expect(k.sum8(at, n)).toBe(gemvRowSum(values, 0, n, 1, 0, true));
        const mu = Math.fround(values[0]! * 0.75);
        const centred = new Float32Array(n);
        // The scalar fused path multiplies by alpha; alpha 1 leaves the kernel's sum.
        expect(k.sumOfSquares8(at, n, mu)).toBe(gemvRowSumOfSquares(values, 0, n, mu, 1, true, centred));
      }
    }
  });

  it("squares and normalises elementwise in float32, vector part and tail alike", () => {
    const k = kernels();
    for (const n of [0, 1, 2, 3, 4, 5, 7, 33, 1001]) {
      const values = awkward(n, n + 17);
      const mu = Math.fround(-0.3);
      const sd = Math.fround(Math.sqrt(Math.fround(1.7 + 1e-5)));
      k.reserve(2 * n + 8);
      k.memory.set(values, 3);
      k.squares(3, n + 5, n, mu);
      const squares = Array.from(k.memory.subarray(n + 5, 2 * n + 5));
      expect(squares).toEqual(Array.from(values, (v) => Math.fround(Math.fround(v - mu) ** 2)));
      k.normalize(3, 3, n, mu, sd);
      expect(Array.from(k.memory.subarray(3, n + 3))).toEqual(Array.from(values, (v) => Math.fround(Math.fround(v - mu) / sd)));
    }
  });

  it("grows its memory on demand and keeps what it held", () => {
    const k = kernels();
    k.reserve(4);
    k.memory[1] = 42;
    const floats = k.memory.length + 100_000;
    expect(k.reserve(floats)).toBe(true);
    expect(k.memory.length).toBeGreaterThanOrEqual(floats);
    expect(k.memory[1]).toBe(42);
  });
});
