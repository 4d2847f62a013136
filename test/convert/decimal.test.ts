import { describe, expect, it } from "vitest";
import { oneMinusDecimal, stepsUntilBelow } from "../../src/convert/decimal.js";

describe("decimal subtraction for momentum", () => {
  it("computes 1 − 0.999 as 0.001, not 0.0010000000000000009", () => {
    expect(1 - 0.999).not.toBe(0.001);
    expect(oneMinusDecimal(0.999)).toBe(0.001);
  });
  it("handles the fractions nets use, the bounds and exponent notation", () => {
    expect(oneMinusDecimal(0.9)).toBe(0.1);
    expect(oneMinusDecimal(0.9997)).toBe(0.0003);
    expect(oneMinusDecimal(0.95)).toBe(0.05);
    expect(oneMinusDecimal(0)).toBe(1);
    expect(oneMinusDecimal(1)).toBe(0);
    expect(oneMinusDecimal(1e-7)).toBe(0.9999999);
    expect(oneMinusDecimal(0.99999999)).toBe(1e-8);
  });
  it("goes below 0 and above 1 for fractions outside [0, 1]", () => {
    expect(oneMinusDecimal(1.5)).toBe(-0.5);
    expect(oneMinusDecimal(-0.1)).toBe(1.1);
  });
});

describe("steps until the initial value is forgotten", () => {
  it("is 6905 for 0.999 (0.999^6904 ≥ 1e-3 > 0.999^6905)", () => {
    expect(stepsUntilBelow(0.999, 1e-3)).toBe(6905);
    expect(Math.pow(0.999, 6904)).toBeGreaterThanOrEqual(1e-3);
    expect(Math.pow(0.999, 6905)).toBeLessThan(1e-3);
  });
  it("is 66 for 0.9, 1 for 0 and never for 1", () => {
    expect(stepsUntilBelow(0.9, 1e-3)).toBe(66);
    expect(stepsUntilBelow(0, 1e-3)).toBe(1);
    expect(stepsUntilBelow(1, 1e-3)).toBe(Infinity);
  });
});
