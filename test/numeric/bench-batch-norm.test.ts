import { describe, expect, it } from "vitest";
import { benchBatchNormForward } from "../../src/numeric/bench-batch-norm.js";

describe("benchBatchNormForward", () => {
  it("times both executors on a given shape with a given clock", () => {
    let t = 0;
    const result = benchBatchNormForward({ shape: [2, 3, 4, 4], iterations: 3, warmup: 1, now: () => (t += 2) });
    expect(result.shape).toEqual([2, 3, 4, 4]);
    expect(result.timings.map((x) => x.executor)).toEqual(["caffe", "torch"]);
    for (const timing of result.timings) expect(timing).toMatchObject({ medianMs: 2, minMs: 2, maxMs: 2 });
  });
});
