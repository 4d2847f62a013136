import { describe, expect, it } from "vitest";
import { caffeComputedDiffs, type CaffeBackwardSetup } from "../../src/numeric/caffe-diff-rule.js";

const base: CaffeBackwardSetup = {
  backwardRun: true,
  forceBackward: false,
  topLossWeight: null,
  bnDeclaresParamLrMult0: false,
  scale: true,
  scaleBiasTerm: true,
  scaleLrMult: null,
};

describe("caffeComputedDiffs", () => {
  it("computes nothing without a loss and without force_backward", () => {
    expect(caffeComputedDiffs(base)).toEqual({ bottom: false, scale: false, bias: false });
  });

  it("computes everything with force_backward, even for lr_mult 0 Scale params", () => {
    expect(caffeComputedDiffs({ ...base, forceBackward: true, scaleLrMult: 0 })).toEqual({ bottom: true, scale: true, bias: true });
  });

  it("writes the input diff under a loss when the BN declares no param blocks", () => {
    expect(caffeComputedDiffs({ ...base, topLossWeight: 1, scaleLrMult: 0 })).toEqual({ bottom: true, scale: false, bias: false });
  });

  it("skips the input diff when the BN declares lr_mult 0 for its blobs", () => {
    expect(caffeComputedDiffs({ ...base, topLossWeight: 1, bnDeclaresParamLrMult0: true, scaleLrMult: 1 })).toEqual({
      bottom: false,
      scale: true,
      bias: true,
    });
    expect(caffeComputedDiffs({ ...base, topLossWeight: 1, bnDeclaresParamLrMult0: true, scaleLrMult: 0 })).toEqual({
      bottom: false,
      scale: false,
      bias: false,
    });
  });

  it("counts a loss_weight of 0 as no loss", () => {
    expect(caffeComputedDiffs({ ...base, topLossWeight: 0 })).toEqual({ bottom: false, scale: false, bias: false });
  });

  it("has no Scale gradients without a Scale, and no bias gradient without bias_term", () => {
    expect(caffeComputedDiffs({ ...base, forceBackward: true, scale: false })).toEqual({ bottom: true, scale: false, bias: false });
    expect(caffeComputedDiffs({ ...base, forceBackward: true, scaleBiasTerm: false })).toEqual({ bottom: true, scale: true, bias: false });
  });

  it("computes nothing when no backward runs", () => {
    expect(caffeComputedDiffs({ ...base, forceBackward: true, backwardRun: false })).toEqual({ bottom: false, scale: false, bias: false });
  });
});
