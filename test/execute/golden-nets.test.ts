import { readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { BOUND, compareCase, compareLayersAlone, failingLayers, largest, loadCase, misreading, NETS_DIR, type CaseComparison, type GoldenCase } from "./golden.js";

const CASES = readdirSync(NETS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();


describe("the Caffe executor on BVLC Caffe's recorded forwards (../shared/golden/nets)", () => {
  const results = new Map<string, { c: GoldenCase; cmp: CaseComparison }>();

  beforeAll(() => {
    for (const name of CASES) {
      const c = loadCase(name);
      results.set(name, { c, cmp: compareCase(c) });
    }
  });

  it("has every case of the README", () => {
    expect(CASES).toEqual(["cifar10_bn", "lenet", "mobilenet_v2", "mtcnn_det1", "squeezenet_v1_1", "zoo_act", "zoo_conv", "zoo_norm", "zoo_pool", "zoo_tensor"]);
  });

  it.each(CASES)("%s: runs every recorded layer, in Caffe's order, with the recorded shapes", (name) => {
    const { c, cmp } = results.get(name)!;
    expect(cmp.result.error).toBeNull();
    expect(cmp.missing).toEqual([]);
    // The recording leaves out the Split layers Caffe inserts; the executor never makes them.
    expect(cmp.result.layers.map((l) => `${l.name} ${l.type}`)).toEqual(c.record.layers.map((l) => `${l.name} ${l.type}`));
    expect(cmp.tops.filter((t) => !t.shape).map((t) => `${t.layer}/${t.blob}`)).toEqual([]);
  });

  it.each(CASES)(`%s: every recorded top within ${BOUND.toExponential(0)}·max(1, max |reference|), ArgMax exactly`, (name) => {
    const { cmp } = results.get(name)!;
    const worst = largest(cmp);
    const full = cmp.tops.filter((t) => t.full).length;
    console.log(
      `${name}: largest scaled error ${worst.scaled.toExponential(2)}${worst.layer ? ` (${worst.layer} → ${worst.blob})` : ""}; ` +
        `${cmp.tops.length} tops (${full} in full); forward ${cmp.forwardMs.toFixed(0)} ms (CPU ${cmp.forwardCpuMs.toFixed(0)} ms)`,
    );
    expect(failingLayers(cmp)).toEqual([]);
    expect(cmp.tops.filter((t) => t.exact === false)).toEqual([]);
  });

  // Run alone on Caffe's recorded bottoms, a layer is exact unless it sums with BLAS in another order
  // (GEMM: Convolution, Deconvolution, InnerProduct; Reduction's sdot/sasum) or calls a glibc float
  // function (tanhf, powf, expf, logf) that JavaScript's double one rounds differently in the last bit.
  const NOT_BIT_EXACT = new Set(["Convolution", "Deconvolution", "InnerProduct", "Reduction", "TanH", "Power", "Exp", "Log", "LRN"]);
  /** OpenBLAS's own float32 rounding error in a GEMM, scaled (the largest seen is 6.1e-7). */
  const LOCAL_BOUND = 1e-6;

  it.each(CASES)("%s: each layer alone on Caffe's recorded bottoms is bit-exact, or within 1e-6 where Caffe sums with BLAS or glibc rounds", (name) => {
    const local = compareLayersAlone(results.get(name)!.c);
    expect(local.length).toBeGreaterThan(0);
    expect(local.filter((l) => !l.exact && !NOT_BIT_EXACT.has(l.type)).map((l) => `${l.layer} (${l.type})`)).toEqual([]);
    expect(local.filter((l) => !(l.scaled <= LOCAL_BOUND)).map((l) => `${l.layer} (${l.type}): ${l.scaled}`)).toEqual([]);
  });

  it("leaves every blob version as its layer wrote it: an in-place chain is recorded at each step", () => {
    const { c, cmp } = results.get("mobilenet_v2")!;
    const steps = cmp.result.layers.filter((l) => l.tops.some((t) => t.blob === "conv1/bn"));
    expect(steps.map((l) => l.name)).toEqual(["conv1/bn", "conv1/scale", "relu1"]);
    // Each step differs from the next and still matches the recording taken right after it ran.
    expect(steps[0]!.tops[0]!.data).not.toBe(steps[1]!.tops[0]!.data);
    expect(cmp.tops.filter((t) => t.blob === "conv1/bn").map((t) => t.layer)).toEqual(["conv1/bn", "conv1/scale", "relu1"]);
    expect(c.record.layers.filter((l) => l.tops.some((t) => t.blob === "conv1/bn")).length).toBe(3);
  });
});

describe("a wrong executor is named by the comparison", () => {
  it("floor-rounding pooling: cifar10_bn first diverges at pool1 (32 → 15 instead of 16)", () => {
    const c = loadCase("cifar10_bn");
    const cmp = compareCase(c, { executors: misreading("Pooling", "pooling_param", (p) => void (p["round_mode"] = "FLOOR")) });
    expect(failingLayers(cmp)[0]).toBe("pool1");
    expect(cmp.tops.find((t) => t.layer === "pool1")!.shape).toBe(false);
  });

  it("an Eltwise SUM that drops its coefficients: zoo_tensor diverges at eltwise_sum", () => {
    const c = loadCase("zoo_tensor");
    const cmp = compareCase(c, { executors: misreading("Eltwise", "eltwise_param", (p) => void delete p["coeff"]) });
    expect(failingLayers(cmp)[0]).toBe("eltwise_sum");
    // Layers not reading eltwise_sum's top still pass.
    expect(failingLayers(cmp)).not.toContain("concat_c");
  });

  it("LRN ACROSS_CHANNELS with α not divided by local_size: zoo_norm diverges at lrn_across only", () => {
    const c = loadCase("zoo_norm");
    const across = (p: Record<string, unknown>): boolean => p["norm_region"] !== "WITHIN_CHANNEL" && p["norm_region"] !== 1;
    const undivided = misreading("LRN", "lrn_param", (p) => {
      if (across(p)) p["alpha"] = Number(p["alpha"] ?? 1) * Number(p["local_size"] ?? 5);
    });
    expect(failingLayers(compareCase(c, { executors: undivided }))).toEqual(["lrn_across"]);
  });
});
