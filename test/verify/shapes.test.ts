/** Which shape each block is verified on, the lag's sample steps, and the named tolerances. */
import { describe, expect, it } from "vitest";
import { sampleSteps, LAG_RELATION_TOLERANCE } from "../../src/verify/lag.js";
import { blockShape, describeDims } from "../../src/verify/shapes.js";
import { averagingMemory, DEFAULT_VERIFY_TOLERANCE, statisticsTolerance } from "../../src/verify/tolerance.js";
import { planVerification } from "../../src/verify/verify.js";
import { convertFile, netOf, verifyOptions } from "./support.js";

describe("block shapes", () => {
  const unknown = convertFile("unknown-shape.prototxt", "TEST");
  const block = (name: string) => unknown.blocks.find((b) => b.batchnorm === name)!;

  it("an inferred shape keeps every dim but the batch, which --batch sets", () => {
    const result = convertFile("train-small.prototxt", "TRAIN");
    expect(blockShape(result.blocks[0]!, { batch: 5 })).toEqual({ kind: "shape", shape: [5, 6, 5, 5], source: "inferred" });
  });

  it("with keep (--input-shape without --batch) the inferred batch stays, and the batch fills only an unknown one", () => {
    const given = convertFile("unknown-shape.prototxt", "TEST", false, [{ blob: null, dims: [3, 2, 8, 8] }]);
    const bn = given.blocks.find((b) => b.batchnorm === "bn_conv")!;
    expect(blockShape(bn, { batch: 2, keep: true, source: "input-shape" })).toEqual({ kind: "shape", shape: [3, 4, 6, 6], source: "input-shape" });
    expect(blockShape(bn, { batch: 2, source: "input-shape" })).toEqual({ kind: "shape", shape: [2, 4, 6, 6], source: "input-shape" });
    expect(blockShape({ ...bn, input_shape: null, input_dims: [null, 4, 6, 6] }, { batch: 2, keep: true })).toEqual({ kind: "shape", shape: [2, 4, 6, 6], source: "inferred" });
  });

  it("unknown dims besides the batch stop the run, with what is known", () => {
    expect(blockShape(block("bn_conv"), { batch: 2 })).toEqual({ kind: "unknown", dims: [16, 4, null, null] });
    expect(blockShape(block("bn_py"), { batch: 2 })).toEqual({ kind: "unknown", dims: null });
    const plan = planVerification(unknown, netOf(unknown), verifyOptions());
    expect(plan.unknown.map((p) => p.block.batchnorm)).toEqual(["bn_conv", "bn_py"]);
  });

  it("fork layers are skipped before any shape is needed", () => {
    expect(blockShape(block("fork_bn"), { batch: 2 })).toEqual({ kind: "skip", reason: "fork-semantics" });
  });

  it("describes partly known dims with ? marks", () => {
    expect(describeDims([16, 4, null, null])).toBe("[16, 4, ?, ?]");
    expect(describeDims(null)).toBe("rank unknown");
  });
});

describe("the lag's sample steps", () => {
  it("are 1, 2, 5 per decade, and the last step", () => {
    expect(sampleSteps(1)).toEqual([1]);
    expect(sampleSteps(10)).toEqual([1, 2, 5, 10]);
    expect(sampleSteps(3000)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000]);
  });
});

describe("named tolerances", () => {
  it("the default is 1e-5 scaled; the lag relation allows 1e-4", () => {
    expect(DEFAULT_VERIFY_TOLERANCE).toBe(1e-5);
    expect(LAG_RELATION_TOLERANCE).toBe(1e-4);
  });

  it("running statistics allow 2⁻²³ per remembered step on top of the tolerance", () => {
    expect(averagingMemory(0.999)).toBeCloseTo(1000, 6);
    expect(averagingMemory(1)).toBe(Infinity);
    expect(averagingMemory(0)).toBe(1);
    expect(statisticsTolerance(1e-5, 0, 0.999)).toBe(1e-5);
    expect(statisticsTolerance(1e-5, 10, 0.999)).toBeCloseTo(1e-5 + 10 * 2 ** -23, 15);
    expect(statisticsTolerance(1e-5, 3000, 0.9)).toBeCloseTo(1e-5 + 10 * 2 ** -23, 12);
    expect(statisticsTolerance(1e-5, 3000, 1)).toBeCloseTo(1e-5 + 3000 * 2 ** -23, 12);
  });
});
