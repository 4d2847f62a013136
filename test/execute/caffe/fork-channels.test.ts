/**
 * ConvolutionDepthwise, DepthwiseConvolution, ShuffleChannel, Axpy and ReLU6 on cases worked out
 * by hand from their forks' loops (src/execute/caffe/fork-channels.ts cites the lines).
 */
import { describe, expect, it } from "vitest";
import { buildNet } from "../../../src/caffe/net.js";
import { executeNet } from "../../../src/execute/net.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import { readNet } from "../../../src/schema/read.js";
import { blob, input, layer, run, values } from "./run-net.js";

describe("ConvolutionDepthwise", () => {
  // Channel 0 is 1..9 in a 3×3 plane, channel 1 all ones; kernel 2×2, stride 2, pad 1 → 2×2 outputs.
  const x = blob([1, 2, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  // Channel 0 takes its top-left tap only, channel 1 sums its window; biases 10 and 0.
  const weights = { dw: [blob([2, 1, 2, 2], [1, 0, 0, 0, 1, 1, 1, 1]), blob([2], [10, 0])] };

  it("filters each channel alone, skips taps in the padding, keeps the channels whatever num_output says", () => {
    const r = run([layer("dw", "ConvolutionDepthwise", ["x"], "convolution_param { num_output: 7 kernel_size: 2 stride: 2 pad: 1 }")], { x }, weights);
    expect(r.top("dw").shape).toEqual([1, 2, 2, 2]);
    // Channel 0: the top-left tap of window (h, w) is (2h − 1, 2w − 1): inside only for (1, 1), value 5.
    // Channel 1: the windows hold 1, 2, 2 and 4 pixels of the image.
    expect(values(r.top("dw"))).toEqual([10, 10, 10, 15, 1, 2, 2, 4]);
  });

  it("reads kernel_h/kernel_w only when both are written, and dilation", () => {
    const y = blob([1, 1, 3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const r = run([layer("dw", "ConvolutionDepthwise", ["y"], "convolution_param { kernel_h: 1 kernel_w: 2 dilation: 2 bias_term: false }")], { y }, { dw: [blob([1, 1, 1, 2], [1, -1])] });
    // Each output is x[h, w] − x[h, w + 2]: −2 everywhere, a 3×2 plane.
    expect(r.top("dw").shape).toEqual([1, 1, 3, 2]);
    expect(values(r.top("dw"))).toEqual([-2, -2, -2, -2, -2, -2]);
  });
});

describe("DepthwiseConvolution", () => {
  it("is Convolution with its num_output and group as written", () => {
    const x = blob([1, 2, 1, 2], [1, 2, 3, 4]);
    const r = run([layer("dc", "DepthwiseConvolution", ["x"], "convolution_param { num_output: 4 group: 2 kernel_size: 1 }")], { x }, { dc: [blob([4, 1, 1, 1], [1, 2, 3, 4]), blob([4], [0, 0, 0, 1])] });
    // Outputs 0, 1 read channel 0 (×1, ×2), outputs 2, 3 channel 1 (×3, ×4 + 1).
    expect(values(r.top("dc"))).toEqual([1, 2, 2, 4, 9, 12, 13, 17]);
  });
});

describe("ShuffleChannel", () => {
  // Six channels valued by their index, two values each.
  const c = blob([1, 6, 1, 2], [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);

  it("moves channel i·k + j to j·g + i (the channels as [g, k] transposed)", () => {
    const r = run([layer("s", "ShuffleChannel", ["c"], "shuffle_channel_param { group: 2 }")], { c });
    expect(values(r.top("s"))).toEqual([0, 0, 3, 3, 1, 1, 4, 4, 2, 2, 5, 5]);
  });

  it("in place, each copy reads what the earlier copies wrote, as the fork's loop over one buffer does", () => {
    // Copies 0→0, 1→2, 2→4 (holding the old 1 by then), 3→1, 4→3 (the old 1), 5→5.
    const r = run([layer("s", "ShuffleChannel", ["c"], "shuffle_channel_param { group: 2 }", ["c"])], { c });
    expect(values(r.top("s"))).toEqual([0, 0, 3, 3, 1, 1, 1, 1, 1, 1, 5, 5]);
  });

  it("refuses a group that does not divide the channels", () => {
    expect(run([layer("s", "ShuffleChannel", ["c"], "shuffle_channel_param { group: 4 }")], { c }).error).toMatchObject({ code: "shuffle-group" });
  });
});

describe("Axpy", () => {
  it("gives a[n, c]·x + y, a as [N, C] or [N, C, 1, 1]", () => {
    const x = blob([1, 2, 1, 2], [1, 2, 3, 4]);
    const y = blob([1, 2, 1, 2], [10, 20, 30, 40]);
    for (const a of [blob([1, 2], [2, -1]), blob([1, 2, 1, 1], [2, -1])]) {
      expect(values(run([layer("axpy", "Axpy", ["a", "x", "y"])], { a, x, y }).top("axpy"))).toEqual([12, 24, 27, 36]);
    }
  });
});

describe("fork parameters", () => {
  it("are refused without the source map they live in, rather than read as defaults", () => {
    const read = readNet([input("r", [2]), layer("r6", "ReLU6", ["r"], "relu6_param { negative_slope: 0.5 }")].join("\n"), { allowUnknown: true, upgrade: true });
    const model = buildNet(read.net as NetParameter, { phase: "TEST" }, read.sourceMap);
    const result = executeNet(model, new Map([["r", blob([2], [-2, 3])]]), new Map());
    expect(result.error).toMatchObject({ layer: "r6", code: "fork-params-need-source-map" });
  });
});

describe("ReLU6", () => {
  const r = blob([4], [-20, -2, 3, 7]);
  it("is min(max(x, 0) + slope·min(x, 0), 6): no lower bound with a slope", () => {
    expect(values(run([layer("r6", "ReLU6", ["r"])], { r }).top("r6"))).toEqual([0, 0, 3, 6]);
    expect(values(run([layer("r6", "ReLU6", ["r"], "relu6_param { negative_slope: 0.5 }")], { r }).top("r6"))).toEqual([-10, -1, 3, 6]);
  });
});
