import { beforeAll, describe, expect, it } from "vitest";
import type { NetModel } from "../../src/caffe/net.js";
import { misreading } from "./golden.js";
import {
  compareTrainingCase,
  failing,
  GRAD_CASES,
  loadTrainingCase,
  trainingLayersAlone,
  worst,
  type TrainingCase,
  type TrainingComparison,
} from "./golden-training.js";

/**
 * The executor's bound, as for the TEST-phase golden nets: |Δ| ≤ 1e-5 · max(1, max |reference|) per
 * top, per loss, for the total loss and for each BatchNorm blob Caffe updated.
 */
const BOUND = 1e-5;


describe("the Caffe executor in TRAIN on every grad_* case of ../shared/golden/training", () => {
  const results = new Map<string, { c: TrainingCase; cmp: TrainingComparison }>();

  beforeAll(() => {
    for (const name of GRAD_CASES) {
      const c = loadTrainingCase(name);
      results.set(name, { c, cmp: compareTrainingCase(c) });
    }
  });

  it("has every grad case of the README", () => {
    expect(GRAD_CASES).toEqual([
      "grad_bn_batch_scale",
      "grad_bn_frozen",
      "grad_euclidean",
      "grad_prelu_concat_eltwise",
      "grad_sigmoid_xent",
      "grad_softmax_batch_size",
      "grad_softmax_full_map",
      "grad_softmax_map_axis1",
      "grad_softmax_none",
      "grad_softmax_valid_ignore",
      "grad_two_losses",
    ]);
  });

  it.each(GRAD_CASES)("%s: runs every recorded layer in Caffe's order (Input layers aside)", (name) => {
    const { c, cmp } = results.get(name)!;
    expect(cmp.result.error).toBeNull();
    expect(cmp.result.layers.filter((l) => l.type !== "Input").map((l) => `${l.name} ${l.type}`)).toEqual(c.record.layers.map((l) => `${l.name} ${l.type}`));
  });

  it.each(GRAD_CASES)(`%s: every top, loss, the total loss and the updated BatchNorm blobs within ${BOUND.toExponential(0)}·max(1, max |reference|)`, (name) => {
    const { cmp } = results.get(name)!;
    const w = worst(cmp);
    const exact = cmp.checks.filter((x) => x.exact).length;
    console.log(`${name}: largest scaled error ${w.scaled.toExponential(2)} (${w.what}); ${exact} of ${cmp.checks.length} checks bit-exact`);
    expect(failing(cmp, BOUND)).toEqual([]);
  });

  // Alone on Caffe's recorded bottoms, every layer gives Caffe's bits — the losses included — except
  // those that sum with OpenBLAS's sgemm (Convolution, InnerProduct), whose order is not emulated.
  const GEMM = new Set(["Convolution", "InnerProduct"]);
  /** OpenBLAS's own float32 rounding error in a GEMM, scaled (the largest seen here is 1.4e-7). */
  const LOCAL_BOUND = 1e-6;

  it.each(GRAD_CASES)("%s: each layer alone on Caffe's recorded bottoms is bit-exact, GEMM layers within 1e-6", (name) => {
    const alone = trainingLayersAlone(results.get(name)!.c);
    expect(alone.filter((l) => !GEMM.has(l.type) && !l.checks.every((x) => x.exact)).map((l) => l.layer)).toEqual([]);
    expect(alone.filter((l) => !l.checks.every((x) => x.scaled <= LOCAL_BOUND)).map((l) => l.layer)).toEqual([]);
    expect(alone.some((l) => l.type.endsWith("Loss"))).toBe(true);
  });

  it("checks the losses, their weighted total and the BatchNorm blobs, not only the tops", () => {
    const checked = (name: string) => results.get(name)!.cmp.checks.map((x) => x.what);
    expect(checked("grad_two_losses")).toEqual(expect.arrayContaining(["loss loss_cls", "loss loss_reg", "total loss"]));
    expect(checked("grad_bn_batch_scale")).toEqual(expect.arrayContaining(["param_after bn1/0", "param_after bn1/1", "param_after bn1/2"]));
    // The frozen BatchNorm (use_global_stats: true) writes nothing, as Caffe's does not.
    expect(results.get("grad_bn_frozen")!.cmp.result.updatedParams?.size).toBe(0);
    // A layer's part of the loss is its top times its loss_weight.
    const cls = results.get("grad_two_losses")!.cmp.result.layers.find((l) => l.name === "loss_cls")!;
    expect(cls.loss).toBe(Math.fround(0.5 * cls.tops[0]!.data[0]!));
  });
});

describe("a wrong mapping is caught", () => {
  it("SoftmaxWithLoss read as BATCH_SIZE where VALID with ignore_label is written: the loss and the total fail", () => {
    const c = loadTrainingCase("grad_softmax_valid_ignore");
    const cmp = compareTrainingCase(c, { executors: misreading("SoftmaxWithLoss", "loss_param", (p) => void (p["normalization"] = "BATCH_SIZE")) });
    expect(failing(cmp, BOUND)).toEqual(["top loss/loss", "loss loss", "total loss"]);
  });

  it("SoftmaxWithLoss FULL read as VALID (ignored pixels no longer counted): the loss fails", () => {
    const c = loadTrainingCase("grad_softmax_full_map");
    const cmp = compareTrainingCase(c, { executors: misreading("SoftmaxWithLoss", "loss_param", (p) => void (p["normalization"] = "VALID")) });
    expect(failing(cmp, BOUND)).toEqual(["top loss/loss", "loss loss", "total loss"]);
  });

  it("SigmoidCrossEntropyLoss's unset normalisation read as VALID (the mean over elements, not BATCH_SIZE): the loss fails", () => {
    const c = loadTrainingCase("grad_sigmoid_xent");
    const cmp = compareTrainingCase(c, { executors: misreading("SigmoidCrossEntropyLoss", "loss_param", (p) => void (p["normalization"] = "VALID")) });
    expect(failing(cmp, BOUND)).toEqual(["top loss/loss", "loss loss", "total loss"]);
  });

  it("a loss_weight ignored: grad_two_losses' total loss fails, every top still agrees", () => {
    const c = loadTrainingCase("grad_two_losses");
    const model: NetModel = { ...c.model, layers: c.model.layers.map((l) => (l.name === "loss_cls" ? { ...l, param: { ...l.param, loss_weight: [] } } : l)) };
    expect(failing(compareTrainingCase(c, {}, model), BOUND)).toEqual(["total loss"]);
  });

  it("BatchNorm's moving_average_fraction misread: the tops agree (batch statistics), the updated blobs do not", () => {
    const c = loadTrainingCase("grad_bn_batch_scale");
    const cmp = compareTrainingCase(c, { executors: misreading("BatchNorm", "batch_norm_param", (p) => void (p["moving_average_fraction"] = 0.99)) });
    expect(failing(cmp, BOUND)).toEqual(["param_after bn1/0", "param_after bn1/1", "param_after bn1/2"]);
  });

  it("BatchNorm with the stored statistics in TRAIN (use_global_stats read as true): its top diverges", () => {
    const c = loadTrainingCase("grad_bn_batch_scale");
    const cmp = compareTrainingCase(c, { executors: misreading("BatchNorm", "batch_norm_param", (p) => void (p["use_global_stats"] = true)) });
    expect(failing(cmp, BOUND)[0]).toBe("top bn1/conv1");
  });
});
