/**
 * `verify --weights` on caffemodels whose stored statistics are absurdly large (a bit-flipped mean):
 * both frameworks then cancel the input in float32 and differ by what float32 cannot resolve. Such
 * differences pass within float32's error bound for the operands (src/verify/float32-bound.ts) and
 * the report says so; ordinary nets never use the bound, and wrong conversions still fail. The
 * caffemodels are made here from trained_small's with our encoder, not committed.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runVerify } from "../../src/cli/commands/verify.js";
import { convertNetDetailed } from "../../src/convert/convert.js";
import type { ConvertResult } from "../../src/convert/types.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import { readNet } from "../../src/schema/read.js";
import type { BlockVerification, VerifyMetric, VerifyReport } from "../../src/verify/types.js";
import { planVerification, verifyNet } from "../../src/verify/verify.js";
import { verifyWeights } from "../../src/verify/weights.js";
import { attachWeights } from "../../src/weights/attach.js";
import { DEPLOY_PATH, encodeCaffemodel, layerNamed, trainedNet } from "../weights/support.js";
import { memoryIo, verifyOptions } from "./support.js";

const BLOBS = { mean: 0, variance: 1, scaleFactor: 2 } as const;

/** trained_small's caffemodel with the first value of one BatchNorm blob of every BN layer set to `value`. */
function extremeCaffemodel(blob: keyof typeof BLOBS, value: number): Uint8Array {
  const net = trainedNet();
  for (const name of ["bn1", "bn2", "bn3"]) {
    const data = ((layerNamed(net, name)["blobs"] as BoundMessage[])[BLOBS[blob]] as BoundMessage)["data"] as Float32Array;
    data[0] = value;
  }
  return encodeCaffemodel(net);
}

/** `verify deploy.prototxt --weights extreme.caffemodel` in memory: exit code, JSON report, text report. */
function verifyExtreme(bytes: Uint8Array, options: Record<string, string | boolean> = {}) {
  const files = { "extreme.caffemodel": bytes };
  const json = memoryIo(files);
  const code = runVerify(DEPLOY_PATH, { weights: "extreme.caffemodel", json: true, ...options }, json.io);
  const text = memoryIo(files);
  const textCode = runVerify(DEPLOY_PATH, { weights: "extreme.caffemodel", ...options }, text.io);
  expect(textCode).toBe(code);
  return { code, report: JSON.parse(json.out.join("")) as VerifyReport, text: text.out.join("") };
}

const metrics = (b: BlockVerification): VerifyMetric[] =>
  [b.train_output, b.eval_output, b.running_mean, b.running_var, b.alternative?.running_mean, b.alternative?.running_var, b.alternative?.eval_output].filter(
    (m): m is VerifyMetric => m !== null && m !== undefined,
  );

describe("verify --weights with a stored mean far larger than the input's spread", () => {
  it.each([1e6, 1e10, 1e19])("TEST, mean_sum %s: exit 0, the eval output passes within float32's bound and the report names the cancellation", (value) => {
    const { code, report, text } = verifyExtreme(extremeCaffemodel("mean", value));
    expect(code).toBe(0);
    const bn1 = report.blocks[0] as BlockVerification;
    expect(bn1.verdict).toBe("agree");
    // Beyond the output-relative tolerance (this was exit 1 before the bound) …
    expect(bn1.eval_output?.max_error).toBeGreaterThan(bn1.eval_output?.tolerance ?? Infinity);
    // … but every such value within its bound, shown with the channel's statistics.
    const use = bn1.eval_output?.float32_bound;
    expect(use?.elements).toBeGreaterThan(0);
    expect(use!.error).toBeLessThanOrEqual(use!.bound);
    expect(use!.mean).toBeCloseTo(Math.fround(value) * Math.fround(1 / 39.229793548583984), -Math.log10(value) + 4);
    expect(text).toContain("beyond the tolerance but within float32's error bound for their operands: eval output");
    expect(text).toMatch(/float32 cancellation, both frameworks lose the input below ulp\(\|mean\|\) = [^;]+; not a conversion error/);
  });

  it("mean_sum 1e3 (|mean| 25, ten σ) still agrees within the plain tolerance: the bound is not used", () => {
    const { code, report } = verifyExtreme(extremeCaffemodel("mean", 1e3));
    expect(code).toBe(0);
    for (const b of report.blocks) for (const m of metrics(b)) expect(m.float32_bound).toBeNull();
  });

  it.each(["plain", "exact"])("TRAIN (%s), mean_sum 1e19: batch statistics and running statistics pass within their bounds, exit 0", (configuration) => {
    const { code, report, text } = verifyExtreme(extremeCaffemodel("mean", 1e19), { phase: "train", exact: configuration === "exact" });
    expect(code).toBe(0);
    const bn2 = report.blocks[1] as BlockVerification;
    expect(bn2.train_output?.float32_bound?.elements).toBeGreaterThan(0);
    if (configuration === "plain") {
      expect(bn2.verdict).toBe("lag");
      // The lag relation cannot be tested below float32's resolution of 1e18-sized statistics.
      expect(bn2.lag?.relation_float32_bound).toBeGreaterThan(0);
      expect(bn2.lag?.relation_holds).toBe(true);
    } else {
      expect(bn2.verdict).toBe("agree");
      expect(bn2.running_var?.float32_bound?.elements).toBeGreaterThan(0);
    }
    expect(text).toContain("training outputs");
  });

  it.each([
    ["variance", 1e19],
    ["scaleFactor", 1e19],
    ["scaleFactor", 1e6],
  ] as const)("a huge %s blob (%s) cancels nothing: TEST agrees without the bound", (blob, value) => {
    const { code, report } = verifyExtreme(extremeCaffemodel(blob, value));
    expect(code).toBe(0);
    for (const b of report.blocks) {
      expect(b.verdict).toBe("agree");
      for (const m of metrics(b)) expect(m.float32_bound).toBeNull();
    }
  });
});

