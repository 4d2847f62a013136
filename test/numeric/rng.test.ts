import { describe, expect, it } from "vitest";
import { createRng, randomNormal, randomUniform } from "../../src/numeric/rng.js";

describe("createRng", () => {
  it("repeats the same sequence for the same seed", () => {
    const a = createRng(42);
    const b = createRng(42);
    const draws = (r: ReturnType<typeof createRng>) => [r.nextUint32(), r.nextFloat(), r.nextNormal(), r.nextNormal(), r.nextUint32()];
    expect(draws(a)).toEqual(draws(b));
  });

  it("gives different sequences for different seeds", () => {
    expect(createRng(1).nextUint32()).not.toBe(createRng(2).nextUint32());
  });

  it("draws 32-bit integers and floats in [0, 1)", () => {
    const r = createRng(3);
    for (let i = 0; i < 10000; i++) {
      const u = r.nextUint32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
      const f = r.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
    }
  });

  it("draws standard normal deviates (mean ≈ 0, variance ≈ 1 over 200 000 draws)", () => {
    const r = createRng(4);
    let sum = 0;
    let sq = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const z = r.nextNormal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.02);
  });
});

describe("randomNormal", () => {
  it("fills a float32 tensor of the shape with mean + std·z", () => {
    const t = randomNormal([2, 3, 4], createRng(5), { mean: 10, std: 0.5 });
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.data).toHaveLength(24);
    const z = createRng(5);
    t.data.forEach((v) => expect(v).toBe(Math.fround(10 + 0.5 * z.nextNormal())));
  });

  it("is reproducible from its seed", () => {
    expect(randomNormal([5, 5], createRng(6)).data).toEqual(randomNormal([5, 5], createRng(6)).data);
  });
});

describe("randomUniform", () => {
  it("stays within [low, high]", () => {
    const t = randomUniform([1000], createRng(7), -2, 3);
    expect(Math.min(...t.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...t.data)).toBeLessThanOrEqual(3);
  });
});
