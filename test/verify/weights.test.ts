/**
 * `caffe2torch verify NET.prototxt --weights NET.caffemodel` on the net trained in the original Caffe
 * (../shared/golden/trained_small, read in place): Caffe's side starts from the caffemodel's blobs,
 * PyTorch's from the converted state, and blocks that train continue from those statistics.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runVerify } from "../../src/cli/commands/verify.js";
import type { ConvertBlock } from "../../src/convert/types.js";
import { caffeBlockLayers } from "../../src/verify/caffe-block.js";
import { createCaffeSide, createTorchSide } from "../../src/verify/executors.js";
import { blockScenario } from "../../src/verify/scenario.js";
import type { BlockVerification, VerifyReport } from "../../src/verify/types.js";
import { verifyWeights } from "../../src/verify/weights.js";
import { attachWeights } from "../../src/weights/attach.js";
import { convertNetDetailed } from "../../src/convert/convert.js";
import { readNet } from "../../src/schema/read.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import {
  CAFFEMODEL_PATH,
  DEPLOY_PATH,
  blob,
  bytesOf,
  convertWithWeights,
  encodeCaffemodel,
  f32,
  layerNamed,
  trainedNet,
  trainedTrace,
} from "../weights/support.js";
import { memoryIo, netOfText } from "./support.js";

const deployText = readFileSync(DEPLOY_PATH, "utf8");

/** `verify --json` with the trained caffemodel; the exit code and the report. */
function verifyJson(options: Record<string, string | boolean>, files: Record<string, string | Uint8Array> = {}, net = DEPLOY_PATH) {
  const { io, out, err } = memoryIo(files);
  const code = runVerify(net, { weights: CAFFEMODEL_PATH, json: true, ...options }, io);
  return { code, report: (out.length > 0 ? JSON.parse(out.join("")) : null) as VerifyReport | null, err: err.join("") };
}

function block(report: VerifyReport | null, name: string): BlockVerification {
  const b = report?.blocks.find((x) => x.batchnorm === name);
  if (b === undefined) throw new Error(`no block ${name}`);
  return b;
}

/** The caffemodel with one layer's blobs edited, as bytes. */
function editedCaffemodel(edit: (net: BoundMessage) => void): Uint8Array {
  const net = trainedNet();
  edit(net);
  return encodeCaffemodel(net);
}

describe("verify's starting values from a caffemodel", () => {
  const attached = convertWithWeights({ exact: true });
  const weights = verifyWeights(attached, bytesOf(CAFFEMODEL_PATH));
  const trace = trainedTrace();

  it("every block has them: Caffe's raw blobs, and PyTorch's converted state", () => {
    expect([...weights.blocks.keys()]).toEqual([0, 1, 2]);
    const bn1 = weights.blocks.get(0)!;
    expect(bn1.caffe.blobs.scaleFactor[0]).toBe(trace.training.final_scale_factors["bn1"]!.stored);
    expect(bn1.torch.scaleFactor).toBe(trace.training.final_scale_factors["bn1"]!.stored);
    expect(bn1.torch.numBatchesTracked).toBe(40);
    expect(bn1.torch.runningMean).toEqual(attached.state.get("bn1.running_mean")!.data);
    expect(bn1.torch.weight).toEqual(attached.state.get("bn1.weight")!.data);
    expect(weights.blocks.get(2)!.caffe.gamma).toBeNull();
    expect(weights.info).toEqual({ source: "trained_small.caffemodel", format: "layer", unused_layers: expect.any(Array) });
  });

  it("Caffe's side computes bn1's effective statistics from its blobs exactly as Caffe did (trace.json)", () => {
    const b = attached.result.blocks[0] as ConvertBlock;
    const scenario = blockScenario(b, 0, [2, 8, 8, 8], 0, weights.blocks.get(0)!);
    expect(scenario.statistics).toBe("caffemodel");
    const caffe = createCaffeSide(caffeBlockLayers(b, netOfText(deployText, "TEST")), scenario, "TEST").statistics()!;
    expect(caffe.mean).toEqual(f32(trace.bn_layers[0]!.effective_mean));
    expect(caffe.variance).toEqual(f32(trace.bn_layers[0]!.effective_var));
    const torch = createTorchSide(b, scenario, "TEST", "plain").statistics()!;
    expect(torch.mean).toEqual(caffe.mean);
  });

  it("inputs are drawn around the trained statistics", () => {
    const b = attached.result.blocks[1] as ConvertBlock;
    const scenario = blockScenario(b, 1, [2, 8, 3, 3], 0, weights.blocks.get(1)!);
    expect(scenario.channelMean).toEqual(f32(trace.bn_layers[1]!.effective_mean));
    expect(scenario.channelStd).toEqual(Float32Array.from(trace.bn_layers[1]!.effective_var.data, Math.sqrt));
  });
});