describe("the float32 bound does not loosen verify on ordinary nets", () => {
  it.each([
    ["test", false],
    ["train", false],
    ["test", true],
    ["train", true],
  ] as const)("trained_small as trained (%s, exact %s): no value needs the bound, the report is unchanged in kind", (phase, exact) => {
    const { io, out } = memoryIo();
    const code = runVerify(DEPLOY_PATH, { weights: DEPLOY_PATH.replace("deploy.prototxt", "trained_small.caffemodel"), json: true, phase, exact }, io);
    expect(code).toBe(0);
    const report = JSON.parse(out.join("")) as VerifyReport;
    for (const b of report.blocks) {
      for (const m of metrics(b)) expect(m.float32_bound).toBeNull();
      if (b.lag !== null) expect(b.lag.relation_float32_bound).toBe(0);
    }
  });
});

/** convert + weights + verifyNet with the conversion changed by `patch` (a converter bug, simulated). */
function verifyTampered(bytes: Uint8Array, phase: "TRAIN" | "TEST", name: string, patch: (b: ConvertResult["blocks"][number]) => void): VerifyReport {
  const read = readNet(readFileSync(DEPLOY_PATH, "utf8"), { allowUnknown: true, upgrade: true });
  const outcome = convertNetDetailed(read, { phase, source: "deploy.prototxt", exact: false });
  const attached = attachWeights(outcome, read, bytes, { source: "extreme.caffemodel", exact: true });
  const result = structuredClone(attached.result);
  patch(result.blocks.find((b) => b.batchnorm === name) as ConvertResult["blocks"][number]);
  const weights = verifyWeights(attached, bytes);
  const options = { ...verifyOptions({ phase }), weights };
  return verifyNet(result, planVerification(result, outcome.analysis.model, options), options, {}).report;
}

describe("wrong conversions still fail, with ordinary and with extreme statistics", () => {
  const ordinary = encodeCaffemodel(trainedNet());
  const extreme = extremeCaffemodel("mean", 1e6);

  it.each([
    ["ordinary", ordinary],
    ["a 1e6 mean_sum", extreme],
  ] as const)("momentum 0.999 instead of 0.001 (%s statistics) is a mismatch in TRAIN", (_, bytes) => {
    const report = verifyTampered(bytes, "TRAIN", "bn1", (b) => {
      b.torch.momentum = 0.999;
    });
    const bn1 = report.blocks[0] as BlockVerification;
    expect(bn1.verdict).toBe("mismatch");
    expect(bn1.failures).toContain("lag_relation");
    expect(report.ok).toBe(false);
  });

  it.each([
    ["ordinary", ordinary],
    ["a 1e6 mean_sum", extreme],
  ] as const)("a dropped affine part (%s statistics) is a mismatch of the eval output in TEST", (_, bytes) => {
    const report = verifyTampered(bytes, "TEST", "bn2", (b) => {
      b.torch.affine = false;
    });
    const bn2 = report.blocks[1] as BlockVerification;
    expect(bn2.verdict).toBe("mismatch");
    expect(bn2.failures).toContain("eval_output");
    expect(report.ok).toBe(false);
  });

  it("a wrong eps with a 1e6 mean_sum is a mismatch: the bound covers rounding, not a changed formula", () => {
    const report = verifyTampered(extreme, "TEST", "bn3", (b) => {
      b.torch.eps = 1;
    });
    expect(report.blocks[2]?.verdict).toBe("mismatch");
  });
});
