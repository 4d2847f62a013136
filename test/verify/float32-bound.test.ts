/**
 * float32's error bound of a BatchNorm → Scale forward from its operands (src/verify/float32-bound.ts):
 * below the output tolerance on ordinary data, proportional to |mean|/σ under cancellation.
 */
import { describe, expect, it } from "vitest";
import { createRng, randomNormal } from "../../src/numeric/rng.js";
import {
  FORWARD_ROUNDINGS,
  UNIT_ROUNDOFF,
  boundAt,
  forwardBound,
  statisticsBoundOfBatch,
  summationRoundings,
} from "../../src/verify/float32-bound.js";
import { DEFAULT_VERIFY_TOLERANCE } from "../../src/verify/tolerance.js";

const EPS = Math.fround(1e-5);
const affine = { eps: EPS, gamma: [1.2, 0.5], beta: [0.5, -2] };

describe("the float32 error bound of a forward", () => {
  it("stays below the output tolerance for ordinary statistics (|mean| a few σ), so verify is no looser there", () => {
    const stats = { mean: [1, -3], variance: [9, 4] };
    const x = randomNormal([64, 2], createRng(3), { mean: 0, std: 3 });
    const bound = forwardBound(x, stats, affine);
    for (let i = 0; i < x.data.length; i++) {
      const c = i % 2;
      const y = (((x.data[i] as number) - (stats.mean[c] as number)) / Math.sqrt((stats.variance[c] as number) + EPS)) * (affine.gamma[c] as number) + (affine.beta[c] as number);
      expect(boundAt(bound, i)).toBeLessThan(DEFAULT_VERIFY_TOLERANCE * Math.max(1, Math.abs(y)));
    }
  });

  it("grows as K·u·2|mean|·|γ|/σ when the input sits on a mean far larger than σ", () => {
    const mean = Math.fround(2.5e8);
    const x = { shape: [1, 1], data: Float32Array.of(mean) };
    const bound = forwardBound(x, { mean: [mean], variance: [8] }, { eps: EPS, gamma: [0.9], beta: [0] });
    const expected = FORWARD_ROUNDINGS * UNIT_ROUNDOFF * 2 * mean * (0.9 / Math.sqrt(8 + EPS));
    expect(boundAt(bound, 0)).toBeCloseTo(expected, 6);
    expect(bound.mean[0]).toBe(mean);
  });

  it("with batch statistics adds 2·√m roundings for Caffe's float32 sums", () => {
    expect(summationRoundings(128)).toBeCloseTo(2 * Math.sqrt(128), 12);
    const x = randomNormal([32, 1, 2, 2], createRng(5), { mean: 1e4, std: 1 });
    const batch = forwardBound(x, null, { eps: EPS, gamma: null, beta: null });
    expect(batch.slope[0]).toBeCloseTo(((FORWARD_ROUNDINGS + summationRoundings(128)) * UNIT_ROUNDOFF) / (batch.std[0] as number), 12);
  });

  it("leaves running statistics of ordinary batches within a fraction of the tolerance, and widens them under cancellation", () => {
    const ordinary = statisticsBoundOfBatch(randomNormal([8, 2], createRng(1), { mean: 1, std: 3 }));
    expect(Math.max(...ordinary.mean, ...ordinary.variance.map((v) => v / 9))).toBeLessThan(DEFAULT_VERIFY_TOLERANCE);
    const extreme = statisticsBoundOfBatch(randomNormal([8, 2], createRng(1), { mean: 1e18, std: 3 }));
    // The batch mean is only known to ~ulp(1e18) = 1.3e11; the variance to its square.
    expect(extreme.mean[0]).toBeGreaterThan(1e11);
    expect(extreme.variance[0]).toBeGreaterThan(1e22);
  });
});
