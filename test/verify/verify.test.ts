/**
 * verifyNet: Caffe's BatchNorm (+Scale/Bias) against the configuration convert emits, block by block.
 */
import { describe, expect, it } from "vitest";
import type { ConvertResult } from "../../src/convert/types.js";
import { planVerification, plotTarget, verifyNet, type VerifyOptions } from "../../src/verify/verify.js";
import { CORPUS_DIR } from "../helpers/paths.js";
import { convertFile, netOf, verifyOptions } from "./support.js";

function verify(result: ConvertResult, options: VerifyOptions, plotBlock: number | null = null) {
  const plan = planVerification(result, netOf(result), options);
  expect(plan.unknown).toEqual([]);
  return verifyNet(result, plan, options, { plotBlock });
}

/** A deep copy whose block `name` is changed by `patch` (a converter bug, simulated). */
function tamper(result: ConvertResult, name: string, patch: (b: ConvertResult["blocks"][number]) => void): ConvertResult {
  const copy = structuredClone(result);
  patch(copy.blocks.find((b) => b.batchnorm === name) as ConvertResult["blocks"][number]);
  return copy;
}

describe("verify in the TEST phase", () => {
  it("a deploy net's blocks all agree: Caffe's effective statistics load into running_mean/var exactly", () => {
    const result = convertFile(`${CORPUS_DIR}/KaimingHe-drn__ResNet-50-deploy.prototxt`, "TEST");
    const options = verifyOptions({ phase: "TEST", batch: 1 });
    const { report } = verify(result, options);
    expect(report.ok).toBe(true);
    expect(report.summary).toEqual({ blocks: 53, verified: 53, agree: 53, lag: 0, mismatch: 0, skipped: 0, error: 0 });
    for (const b of report.blocks) {
      expect(b.mode).toBe("eval");
      expect(b.steps).toBe(0); // statistics only read: the evaluation alone
      expect(b.shape?.[0]).toBe(1);
      expect(b.running_mean?.max_error).toBe(0);
      expect(b.running_var?.max_error).toBe(0);
      expect(b.eval_output?.max_error).toBeLessThanOrEqual(options.tolerance);
      expect(b.eval_output?.claimed).toBe(true);
    }
  });

  it("batch-stats blocks (use_global_stats false at TEST) run K steps with batch statistics and keep no running statistics", () => {
    const { report } = verify(convertFile("modes.prototxt", "TEST"), verifyOptions({ phase: "TEST", steps: 4 }));
    const b = report.blocks.find((x) => x.batchnorm === "bn_false");
    expect(b).toMatchObject({ mode: "batch-stats", steps: 4, verdict: "agree", running_mean: null, running_var: null });
    expect(b?.train_output?.max_error).toBeLessThanOrEqual(1e-5);
    expect(report.ok).toBe(true);
  });

  it("a wrong eps in the PyTorch configuration is a mismatch of the eval output (exit 1)", () => {
    const result = tamper(convertFile("modes.prototxt", "TEST"), "bn_unset", (b) => {
      b.torch.eps = 1e-3;
    });
    const { report } = verify(result, verifyOptions({ phase: "TEST" }));
    const b = report.blocks.find((x) => x.batchnorm === "bn_unset");
    expect(b?.verdict).toBe("mismatch");
    expect(b?.failures).toContain("eval_output");
    expect(report.ok).toBe(false);
  });

  it("a dropped affine part is a mismatch", () => {
    const result = tamper(convertFile("modes.prototxt", "TEST"), "bn_seq", (b) => {
      b.torch.affine = false;
    });
    const { report } = verify(result, verifyOptions({ phase: "TEST" }));
    expect(report.blocks.find((x) => x.batchnorm === "bn_seq")?.verdict).toBe("mismatch");
  });
});

