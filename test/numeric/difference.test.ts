import { describe, expect, it } from "vitest";
import { differenceStats, scalarDifferenceStats } from "../../src/numeric/difference.js";
import { createRng } from "../../src/numeric/rng.js";

/** Two arrays of `n` values, b within ~1e-6 of a, with a's magnitudes up to `scale`. */
function pair(n: number, seed: number, scale = 10): [Float32Array, Float32Array] {
  const rng = createRng(seed);
  const next = (): number => rng.nextFloat();
  const a = Float32Array.from({ length: n }, () => (next() - 0.5) * scale);
  const b = a.map((v) => v + (next() - 0.5) * 1e-6);
  return [a, b];
}

describe("differenceStats (the SIMD pass of verify --net)", () => {
  it.each([64, 67, 1000, 65536, 65536 * 2 + 5, 300_001])("gives the scalar pass's values bit for bit on %i values", (n) => {
    const [a, b] = pair(n, n);
    expect(differenceStats(a, b)).toEqual(scalarDifferenceStats(a, b));
    expect(differenceStats(a, b).maxAbs).toBeGreaterThan(0);
  });

  it("finds the largest difference and magnitude wherever they lie (first vector, a tail, a later window)", () => {
    for (const at of [0, 3, 65535, 65536, 131_075, 200_002]) {
      const [a, b] = pair(200_003, 7, 1);
      b[at] = a[at]! + 0.5;
      const far = (at + 11) % a.length;
      a[far] = b[far] = -123.5;
      const s = differenceStats(a, b);
      expect(s.maxAbs).toBe(Math.abs(a[at]! - b[at]!));
      expect(s.maxRef).toBe(123.5);
    }
  });

  it("takes the scalar rules for NaN and infinities: a lone NaN or a one-sided infinity is infinite, matching ones are equal", () => {
    const [a, b] = pair(1000, 3);
    const lone = b.slice();
    lone[500] = NaN;
    expect(differenceStats(a, lone).maxAbs).toBe(Infinity);
    const both = [a.slice(), b.slice()];
    both[0]![10] = NaN;
    both[1]![10] = NaN;
    both[0]![20] = Infinity;
    both[1]![20] = Infinity;
    const s = differenceStats(both[0]!, both[1]!);
    expect(s).toEqual(scalarDifferenceStats(both[0]!, both[1]!));
    expect(Number.isFinite(s.maxAbs)).toBe(true);
    expect(Number.isFinite(s.maxRef)).toBe(true); // |a| = ∞ is no scale
  });

  it("is exact: equal arrays give 0", () => {
    const [a] = pair(5000, 9);
    expect(differenceStats(a, a.slice()).maxAbs).toBe(0);
  });
});
