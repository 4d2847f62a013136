import { describe, expect, it } from "vitest";
import { torchCollectStats, vecCentredDot, vecSum } from "../../src/numeric/torch-kernels.js";

const big = 2 ** 24;

describe("vecSum", () => {
  it("adds fewer than 8 values left to right", () => {
    expect(vecSum(Float32Array.from([big, 1, 1]), 0, 3)).toBe(big); // each 1 is absorbed
  });

  it("folds 8 lanes as ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7))", () => {
    const a = Float32Array.from([big, 1, 0, 0, -big, 1, 0, 0]);
    expect(vecSum(a, 0, 8)).toBe(2);
    // Added left to right the same values give 1: big + 1 is absorbed before −big arrives.
    const b = Float32Array.from([big, 1, -big, 0, 0, 1, 0, 0]);
    expect(vecSum(b, 0, 8)).toBe(2);
  });

  it("adds a partial tail vector into the first lanes only", () => {
    const a = new Float32Array(9);
    a[0] = big;
    a[8] = 1; // lands in lane 0 with big and is absorbed
    expect(vecSum(a, 0, 9)).toBe(big);
  });
});

describe("vecCentredDot", () => {
  it("sums (x − mean)·dy", () => {
    const x = Float32Array.from({ length: 11 }, (_, i) => i);
    const dy = Float32Array.from({ length: 11 }, () => 2);
    expect(vecCentredDot(x, dy, 0, 11, 5)).toBe(0);
    expect(vecCentredDot(x, dy, 0, 11, 0)).toBe(110);
  });
});

describe("torchCollectStats", () => {
  it("takes the channels-last path (float sums) for one value per (n, c)", () => {
    // Float sums over batch rows: big + 1 + 1 − big = 0 in float, 2 in double.
    const x = Float32Array.from([big, 1, 1, -big]);
    expect(torchCollectStats(x, 4, 1, 1).mean[0]).toBe(0);
    expect(torchCollectStats(x, 1, 1, 4).mean[0]).toBe(0.5);
  });
});
