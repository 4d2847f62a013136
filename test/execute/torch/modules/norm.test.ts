import { describe, expect, it } from "vitest";
import { f32, runModule, t } from "../one-node.js";

// Expected values from PyTorch's definitions: checked once against torch 1.13 where noted, else worked
// from the formula in float64 here.
const x = t([1, 2, 2, 2], [1, 2, 3, 4, -1, 0.5, 2, -3]);
const close = (actual: number[], expected: number[], digits = 6): void => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, digits));
};

// x's two channels of 2×2 positions, for the formulas below (worked in float64).
const channels = [
  [1, 2, 3, 4],
  [-1, 0.5, 2, -3],
];
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
/** Per channel c, f(c, values of c); the results in x's order. */
const perChannel = (f: (c: number, v: number[]) => number[]): number[] => channels.flatMap((v, c) => f(c, v));
/** Per position p, f(values of both channels at p); the results in x's order. */
const perPosition = (f: (v: number[]) => number[]): number[] => {
  const out = new Array<number>(8);
  for (let p = 0; p < 4; p++) f(channels.map((c) => c[p]!)).forEach((y, c) => (out[c * 4 + p] = y));
  return out;
};

describe("nn.LocalResponseNorm (F.local_response_norm)", () => {
  const c3 = t([1, 3, 1, 1], [1, 2, 3]);

  it("divides α by size and zero-pads the channel window: x / (k + α/n·Σx²)^β", () => {
    // channel 0: (1 + (0 + 1 + 4)/3)^1 → 1 / (8/3) = 0.375; torch gives 0.3750000298, 0.3529411852, 0.5625
    const r = runModule("nn.LocalResponseNorm", [3], { alpha: { raw: "1.0" }, beta: { raw: "1.0" }, k: { raw: "1.0" } }, [c3]);
    expect(r.tops[0]!.values).toEqual(f32([0.3750000298023224, 0.3529411852359772, 0.5625]));
  });

  it("with an even size takes size//2 channels before and (size − 1)//2 after", () => {
    // size 2: channel c averages x²[c−1], x²[c]; torch: 0.6666666865, 0.5714285970, 0.4000000060
    const r = runModule("nn.LocalResponseNorm", [2], { alpha: { raw: "1.0" }, beta: { raw: "1.0" }, k: { raw: "1.0" } }, [c3]);
    expect(r.tops[0]!.values).toEqual(f32([0.6666666865348816, 0.5714285969734192, 0.4000000059604645]));
  });

  it("applies β as a power and k as the offset (Caffe's zoo_norm parameters)", () => {
    const r = runModule("nn.LocalResponseNorm", [3], { alpha: { raw: "0.5" }, beta: { raw: "0.75" }, k: { raw: "2.0" } }, [c3]);
    close(r.tops[0]!.values, [0.45790645480155945, 0.6659068465232849, 1.0286785364151]);
  });
});

describe("nn.BatchNorm2d", () => {
  const state = { running_mean: t([2], [0.5, -1]), running_var: t([2], [2, 0.25]), weight: t([2], [1.5, -2]), bias: t([2], [0.1, 0.2]) };

  it("in eval uses the running statistics: (x − mean)/sqrt(var + eps)·w + b, as torch computes it", () => {
    const r = runModule("nn.BatchNorm2d", [2], { eps: 0.001 }, [x], { state });
    expect(r.tops[0]!.values).toEqual(f32([0.6301975250244141, 1.690592646598816, 2.7509877681732178, 3.811383008956909, 0.20000004768371582, -5.788036346435547, -11.77607250213623, 8.184048652648926]));
  });

  it("in training uses the batch's statistics (biased variance)", () => {
    const r = runModule("nn.BatchNorm2d", [2], { eps: 0.001 }, [x], { state, training: true });
    const [w, b] = [[1.5, -2], [0.1, 0.2]];
    close(r.tops[0]!.values, perChannel((c, v) => {
      const m = mean(v);
      const variance = mean(v.map((u) => (u - m) ** 2));
      return v.map((u) => ((u - m) / Math.sqrt(variance + 0.001)) * w[c]! + b[c]!);
    }));
  });

  it("a BatchNorm Caffe runs on stored statistics stays in eval while the net trains", () => {
    const r = runModule("nn.BatchNorm2d", [2], { eps: 0.001 }, [x], { state, training: true, evalWhileTraining: true });
    expect(r.tops[0]!.values[0]).toBe(Math.fround(0.6301975250244141));
  });

  it("takes a constant state (the zero beta of a bias-free Scale) when the state map lacks it", () => {
    const r = runModule("nn.BatchNorm2d", [2], { eps: 0.001 }, [x], {
      state: { running_mean: state.running_mean, running_var: state.running_var, weight: state.weight },
      constants: [{ key: "m.bias", shape: [2], value: 0 }],
    });
    expect(r.error).toBeNull();
    expect(r.tops[0]!.values[4]).toBe(0);
  });

  it("refuses an input of the wrong rank, as _check_input_dim does", () => {
    expect(runModule("nn.BatchNorm1d", [2], {}, [x], { state }).error?.data["what"]).toBe("batch-norm-input-rank");
  });

  it("names a missing state key", () => {
    const r = runModule("nn.BatchNorm2d", [2], {}, [x], { state: {} });
    expect(r.error).toMatchObject({ code: "torch-invalid", data: { what: "missing-state", key: "m.running_mean" } });
  });
});

describe("helper normalisations as their emitted Python computes them", () => {
  it("MVN: (x − mean)/(sqrt(mean((x − mean)²)) + eps) per channel", () => {
    const expected = perChannel((_c, v) => {
      const m = mean(v);
      const sd = Math.sqrt(mean(v.map((u) => (u - m) ** 2)));
      return v.map((u) => (u - m) / (sd + 1e-9));
    });
    close(runModule("MVN", [], {}, [x]).tops[0]!.values, expected);
  });

  it("LRNWithinChannel: x·(avg_pool2d(x², n, 1, (n − 1)/2)·α + 1)^−β, the divisor n² everywhere", () => {
    const r = runModule("LRNWithinChannel", [3], { alpha: { raw: "0.5" }, beta: { raw: "0.75" } }, [x]);
    // On a 2×2 plane every 3×3 window (padding 1) covers the whole plane, divided by 9.
    close(r.tops[0]!.values, perChannel((_c, v) => v.map((u) => u * ((v.reduce((a, q) => a + q * q, 0) / 9) * 0.5 + 1) ** -0.75)));
  });

  it("Normalize (SSD) over channels per position, times one scale per channel", () => {
    const r = runModule("Normalize", [2], { across_spatial: false, channel_shared: false }, [x], { state: { weight: t([2], [2, 3]) } });
    const scale = [2, 3];
    close(r.tops[0]!.values, perPosition((v) => v.map((u, c) => (u / Math.sqrt(v[0]! ** 2 + v[1]! ** 2)) * scale[c]!)));
  });

  it("nn.Softmax over channels", () => {
    close(runModule("nn.Softmax", [], { dim: 1 }, [x]).tops[0]!.values, perPosition((v) => v.map((u) => Math.exp(u) / (Math.exp(v[0]!) + Math.exp(v[1]!)))));
  });
});
