/**
 * The fork BatchNorm layers, on cases worked out by hand from each fork's Forward_cpu
 * (src/execute/caffe/fork-batch-norm.ts cites the lines).
 */
import { describe, expect, it } from "vitest";
import { blob, layer, run, values } from "./run-net.js";

const wide = (v: number[]) => blob([1, v.length, 1, 1], v);

describe("PSPNet BN", () => {
  // Channel 0 is (1, 2, 3), channel 1 (0, 4, 8); slope (2, 0.5), bias (1, −1), mean (2, 4), variance (3, 15), eps 1.
  const x = blob([1, 2, 1, 3], [1, 2, 3, 0, 4, 8]);
  const blobs = [wide([2, 0.5]), wide([1, -1]), wide([2, 4]), wide([3, 15])];

  it("normalises with the stored statistics in TEST: (x − mean)·(var + eps)^−½·slope + bias", () => {
    const r = run([layer("bn", "BN", ["x"], "bn_param { eps: 1 }")], { x }, { bn: blobs });
    // (x − 2)·½·2 + 1 and (x − 4)·¼·½ − 1.
    expect(values(r.top("bn"))).toEqual([0, 1, 2, -1.5, -1, -0.5]);
  });

  it("normalises with the batch's mean and biased variance in TRAIN, and with the stored ones when frozen", () => {
    // One channel, items (1, 3) and (5, 7): mean 4, variance (9 + 1 + 1 + 9)/4 = 5; eps 4 → 1/3; slope 3, bias ½.
    const y = blob([2, 1, 1, 2], [1, 3, 5, 7]);
    const one = [wide([3]), wide([0.5]), wide([0]), wide([0])];
    expect(values(run([layer("bn", "BN", ["y"], "bn_param { eps: 4 }")], { y }, { bn: one }, "TRAIN").top("bn"))).toEqual([-2.5, -0.5, 1.5, 3.5]);
    // Frozen: the stored mean 0 and variance 0 (+ eps 4 → ½), whatever the phase.
    expect(values(run([layer("bn", "BN", ["y"], "bn_param { eps: 4 frozen: true }")], { y }, { bn: one }, "TRAIN").top("bn"))).toEqual([2, 5, 8, 11]);
  });
});

describe("SegNet BN", () => {
  const y = blob([2, 1, 1, 2], [1, 3, 5, 7]);
  const blobs = [wide([2]), wide([1])];

  it("LEARN uses the batch's statistics in both phases, the variance as E(x²) − (E x)², eps 1e-9", () => {
    // Mean 4, E(x²) = 21, variance 5: (x − 4)/√5·2 + 1.
    const expected = [1, 3, 5, 7].map((v) => ((v - 4) / Math.sqrt(5)) * 2 + 1);
    for (const phase of ["TEST", "TRAIN"] as const) {
      const r = run([layer("bn", "BN", ["y"], "bn_param { bn_mode: LEARN }", ["bn", "mean", "var"])], { y }, { bn: blobs }, phase);
      values(r.top("bn")).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
      expect(values(r.top("bn", 1))).toEqual([4]);
      expect(values(r.top("bn", 2))).toEqual([5]);
    }
  });

  it("INFERENCE is scale·x + shift", () => {
    expect(values(run([layer("bn", "BN", ["y"], "bn_param { bn_mode: INFERENCE }")], { y }, { bn: blobs }).top("bn"))).toEqual([3, 7, 11, 15]);
  });

  it("refuses a BN whose bn_param no fork defines", () => {
    expect(run([layer("bn", "BN", ["y"], "bn_param { bn_mode: LEARN eps: 1 }")], { y }, { bn: blobs }).error).toMatchObject({ code: "fork-batch-norm-unrecognised" });
  });
});

describe("NVIDIA Caffe BatchNorm with scale_bias", () => {
  // Channel 1 has variance 0: only the eps floor (1e-5 over the written 1e-6) keeps it finite.
  const x = blob([1, 2, 1, 2], [0, 2, 2.001, 1.999]);
  const blobs = [blob([2], [1, 2]), blob([2], [3, 0]), blob([1], [7]), blob([2], [2, 1e-3]), blob([2], [0, 1])];
  const bn = layer("bn", "BatchNorm", ["x"], "batch_norm_param { eps: 0.000001 scale_bias: true }");

  it("uses the stored mean and variance in TEST with eps at least 1e-5, never the correction blob, then scale and bias", () => {
    const got = values(run([bn], { x }, { bn: blobs }).top("bn"));
    const inv0 = 1 / Math.sqrt(3 + 1e-5);
    [(0 - 1) * inv0 * 2, (2 - 1) * inv0 * 2, 1 + 0.001 * Math.sqrt(1e5) * 1e-3, 1 - 0.001 * Math.sqrt(1e5) * 1e-3].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
  });

  it("uses the batch's statistics in TRAIN whatever use_global_stats says", () => {
    const r = run([layer("bn", "BatchNorm", ["x"], "batch_norm_param { use_global_stats: true scale_bias: true eps: 1 }")], { x }, { bn: blobs }, "TRAIN");
    // Channel 0: mean 1, variance 1, (x − 1)/√2·2; channel 1: mean 2, variance 1e-6, (x − 2)/√(1 + 1e-6)·1e-3 + 1.
    const got = values(r.top("bn"));
    [-Math.SQRT2, Math.SQRT2, 1 + 1e-6 / Math.sqrt(1.000001), 1 - 1e-6 / Math.sqrt(1.000001)].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 6));
  });
});
