import { describe, expect, it } from "vitest";
import { vectorLength } from "../../src/weights/block-blobs.js";
import { formatSignificant } from "../../src/weights/messages.js";
import { effectiveStatistics, estimateUpdates, isBelowLimit } from "../../src/weights/statistics.js";

const fround = Math.fround;

/** Caffe's scale factor after k updates: s ← fround(fround(s·f) + 1) from 0 (BatchNormLayer::Forward_cpu). */
function replay(fraction: number, k: number): number {
  const f = fround(fraction);
  let s = 0;
  for (let i = 0; i < k; i++) s = fround(fround(s * f) + 1);
  return s;
}

describe("effectiveStatistics", () => {
  it("multiplies the sums by fround(1/s) in float32, as Caffe does, rather than dividing", () => {
    const s = replay(0.999, 40);
    const stats = effectiveStatistics(Float32Array.of(10), Float32Array.of(3), s);
    expect(stats.factor).toBe(fround(1 / s));
    expect(stats.mean[0]).toBe(fround(fround(10) * fround(1 / s)));
    expect(stats.variance[0]).toBe(fround(3 * fround(1 / s)));
  });

  it("gives zero statistics for a scale factor of 0", () => {
    const stats = effectiveStatistics(Float32Array.of(5, -5), Float32Array.of(2, 2), 0);
    expect(Array.from(stats.mean)).toEqual([0, -0]);
    expect(Array.from(stats.variance)).toEqual([0, 0]);
  });
});

describe("estimateUpdates", () => {
  it.each([
    [0.999, [1, 2, 3, 10, 40, 100, 1000]],
    [0.99, [1, 2, 3, 10, 40, 100]],
    [0.9, [1, 2, 3, 10, 40, 100]],
    [0.5, [1, 2, 3, 10]],
  ])("recovers the number of updates from a float32 replay with fraction %s", (f, ks) => {
    for (const k of ks) expect(estimateUpdates(replay(f, k), f)).toBe(k);
  });

  it("counts the updates exactly for a fraction of 1 (cumulative average) and says 1 for a fraction of 0", () => {
    expect(estimateUpdates(replay(1, 1234), 1)).toBe(1234);
    expect(estimateUpdates(replay(0, 7), 0)).toBe(1);
  });

  it("is 0 for a scale factor of 0 and null once s has reached the float32 limit", () => {
    expect(estimateUpdates(0, 0.999)).toBe(0);
    expect(estimateUpdates(replay(0.5, 200), 0.5)).toBeNull();
    expect(estimateUpdates(-1, 0.9)).toBeNull();
  });
});

describe("isBelowLimit", () => {
  it("holds while the first batches still weigh more than 1e-3 against momentum 1 - f", () => {
    expect(isBelowLimit(replay(0.999, 40), 0.999)).toBe(true);
    expect(isBelowLimit(replay(0.9, 40), 0.9)).toBe(true);
    expect(isBelowLimit(replay(0.9, 100), 0.9)).toBe(false);
  });

  it("never holds for s = 0 or fractions 0 and 1, where nothing lags", () => {
    expect(isBelowLimit(0, 0.9)).toBe(false);
    expect(isBelowLimit(5, 1)).toBe(false);
    expect(isBelowLimit(1, 0)).toBe(false);
  });
});

describe("vectorLength", () => {
  it("reads [C], [1, C, 1, 1] and [1, 1, 1, C] as C values and refuses a matrix", () => {
    expect(vectorLength([8])).toBe(8);
    expect(vectorLength([1, 8, 1, 1])).toBe(8);
    expect(vectorLength([1, 1, 1, 8])).toBe(8);
    expect(vectorLength([1])).toBe(1);
    expect(vectorLength([2, 4])).toBeNull();
    expect(vectorLength([])).toBeNull();
  });
});

describe("formatSignificant", () => {
  it("prints 6 significant digits without trailing zeros, as %g does", () => {
    expect(formatSignificant(39.229793548583984)).toBe("39.2298");
    expect(formatSignificant(9.852188110351562)).toBe("9.85219");
    expect(formatSignificant(1 / (1 - fround(0.999)))).toBe("1000.01");
    expect(formatSignificant(10.000002384185791)).toBe("10");
    expect(formatSignificant(1.5e-7)).toBe("1.5e-7");
  });
});
