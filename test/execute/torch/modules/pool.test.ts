import { describe, expect, it } from "vitest";
import { pooledSize } from "../../../../src/execute/torch/modules/pool.js";
import { f32, runModule, t } from "../one-node.js";

// Expected values follow PyTorch's definitions (aten Pool.h, AvgPoolKernel.cpp, MaxPoolKernel.cpp);
// each was checked once against torch 1.13 (F.max_pool2d / F.avg_pool2d / adaptive pools).
const grid = t([1, 1, 3, 3], [1, 5, 2, 4, 0, 9, 3, 8, 6]);
const ones4 = t([1, 1, 4, 4], new Array<number>(16).fill(1));

describe("PyTorch's pooled size (pooling_output_shape)", () => {
  it("rounds up with ceil_mode and down without", () => {
    expect(pooledSize(12, 3, 0, 2, 1, true)).toBe(6);
    expect(pooledSize(12, 3, 0, 2, 1, false)).toBe(5);
  });

  it("drops a last window that would start at or past the input even without padding (Caffe keeps it when pad is 0)", () => {
    // Caffe: ceil((4 − 1)/2) + 1 = 3, and it only drops the last window when pad > 0.
    expect(pooledSize(4, 1, 0, 2, 1, true)).toBe(2);
    expect(pooledSize(6, 1, 0, 3, 1, true)).toBe(2);
  });

  it("keeps a last window that starts in the input and ends in the right padding", () => {
    // windows start at −1, 1, 3, 5 over a 6-wide input with pad 1
    expect(pooledSize(6, 2, 1, 2, 1, true)).toBe(4);
    expect(pooledSize(4, 3, 1, 2, 1, true)).toBe(3);
  });

  it("counts dilation in the window's extent", () => {
    expect(pooledSize(7, 3, 0, 1, 2, false)).toBe(3);
  });
});

describe("nn.MaxPool2d", () => {
  it("ceil_mode keeps the partial last window; indices are the first maximum's h·W + w", () => {
    const r = runModule("nn.MaxPool2d", [2], { ceil_mode: true, return_indices: true }, [grid], { tops: 2 });
    expect(r.error).toBeNull();
    expect(r.tops[0]).toEqual({ shape: [1, 1, 2, 2], values: [5, 9, 8, 6] });
    expect(r.tops[1]).toEqual({ shape: [1, 1, 2, 2], values: [1, 5, 7, 8] });
  });

  it("never lets the padding win, and without ceil_mode drops the partial window", () => {
    const padded = runModule("nn.MaxPool2d", [3], { stride: 2, padding: 1, ceil_mode: true, return_indices: true }, [grid], { tops: 2 });
    expect(padded.tops[0]!.values).toEqual([5, 9, 8, 9]);
    expect(padded.tops[1]!.values).toEqual([1, 5, 7, 5]);
    const floor = runModule("nn.MaxPool2d", [2], {}, [grid]);
    expect(floor.tops[0]).toEqual({ shape: [1, 1, 1, 1], values: [5] });
  });

  it("refuses padding above half the kernel, as PyTorch does", () => {
    const r = runModule("nn.MaxPool2d", [2], { padding: 2 }, [grid]);
    expect(r.error?.code).toBe("torch-invalid");
    expect(r.error?.data["what"]).toBe("pool-pad-above-half");
  });
});

describe("nn.AvgPool2d", () => {
  it("count_include_pad divides by the window clipped to [−pad, H + pad): 4/9 at a corner, 1/4 at the ceil_mode edge", () => {
    const r = runModule("nn.AvgPool2d", [3], { stride: 2, padding: 1, ceil_mode: true }, [ones4]);
    expect(r.tops[0]).toEqual({ shape: [1, 1, 3, 3], values: f32([4 / 9, 6 / 9, 3 / 9, 6 / 9, 1, 0.5, 3 / 9, 0.5, 0.25]) });
  });

  it("count_include_pad=False divides by the values inside the input", () => {
    const r = runModule("nn.AvgPool2d", [3], { stride: 2, padding: 1, ceil_mode: true, count_include_pad: false }, [ones4]);
    expect(r.tops[0]!.values).toEqual(new Array<number>(9).fill(1));
  });

  it("a partial ceil_mode window without padding is divided by its in-range size", () => {
    const r = runModule("nn.AvgPool2d", [2], { ceil_mode: true }, [grid]);
    expect(r.tops[0]!.values).toEqual([2.5, 5.5, 5.5, 6]);
  });
});

describe("adaptive pooling", () => {
  const ramp = t([1, 1, 3, 5], Array.from({ length: 15 }, (_, i) => i));

  it("nn.AdaptiveAvgPool2d averages bins [⌊o·I/O⌋, ⌈(o + 1)·I/O⌉)", () => {
    expect(runModule("nn.AdaptiveAvgPool2d", [{ tuple: [2, 2] }], {}, [ramp]).tops[0]).toEqual({ shape: [1, 1, 2, 2], values: [3.5, 5.5, 8.5, 10.5] });
  });

  it("nn.AdaptiveMaxPool2d returns the bins' maxima and their indices", () => {
    const r = runModule("nn.AdaptiveMaxPool2d", [{ tuple: [2, 3] }], { return_indices: true }, [ramp], { tops: 2 });
    expect(r.tops[0]!.values).toEqual([6, 8, 9, 11, 13, 14]);
    expect(r.tops[1]!.values).toEqual([6, 8, 9, 11, 13, 14]);
  });

  it("global pooling (output 1) covers the plane", () => {
    expect(runModule("nn.AdaptiveAvgPool2d", [1], {}, [ramp]).tops[0]).toEqual({ shape: [1, 1, 1, 1], values: [7] });
  });
});
