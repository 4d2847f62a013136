import { describe, expect, it } from "vitest";
import { caffeBatchNormBlobsFrom } from "../../src/numeric/caffe-batch-norm.js";
import { compare } from "../../src/numeric/compare.js";
import type { GoldenCase } from "../../src/numeric/golden.js";
import { caffeEmulatingForward, createCaffeEmulatingBatchNorm } from "../../src/numeric/torch-caffe-emulation.js";
import { loadBnCases } from "./golden-fixtures.js";

/** Emulated statistics and outputs against Caffe's recordings (a few float32 ulps). */
const EMULATION_TOLERANCE = 1e-6;

const cases = loadBnCases().cases;

/** Runs a case through the emulating module, as Caffe ran it (train where Caffe used batch stats). */
function runCase(c: GoldenCase) {
  const p = c.params;
  const init = c.caffe.initial_bn_blobs;
  const emulation = createCaffeEmulatingBatchNorm({
    numFeatures: p.input_shape[1] as number,
    eps: p.effective_eps,
    affine: p.scale,
    movingAverageFraction: p.effective_moving_average_fraction,
    caffeBlobs: caffeBatchNormBlobsFrom(init.mean_sum.data, init.var_sum.data, init.scale_factor),
    ...(c.scale_init !== null && { weight: c.scale_init.scale.data }),
    ...(c.scale_init?.bias && p.scale_bias_term && { bias: c.scale_init.bias.data }),
  });
  return c.caffe.steps.map((record, k) => {
    emulation.module.training = p.effective_use_global_stats_per_phase[record.phase] !== true;
    const input = c.inputs[k] as { shape: number[]; data: number[] };
    const { output } = caffeEmulatingForward(emulation, { shape: input.shape, data: Float32Array.from(input.data) });
    const channels = emulation.module.numFeatures;
    return {
      record,
      scaleFactor: emulation.scaleFactor,
      mean: compare({ shape: [channels], data: emulation.module.runningMean as Float32Array }, record.effective_mean).maxError,
      variance: compare({ shape: [channels], data: emulation.module.runningVar as Float32Array }, record.effective_var).maxError,
      top: compare(output, record.top).maxError,
    };
  });
}

describe("the Caffe-emulating PyTorch BatchNorm", () => {
  it.each(cases.map((c) => c.name))("tracks Caffe's effective statistics and tops in %s", (name) => {
    const c = cases.find((k) => k.name === name) as GoldenCase;
    for (const step of runCase(c)) {
      expect(step.scaleFactor).toBe(step.record.bn_scale_factor);
      expect(step.mean).toBeLessThanOrEqual(EMULATION_TOLERANCE);
      expect(step.variance).toBeLessThanOrEqual(EMULATION_TOLERANCE);
      expect(step.top).toBeLessThanOrEqual(EMULATION_TOLERANCE);
    }
  });

  it("reproduces Caffe's TEST tops after TRAIN, where momentum 1 − maf and momentum None do not", () => {
    for (const name of ["train_then_test_maf0.999", "train_then_test_maf0.9"]) {
      const c = cases.find((k) => k.name === name) as GoldenCase;
      const testSteps = runCase(c).filter((s) => s.record.phase === "TEST");
      expect(testSteps).toHaveLength(2);
      for (const s of testSteps) expect(s.top).toBeLessThanOrEqual(EMULATION_TOLERANCE);
      for (const variant of ["mapped", "cumulative"]) {
        const recordedTop = c.torch[variant]?.steps.find((s) => s.phase === "TEST")?.top;
        const caffeTop = c.caffe.steps.find((s) => s.phase === "TEST")?.top;
        if (recordedTop === undefined || caffeTop === undefined) throw new Error("missing TEST step");
        expect(compare(recordedTop, caffeTop).maxError).toBeGreaterThan(1e-4);
      }
    }
  });

  it("reaches Caffe's mean from the first step whatever the initial buffers", () => {
    const c = cases.find((k) => k.name === "train_maf0.999_scale_bias_r4") as GoldenCase;
    expect(runCase(c)[0]?.mean).toBeLessThanOrEqual(EMULATION_TOLERANCE);
  });
});
