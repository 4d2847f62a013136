/**
 * verify's Caffe side reads each layer's parameters from the net itself, never from what the
 * converter reported: a converter that misreads a parameter produces a configuration that is wrong
 * on the PyTorch side only, and verify says so. (Built from `block.caffe.*`, the Caffe side would
 * take the same misread value and both sides would agree.)
 */
import { describe, expect, it } from "vitest";
import type { NetLayer } from "../../src/caffe/net.js";
import { convertNetDetailed } from "../../src/convert/convert.js";
import type { BlockConverter } from "../../src/convert/context.js";
import { batchNormConverter } from "../../src/convert/converters/batch-norm.js";
import { forkBnConverter } from "../../src/convert/converters/fork-bn.js";
import { createRegistry } from "../../src/convert/registry.js";
import { readNet } from "../../src/schema/read.js";
import { planVerification, verifyNet, type VerifyOptions } from "../../src/verify/verify.js";
import { fixtureText, verifyOptions } from "./support.js";

/** BVLC's BatchNorm converter, handed the layer with batch_norm_param changed by `edit`: a converter that misreads it. */
function misreadingConverter(edit: (param: Record<string, unknown>) => void): BlockConverter {
  return {
    layerType: "BatchNorm",
    convert(ctx) {
      const param = { ...((ctx.bn.param as Record<string, unknown>)["batch_norm_param"] as Record<string, unknown> | undefined) };
      edit(param);
      const bn: NetLayer = { ...ctx.bn, param: { ...ctx.bn.param, batch_norm_param: param } };
      return batchNormConverter.convert({ ...ctx, bn });
    },
  };
}

/** convert (with `converter` for BatchNorm, if given) and verify the fixture; the report. */
function verifyWith(fixture: string, options: VerifyOptions, exact = false, converter: BlockConverter = batchNormConverter) {
  const read = readNet(fixtureText(fixture), { allowUnknown: true, upgrade: true });
  const registry = createRegistry([converter, forkBnConverter]);
  const outcome = convertNetDetailed(read, { phase: options.phase, source: fixture, exact, registry });
  const plan = planVerification(outcome.result, outcome.analysis.model, options);
  return { result: outcome.result, report: verifyNet(outcome.result, plan, options).report };
}

const verdicts = (report: { blocks: { batchnorm: string; verdict: string }[] }) => Object.fromEntries(report.blocks.map((b) => [b.batchnorm, b.verdict]));

describe("a converter that misreads a BatchNorm parameter fails verify", () => {
  it("unmisread, modes.prototxt passes in TEST and in TRAIN (--exact)", () => {
    expect(verifyWith("modes.prototxt", verifyOptions({ phase: "TEST" })).report.ok).toBe(true);
    expect(verifyWith("modes.prototxt", verifyOptions({ phase: "TRAIN", configuration: "exact" }), true).report.ok).toBe(true);
  });

  it("eps read as 1e-2 (TEST): every block whose eval output depends on it is a mismatch, exit 1", () => {
    const { result, report } = verifyWith("modes.prototxt", verifyOptions({ phase: "TEST" }), false, misreadingConverter((p) => void (p["eps"] = 1e-2)));
    // The converter did misread it, in its report and in the module alike.
    expect(result.blocks.every((b) => b.caffe.eps === 1e-2 && b.torch.eps === 1e-2)).toBe(true);
    expect(report.ok).toBe(false);
    expect(verdicts(report)).toEqual({ bn_unset: "mismatch", bn_false: "mismatch", bn_true: "mismatch", bn_seq: "mismatch", bn_vol: "mismatch" });
    expect(report.blocks.find((b) => b.batchnorm === "bn_unset")!.failures).toContain("eval_output");
  });

  it("moving_average_fraction read as 0.5 (TRAIN, --exact): the running statistics of the blocks that train are a mismatch", () => {
    const { result, report } = verifyWith(
      "modes.prototxt",
      verifyOptions({ phase: "TRAIN", configuration: "exact" }),
      true,
      misreadingConverter((p) => void (p["moving_average_fraction"] = 0.5)),
    );
    expect(result.blocks.find((b) => b.batchnorm === "bn_unset")!.caffe.moving_average_fraction).toBe(0.5);
    expect(report.ok).toBe(false);
    // bn_true is frozen (its statistics never move), so the fraction does not matter there.
    expect(verdicts(report)).toMatchObject({ bn_unset: "mismatch", bn_false: "mismatch", bn_true: "agree", bn_seq: "mismatch", bn_vol: "mismatch" });
    expect(report.blocks.find((b) => b.batchnorm === "bn_unset")!.failures).toEqual(expect.arrayContaining(["running_mean"]));
  });

  it("moving_average_fraction read as 0.5 (TRAIN, plain): the lag relation of a lagging block fails", () => {
    const { report } = verifyWith("train-small.prototxt", verifyOptions({ phase: "TRAIN" }), false, misreadingConverter((p) => void (p["moving_average_fraction"] = 0.5)));
    expect(report.ok).toBe(false);
    expect(report.blocks.some((b) => b.verdict === "mismatch")).toBe(true);
  });

  it("use_global_stats read as true in TRAIN (a frozen module for a batch-statistics layer): the training outputs are a mismatch", () => {
    const { report } = verifyWith("modes.prototxt", verifyOptions({ phase: "TRAIN" }), false, misreadingConverter((p) => void (p["use_global_stats"] = true)));
    expect(report.ok).toBe(false);
    expect(report.blocks.find((b) => b.batchnorm === "bn_unset")).toMatchObject({ verdict: "mismatch", failures: expect.arrayContaining(["train_output"]) });
  });
});
