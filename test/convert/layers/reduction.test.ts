import { describe, expect, it } from "vitest";
import { forwardOf, netWith, refusalOf } from "./snippet.js";

const reduction = (param: string): string => netWith([2, 3, 4, 5], `layer { name: "r" type: "Reduction" bottom: "data" top: "r" reduction_param { ${param} } }`);

describe("Reduction", () => {
  it("sums every axis from axis on, keeping the axes before it", () => {
    expect(forwardOf(reduction("operation: SUM axis: 2"), "r")).toBe("r = data.sum(dim=(2, 3))");
  });
  it("reduces the whole blob to a 0-D top with the default axis 0", () => {
    expect(forwardOf(reduction("operation: SUMSQ"), "r")).toBe("r = data.square().sum()");
  });
  it("sums absolute values over a negative axis counted from the end", () => {
    expect(forwardOf(reduction("operation: ASUM axis: -1"), "r")).toBe("r = data.abs().sum(dim=3)");
  });
  it("scales by coeff as written", () => {
    expect(forwardOf(reduction("operation: SUM axis: 1 coeff: 0.1"), "r")).toBe("r = data.sum(dim=(1, 2, 3)) * 0.1");
  });
  it("multiplies MEAN by coeff / count rounded to float32, as ReductionLayer does, instead of dividing", () => {
    // count(1) = 3·4·5 = 60; float32(2 / 60) = 0.03333333507180214.
    expect(forwardOf(reduction("operation: MEAN axis: 1 coeff: 2"), "r")).toBe("r = data.sum(dim=(1, 2, 3)) * 0.03333333507180214");
  });
  it("refuses an axis outside the blob", () => {
    expect(refusalOf(reduction("operation: SUM axis: 4"), "r")).toBe("axis-out-of-range");
  });
});
