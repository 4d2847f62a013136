/**
 * A trained net's trace (trained_small/trace.json) replays through the executors: per BatchNorm
 * block, Caffe's arithmetic on the caffemodel's blobs reproduces the recorded values bit for bit, and
 * PyTorch's eval() with the converted state reproduces the block outputs within the tolerance.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replayTrace } from "../../src/numeric/golden.js";
import { GOLDEN_DIR } from "../helpers/paths.js";

const TRACE = join(GOLDEN_DIR, "trained_small", "trace.json");
const load = (): Record<string, any> => JSON.parse(readFileSync(TRACE, "utf8"));
const TOLERANCE = 1e-5;

describe("replaying trained_small/trace.json", () => {
  const report = replayTrace(load(), { tolerance: TOLERANCE });

  it("reads it as a trained net's trace: one case per BatchNorm block, every one reproduced", () => {
    expect(report.format).toBe("trained");
    expect(report.error).toBeUndefined();
    expect(report.cases.map((c) => [c.name, c.ok])).toEqual([["bn1 + scale1", true], ["bn2 + scale2", true], ["bn3", true]]);
    expect(report.ok).toBe(true);
  });

  it("Caffe's side is bit-exact: effective statistics, the scale factor over 40 iterations, BN tops and block outputs", () => {
    for (const c of report.cases) {
      const caffe = c.details.filter((d) => d.executor === "caffe");
      expect(caffe.map((d) => [d.metric, d.steps])).toEqual([
        ["effective_mean", 1], ["effective_var", 1], ["training.scale_factor", 40], ["eval.bn_top", 2], ["eval.block_output", 2],
      ]);
      for (const d of caffe) expect(d.max_abs_error, `${c.name} ${d.metric}`).toBe(0);
    }
  });

  it("PyTorch's eval() with the converted state agrees within 1e-5 (the README measures 1.9e-6 absolute)", () => {
    for (const c of report.cases) {
      const torch = c.details.find((d) => d.executor === "torch:converted" && d.metric === "eval.block_output");
      expect(torch?.ok).toBe(true);
      expect(torch!.max_abs_error).toBeLessThan(5e-6);
    }
  });
});

describe("a trained trace that disagrees, or is malformed", () => {
  it("an altered block output fails that block, naming the metric and the batch", () => {
    const trace = load();
    trace.eval.batches[1].bn.bn2.block_output.data[5] += 0.01;
    const report = replayTrace(trace, { tolerance: TOLERANCE });
    expect(report.ok).toBe(false);
    const bad = report.cases.find((c) => !c.ok)!;
    expect(bad.name).toBe("bn2 + scale2");
    expect(bad.details.filter((d) => !d.ok).map((d) => [d.executor, d.metric, d.worst_step, d.index])).toEqual([
      ["caffe", "eval.block_output", 1, 5],
      ["torch:converted", "eval.block_output", 1, 5],
    ]);
  });

  it("a scale factor that does not follow s ← f·s + 1 fails the replay at its iteration", () => {
    const trace = load();
    trace.training.scale_factor_per_iteration.bn1[7] *= 1.001;
    const bad = replayTrace(trace, { tolerance: 0 }).cases[0]!;
    expect(bad.details.find((d) => d.metric === "training.scale_factor")).toMatchObject({ ok: false, worst_step: 7 });
  });

  it("a missing blob is a trace-format problem with its path, for that block only", () => {
    const trace = load();
    delete trace.caffemodel_blobs.scale2.bias;
    const report = replayTrace(trace, { tolerance: TOLERANCE });
    expect(report.cases.map((c) => c.error?.path ?? null)).toEqual([null, "$.caffemodel_blobs.scale2.bias", null]);
  });

  it("an object of neither format says which two it could be", () => {
    expect(replayTrace({ a: 1 }, { tolerance: TOLERANCE }).error).toEqual({
      code: "trace-format",
      path: "$",
      expected: 'a golden trace: "cases" (bn_cases.json) or "bn_layers" and "eval" (trained_small/trace.json)',
    });
  });
});
