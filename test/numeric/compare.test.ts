import { describe, expect, it } from "vitest";
import { compare, compareScalar, isWithin, scaledError } from "../../src/numeric/compare.js";

/** A tolerance for the isWithin examples below. */
const EXAMPLE_TOLERANCE = 1e-3;

describe("scaledError", () => {
  it("is absolute below magnitude 1 and relative above it", () => {
    expect(scaledError(0.5, 0.25)).toBe(0.25);
    expect(scaledError(1010, 1000)).toBe(0.01);
    expect(scaledError(-2, -4)).toBe(0.5);
  });

  it("treats NaN against a number as infinitely wrong and NaN against NaN as equal", () => {
    expect(scaledError(NaN, 1)).toBe(Infinity);
    expect(scaledError(1, NaN)).toBe(Infinity);
    expect(scaledError(NaN, NaN)).toBe(0);
    expect(scaledError(Infinity, Infinity)).toBe(0);
  });
});

describe("compare", () => {
  it("reports the worst scaled error with its flat index, position and values", () => {
    const expected = { shape: [2, 3], data: [1, 2, 3, 400, 5, 6] };
    const actual = { shape: [2, 3], data: Float32Array.from([1, 2.5, 3, 401, 5, 6]) };
    // |2.5 − 2| / 2 = 0.25 beats |401 − 400| / 400 = 0.0025, though the latter's absolute error is larger.
    expect(compare(actual, expected)).toEqual({
      maxError: 0.25,
      maxAbsError: 1,
      index: 1,
      position: [0, 1],
      actual: 2.5,
      expected: 2,
      count: 6,
      shapeMismatch: false,
    });
  });

  it("keeps the first index on ties and reports zero for identical tensors", () => {
    const same = compare({ shape: [3], data: [1, 2, 3] }, { shape: [3], data: [1, 2, 3] });
    expect(same).toMatchObject({ maxError: 0, maxAbsError: 0, index: 0, position: [0] });
  });

  it("reports a shape mismatch instead of comparing", () => {
    const c = compare({ shape: [2, 3], data: new Float32Array(6) }, { shape: [3, 2], data: new Array(6).fill(0) });
    expect(c).toMatchObject({ shapeMismatch: true, maxError: Infinity, index: -1, count: 0 });
  });

  it("compares nothing for empty tensors", () => {
    expect(compare({ shape: [0], data: [] }, { shape: [0], data: [] })).toMatchObject({ maxError: 0, index: -1, count: 0 });
  });
});

describe("compareScalar and isWithin", () => {
  it("compares two scalars as shape-[1] tensors under a caller's tolerance", () => {
    expect(isWithin(compareScalar(2.0005, 2), EXAMPLE_TOLERANCE)).toBe(true);
    expect(isWithin(compareScalar(2.01, 2), EXAMPLE_TOLERANCE)).toBe(false);
  });
});