describe("caffe2torch verify deploy.prototxt --weights trained_small.caffemodel", () => {
  const trace = trainedTrace();

  it("TEST: exit 0, every block agrees, and the report says the statistics came from the caffemodel", () => {
    const { code, report } = verifyJson({});
    expect(code).toBe(0);
    expect(report?.weights).toMatchObject({ source: CAFFEMODEL_PATH, format: "layer" });
    expect(report?.summary).toEqual({ blocks: 3, verified: 3, agree: 3, lag: 0, mismatch: 0, skipped: 0, error: 0 });
    expect(report?.blocks.map((b) => b.statistics)).toEqual(["caffemodel", "caffemodel", "caffemodel"]);
    const bn1 = block(report, "bn1");
    const mean = trace.bn_layers[0]!.effective_mean.data;
    expect(bn1.weights).toEqual({
      scale_factor: trace.training.final_scale_factors["bn1"]!.stored,
      mean_min: Math.min(...mean),
      mean_max: Math.max(...mean),
      var_min: Math.min(...trace.bn_layers[0]!.effective_var.data),
      var_max: Math.max(...trace.bn_layers[0]!.effective_var.data),
      num_batches_tracked: 40,
    });
    // Read, not trained: the statistics compared once, before the evaluation forward, and identical.
    expect(bn1.running_mean).toMatchObject({ max_error: 0, step: 0 });
    expect(mean).toContain(bn1.running_mean!.caffe);
  });

  it("TEST, text: names the caffemodel and each block's scale factor", () => {
    const { io, out } = memoryIo();
    expect(runVerify(DEPLOY_PATH, { weights: CAFFEMODEL_PATH }, io)).toBe(0);
    const text = out.join("");
    expect(text).toContain(`  statistics: ${CAFFEMODEL_PATH} (Caffe from its BatchNorm and Scale/Bias blobs, PyTorch from the converted state)`);
    expect(text).toMatch(/bn1 \(\+scale1\) +\[2,8,8,8\] +eval +agree +caffemodel s 39\.2298 · eval output/);
    expect(text).toContain("3 blocks: 3 agree");
  });

  it("TRAIN: training continues from the real s = 39.2298; the plain mapping lags by w_k = (1 − (1 − f)·s₀)·f^k, reported, exit 0", () => {
    const { code, report } = verifyJson({ phase: "train" });
    expect(code).toBe(0);
    const bn1 = block(report, "bn1");
    const s0 = trace.training.final_scale_factors["bn1"]!.stored;
    const f = Math.fround(0.999);
    expect(bn1).toMatchObject({ mode: "train", verdict: "lag", ok: true, statistics: "caffemodel", steps: 10 });
    const lag = bn1.lag!;
    expect(lag.start_scale_factor).toBe(s0);
    expect(lag.start_weight).toBeCloseTo(1 - (1 - f) * s0, 12);
    expect(lag.start_weight).toBeCloseTo(0.9608, 4);
    expect(lag.per_step[0]).toMatchObject({ step: 1 });
    expect(lag.per_step[0]!.init_weight).toBeCloseTo(lag.start_weight * f, 12);
    // Small-ish but real, and exactly as predicted.
    expect(lag.final.running_mean_gap).toBeGreaterThan(1e-3);
    expect(lag.final.running_mean_gap).toBeLessThan(1);
    expect(lag.relation_holds).toBe(true);
    expect(lag.relation_max_error).toBeLessThan(1e-5);
    expect(bn1.alternative).toMatchObject({ configuration: "exact", verdict: "agree" });
    // bn2's s is near its limit 1/(1 − 0.9) = 10: what lag there is, is far smaller.
    const bn2 = block(report, "bn2");
    expect(bn2.lag!.start_weight).toBeCloseTo(1 - (1 - Math.fround(0.9)) * trace.training.final_scale_factors["bn2"]!.stored, 10);
    expect(bn2.lag!.start_weight).toBeLessThan(0.02);
  });

  it("TRAIN, text: the lag's weight names the caffemodel's s₀", () => {
    const { io, out } = memoryIo();
    expect(runVerify(DEPLOY_PATH, { weights: CAFFEMODEL_PATH, phase: "train" }, io)).toBe(0);
    const text = out.join("");
    expect(text).toContain("torch_k = (1 − w_k)·Caffe_k + w_k·init with w_k = (1 − (1 − f)·s₀)·f^k = 0.961·0.999^k (s₀ = 39.2298, the caffemodel's) holds to");
    expect(text).toContain("--exact agrees");
    expect(text).toContain("3 blocks: 3 lag");
  });

  it("TRAIN --exact: every block continues exactly as Caffe does, exit 0", () => {
    const { code, report } = verifyJson({ phase: "train", exact: true, steps: "200" });
    expect(code).toBe(0);
    expect(report?.summary.agree).toBe(3);
    for (const b of report!.blocks) {
      expect(b).toMatchObject({ configuration: "exact", claimed_exact: true, statistics: "caffemodel" });
      expect(b.running_mean!.within && b.running_var!.within && b.eval_output!.within).toBe(true);
      expect(b.alternative).toMatchObject({ configuration: "plain" });
    }
  });

  it("without --weights the same net starts from seeded (TEST) or fresh (TRAIN) statistics", () => {
    const { io, out } = memoryIo();
    expect(runVerify(DEPLOY_PATH, { json: true }, io)).toBe(0);
    const report = JSON.parse(out.join("")) as VerifyReport;
    expect(report.weights).toBeNull();
    expect(report.blocks.map((b) => [b.statistics, b.weights])).toEqual([
      ["seeded", null],
      ["seeded", null],
      ["seeded", null],
    ]);
  });

  it("a blob of the wrong shape exits 2, naming the layer and both shapes", () => {
    const caffemodel = editedCaffemodel((net) => {
      (layerNamed(net, "bn1")["blobs"] as BoundMessage[])[0] = blob([7], new Float32Array(7));
    });
    const { code, report, err } = verifyJson({ weights: "wrong.caffemodel" }, { "wrong.caffemodel": caffemodel });
    expect(code).toBe(2);
    expect(report).toBeNull();
    expect(err).toContain('deploy.prototxt:24:1: error: Cannot copy blob 0 (mean sum) of layer "bn1"; shape mismatch. The caffemodel holds [7]; the net needs [8]. [weights-shape-mismatch]');
  });

  it("a layer missing from the caffemodel exits 2, naming it", () => {
    const caffemodel = editedCaffemodel((net) => {
      net["layer"] = (net["layer"] as BoundMessage[]).filter((l) => l["name"] !== "scale2");
    });
    const { code, err } = verifyJson({ weights: "missing.caffemodel" }, { "missing.caffemodel": caffemodel });
    expect(code).toBe(2);
    expect(err).toContain('deploy.prototxt:72:1: error: The caffemodel has no layer named "scale2" (the Scale layer of this block)');
  });

  it("an Input without a shape: the layers give rank and channels (bn3 after an InnerProduct needs nothing more), --input-shape the rest", () => {
    const noShape = deployText.replace("shape { dim: 2 dim: 3 dim: 8 dim: 8 }", "");
    const files = { "noshape.prototxt": noShape };
    const withoutShape = memoryIo(files);
    expect(() => runVerify("noshape.prototxt", { weights: CAFFEMODEL_PATH }, withoutShape.io)).toThrow(
      /^cannot verify 2 blocks whose input shape is unknown; .*:\n {2}bn1 \[\?, 8, \?, \?\]\n {2}bn2 \[\?, 8, \?, \?\]$/,
    );
    const { code, report } = verifyJson({ inputShape: "2,3,8,8" }, files, "noshape.prototxt");
    expect(code).toBe(0);
    expect(report?.blocks.map((b) => [b.shape, b.shape_source, b.statistics])).toEqual([
      [[2, 8, 8, 8], "input-shape", "caffemodel"],
      [[2, 8, 3, 3], "input-shape", "caffemodel"],
      [[2, 10], "input-shape", "caffemodel"],
    ]);
  });

  it("--weights with --trace is a usage error", () => {
    expect(() => runVerify(undefined, { trace: "t.json", weights: CAFFEMODEL_PATH }, memoryIo().io)).toThrow("--weights needs NET.prototxt");
  });
});

describe("verifyWeights", () => {
  it("refuses a result without weights attached", () => {
    const read = readNet(deployText, { allowUnknown: true, upgrade: true });
    const outcome = convertNetDetailed(read, { phase: "TEST", source: "deploy.prototxt" });
    const attached = attachWeights(outcome, read, bytesOf(CAFFEMODEL_PATH), { source: "m.caffemodel", exact: true });
    expect(() => verifyWeights({ ...attached, result: outcome.result }, bytesOf(CAFFEMODEL_PATH))).toThrow("no weights attached");
  });
});