describe("verify in the TRAIN phase", () => {
  const train = convertFile("train-small.prototxt", "TRAIN");

  it("the plain mapping lags by exactly f^k·|init − Caffe| — reported, not a failure", () => {
    const { report } = verify(train, verifyOptions({ phase: "TRAIN", steps: 10 }));
    expect(report.ok).toBe(true);
    const bn1 = report.blocks.find((b) => b.batchnorm === "bn1");
    expect(bn1).toMatchObject({ mode: "train", verdict: "lag", ok: true, claimed_exact: false, steps: 10, failures: [] });
    expect(bn1?.train_output?.max_error).toBeLessThanOrEqual(1e-5); // batch statistics: no lag there
    const lag = bn1?.lag;
    expect(lag?.moving_average_fraction).toBe(Math.fround(0.999));
    expect(lag?.init_weight).toBeCloseTo(Math.pow(Math.fround(0.999), 10), 12);
    expect(lag?.relation_holds).toBe(true);
    expect(lag?.relation_max_error).toBeLessThan(1e-5);
    expect(lag?.final.running_mean_gap).toBeGreaterThan(0.5);
    expect(lag?.final.running_mean_gap).toBeCloseTo(lag?.final.predicted_mean_gap ?? NaN, 4);
    expect(lag?.per_step.map((s) => s.step)).toEqual([1, 2, 5, 10]);
    expect(lag?.steps_until_forgotten).toBe(6905);
  });

  it("beside the plain mapping, the --exact emulation is run and agrees", () => {
    const { report } = verify(train, verifyOptions({ phase: "TRAIN", steps: 10 }));
    for (const name of ["bn1", "bn2", "bn3"]) {
      const b = report.blocks.find((x) => x.batchnorm === name);
      expect(b?.alternative?.configuration).toBe("exact");
      expect(b?.alternative?.verdict).toBe("agree");
    }
  });

  it("--exact verifies the Caffe* configuration: every block agrees, and the plain one is reported as lagging", () => {
    const exact = convertFile("train-small.prototxt", "TRAIN", true);
    const { report } = verify(exact, verifyOptions({ phase: "TRAIN", steps: 20, configuration: "exact" }));
    expect(report.ok).toBe(true);
    expect(report.summary.agree).toBe(4);
    const bn2 = report.blocks.find((b) => b.batchnorm === "bn2");
    expect(bn2).toMatchObject({ module: "CaffeBatchNorm2d", claimed_exact: true, verdict: "agree" });
    expect(bn2?.alternative).toMatchObject({ configuration: "plain", verdict: "lag" });
    expect(bn2?.lag?.relation_holds).toBe(true);
  });

  it("--strict makes the lag a failure", () => {
    const { report } = verify(train, verifyOptions({ phase: "TRAIN", steps: 5, strict: true }));
    expect(report.ok).toBe(false);
    expect(report.blocks.find((b) => b.batchnorm === "bn1")).toMatchObject({ verdict: "lag", ok: false });
  });

  it("frozen blocks read the loaded statistics in every step and agree", () => {
    const { report } = verify(train, verifyOptions({ phase: "TRAIN", steps: 3 }));
    const bn4 = report.blocks.find((b) => b.batchnorm === "bn4");
    expect(bn4).toMatchObject({ mode: "frozen", steps: 3, verdict: "agree", claimed_exact: true });
    expect(bn4?.running_mean?.max_error).toBe(0);
  });

  it("fractions 0 and 1 are exact under the plain mapping too", () => {
    const { report } = verify(convertFile("modes.prototxt", "TRAIN"), verifyOptions({ phase: "TRAIN", steps: 6 }));
    for (const name of ["bn_seq", "bn_vol"]) {
      expect(report.blocks.find((b) => b.batchnorm === name)).toMatchObject({ claimed_exact: true, verdict: "agree", lag: null });
    }
  });

  it("a momentum that is not 1 − f is a mismatch: the lag no longer follows the prediction", () => {
    const result = tamper(train, "bn1", (b) => {
      b.torch.momentum = 0.01;
    });
    const { report } = verify(result, verifyOptions({ phase: "TRAIN", steps: 10 }));
    const bn1 = report.blocks.find((b) => b.batchnorm === "bn1");
    expect(bn1?.verdict).toBe("mismatch");
    expect(bn1?.failures).toEqual(["lag_relation"]);
    expect(report.ok).toBe(false);
  });

  it("over 3000 steps the --exact emulation stays within tolerance plus float32 drift", () => {
    const exact = convertFile("train-small.prototxt", "TRAIN", true);
    const { report } = verify(exact, verifyOptions({ phase: "TRAIN", steps: 3000, configuration: "exact" }));
    expect(report.ok).toBe(true);
    const bn3 = report.blocks.find((b) => b.batchnorm === "bn3");
    // f = 0.99: 1e-5 + 2⁻²³·100.
    expect(bn3?.statistics_tolerance).toBeCloseTo(1e-5 + 100 * 2 ** -23, 12);
  });

  it("one value per channel with batch statistics is an error: PyTorch raises where Caffe outputs zeros", () => {
    const { report } = verify(convertFile("single-value.prototxt", "TRAIN"), verifyOptions({ phase: "TRAIN", batch: 1 }));
    expect(report.blocks[0]).toMatchObject({ verdict: "error", reason: "single-value-per-channel", ok: false });
    expect(report.ok).toBe(false);
  });
});

describe("verify's inputs and plot series", () => {
  it("the same seed gives the same report; another seed other numbers", () => {
    const train = convertFile("train-small.prototxt", "TRAIN");
    const a = verify(train, verifyOptions({ phase: "TRAIN", steps: 4, seed: 3 })).report;
    const b = verify(train, verifyOptions({ phase: "TRAIN", steps: 4, seed: 3 })).report;
    const c = verify(train, verifyOptions({ phase: "TRAIN", steps: 4, seed: 4 })).report;
    expect(b).toEqual(a);
    expect(c.blocks[0]?.lag?.final.running_mean_gap).not.toBe(a.blocks[0]?.lag?.final.running_mean_gap);
  });

  it("the plot follows the first lagging train block, on the channel farthest from PyTorch's initial mean", () => {
    const train = convertFile("train-small.prototxt", "TRAIN");
    const options = verifyOptions({ phase: "TRAIN", steps: 50 });
    const plan = planVerification(train, netOf(train), options);
    expect(plotTarget(plan)).toBe(0);
    const { series } = verifyNet(train, plan, options, { plotBlock: 0 });
    expect(series?.block).toBe("bn1");
    expect(series?.caffeMean.length).toBe(50);
    // Step 1: the exact emulation equals Caffe's estimate; the plain mapping holds 0.001 of it.
    expect(series?.exactMean[0]).toBeCloseTo(series?.caffeMean[0] ?? NaN, 5);
    expect(series?.plainMean[0]).toBeCloseTo(0.001 * (series?.caffeMean[0] ?? NaN), 5);
  });

  it("a TEST deploy net has nothing to plot", () => {
    const result = convertFile("modes.prototxt", "TEST");
    expect(plotTarget(planVerification(result, netOf(result), verifyOptions()))).toBeNull();
  });
});
