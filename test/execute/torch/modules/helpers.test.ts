import { describe, expect, it } from "vitest";
import { f32, runModule, runNode, t } from "../one-node.js";

describe("helper modules as the emitted Python computes them", () => {
  it("ArgMax ranks equal values larger index first, as Caffe's partial_sort on (value, index) does", () => {
    const x = t([1, 4, 1, 1], [1, 3, 3, 2]);
    expect(runModule("ArgMax", [], { axis: 1, top_k: 2 }, [x]).tops[0]).toEqual({ shape: [1, 2, 1, 1], values: [2, 1] });
    expect(runModule("ArgMax", [], { axis: 1, top_k: 3, out_max_val: true }, [x]).tops[0]!.values).toEqual([3, 3, 2]);
  });

  it("ArgMax without axis ranks each item's values together: [N, 1 + out_max_val, top_k, 1]", () => {
    const x = t([2, 1, 2, 2], [0, 5, 5, 1, 7, -1, 2, 7]);
    expect(runModule("ArgMax", [], { top_k: 2, out_max_val: true }, [x]).tops[0]).toEqual({ shape: [2, 2, 2, 1], values: [2, 1, 5, 5, 3, 0, 7, 7] });
  });

  it("Embed picks rows by the ids its {0}.long() input truncates, and adds its bias", () => {
    const state = { weight: t([3, 2], [0, 1, 10, 11, 20, 21]), bias: t([2], [0.5, -0.5]) };
    const r = runNode({ kind: "module", input: "{0}.long()" }, [t([2], [2.9, 0.2])], { module: { cls: "Embed", args: [3, 2], kwargs: {} }, state });
    expect(r.tops[0]).toEqual({ shape: [2, 2], values: [20.5, 20.5, 0.5, 0.5] });
  });

  it("Embed refuses float ids, as nn.Embedding does", () => {
    const r = runModule("Embed", [3, 2], {}, [t([2], [2.9, 0.2])], { state: { weight: t([3, 2], [0, 1, 10, 11, 20, 21]), bias: t([2], [0.5, -0.5]) } });
    expect(r.error?.data["what"]).toBe("embedding-ids-dtype");
  });

  it("Scale with a second input multiplies from axis 0 (the squeeze-excitation form), then adds its bias", () => {
    const x = t([2, 2, 1, 1], [1, 2, 3, 4]);
    const w = t([2, 2], [10, 20, 30, 40]);
    const r = runModule("Scale", [null], { axis: 0, bias: true, bias_shape: { tuple: [2, 2] } }, [x, w], { state: { bias: t([2, 2], [1, 1, 1, 1]) } });
    expect(r.tops[0]).toEqual({ shape: [2, 2, 1, 1], values: [11, 41, 91, 161] });
  });

  it("Scale with a 0-d weight scales every value; Bias broadcasts from axis 1", () => {
    const x = t([1, 2, 2], [1, 2, 3, 4]);
    expect(runModule("Scale", [{ tuple: [] }], {}, [x], { state: { weight: t([], [0.5]) } }).tops[0]!.values).toEqual([0.5, 1, 1.5, 2]);
    expect(runModule("Bias", [{ tuple: [2] }], {}, [x], { state: { bias: t([2], [10, 20]) } }).tops[0]!.values).toEqual([11, 12, 23, 24]);
  });

  it("MaxUnpool puts each value where its mask points in a zeroed plane of scale × the input", () => {
    const r = runModule("MaxUnpool", [], {}, [t([1, 1, 1, 2], [7, 8]), t([1, 1, 1, 2], [1, 6])]);
    expect(r.tops[0]).toEqual({ shape: [1, 1, 2, 4], values: [0, 7, 0, 0, 0, 0, 8, 0] });
    expect(runModule("MaxUnpool", [], {}, [t([1, 1, 1, 2], [7, 8]), t([1, 1, 1, 2], [1, 9])]).error?.data["what"]).toBe("max-unpool-index");
  });

  it("Parameter gives its weight", () => {
    expect(runModule("Parameter", [{ tuple: [2] }], {}, [], { state: { weight: t([2], [1.5, -2]) } }).tops[0]).toEqual({ shape: [2], values: [1.5, -2] });
  });

  it("Lstm: one step from a zero state is o·tanh(i·g) (gates i, f, o, g)", () => {
    const x = t([1, 1, 1], [1]);
    const state = { weight_i: t([4, 1], [1, 2, 3, 0.5]), weight_h: t([4, 1], [0, 0, 0, 0]), bias: t([4], [0, 0, 0, 0]) };
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const expected = sig(3) * Math.tanh(sig(1) * Math.tanh(0.5));
    expect(runModule("Lstm", [1, 1], {}, [x], { state }).tops[0]!.values[0]).toBeCloseTo(expected, 6);
  });
});

describe("convolution modules", () => {
  const x = t([1, 2, 3, 3], Array.from({ length: 18 }, (_, i) => i + 1));

  it("nn.Conv2d with groups sums each group's channels only, plus the bias", () => {
    // groups 2, a 1×1 kernel: output channel o reads input channel o.
    const r = runModule("nn.Conv2d", [2, 2], { kernel_size: 1, groups: 2 }, [x], { state: { weight: t([2, 1, 1, 1], [2, -1]), bias: t([2], [0.5, 0]) } });
    expect(r.tops[0]!.values.slice(0, 3)).toEqual([2.5, 4.5, 6.5]);
    expect(r.tops[0]!.values.slice(9, 12)).toEqual([-10, -11, -12]);
  });

  it("nn.Conv2d with stride, padding and dilation floors the output size", () => {
    const r = runModule("nn.Conv2d", [2, 1], { kernel_size: 2, stride: 2, padding: 1, dilation: 2, bias: false }, [x], { state: { weight: t([1, 2, 2, 2], [1, 0, 0, 0, 0, 0, 0, 1]) } });
    // ⌊(3 + 2 − 2 − 1)/2⌋ + 1 = 2; output (i, j) reads channel 0 at (2i − 1, 2j − 1) and channel 1 at (2i + 1, 2j + 1).
    expect(r.tops[0]).toEqual({ shape: [1, 1, 2, 2], values: [14, 0, 0, 5] });
  });

  it("nn.ConvTranspose2d spreads each input value over the kernel: (H − 1)·s − 2p + k", () => {
    const r = runModule("nn.ConvTranspose2d", [1, 1], { kernel_size: 2, stride: 2, bias: false }, [t([1, 1, 1, 2], [1, 2])], { state: { weight: t([1, 1, 2, 2], [1, 2, 3, 4]) } });
    expect(r.tops[0]).toEqual({ shape: [1, 1, 2, 4], values: [1, 2, 2, 4, 3, 4, 6, 8] });
  });

  it("nn.Linear works on the last axis of any rank", () => {
    const r = runModule("nn.Linear", [2, 1], {}, [t([2, 1, 2], [1, 2, 3, 4])], { state: { weight: t([1, 2], [1, 10]), bias: t([1], [0.5]) } });
    expect(r.tops[0]).toEqual({ shape: [2, 1, 1], values: f32([21.5, 43.5]) });
  });

  it("refuses a weight of the wrong shape, naming the key", () => {
    const r = runModule("nn.Linear", [2, 1], {}, [t([1, 2], [1, 2])], { state: { weight: t([2, 1], [1, 10]), bias: t([1], [0]) } });
    expect(r.error).toMatchObject({ code: "torch-invalid", data: { what: "state-shape", key: "m.weight", expected: [1, 2], actual: [2, 1] } });
  });
});
