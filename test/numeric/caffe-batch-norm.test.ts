import { describe, expect, it } from "vitest";
import {
  caffeBatchNormBackward,
  caffeBatchNormBlobsFrom,
  caffeBatchNormForward,
  caffeBatchNormSettings,
  caffeEffectiveStats,
  createCaffeBatchNormBlobs,
} from "../../src/numeric/caffe-batch-norm.js";
import { caffeScaleForward } from "../../src/numeric/caffe-scale.js";
import { compare } from "../../src/numeric/compare.js";
import { createRng, randomNormal } from "../../src/numeric/rng.js";
import { fromTensorLike, type Tensor } from "../../src/numeric/tensor.js";
import { loadTrainedSmall } from "./golden-fixtures.js";

/** trained_small block outputs: |x| reaches 20, so 1e-5 scaled is about 10 ulps. */
const TRAINED_SMALL_TOLERANCE = 1e-5;
/** Float64 re-derivations of float32 results over ~100 values. */
const FLOAT64_REFERENCE_TOLERANCE = 1e-5;

const fround = Math.fround;

describe("caffeBatchNormSettings", () => {
  it("defaults use_global_stats to true in TEST and false in TRAIN", () => {
    expect(caffeBatchNormSettings({}, "TEST").useGlobalStats).toBe(true);
    expect(caffeBatchNormSettings({}, "TRAIN").useGlobalStats).toBe(false);
    expect(caffeBatchNormSettings({ useGlobalStats: false }, "TEST").useGlobalStats).toBe(false);
    expect(caffeBatchNormSettings({ useGlobalStats: true }, "TRAIN").useGlobalStats).toBe(true);
  });

  it("holds moving_average_fraction and eps as float32, with caffe.proto's defaults", () => {
    const defaults = caffeBatchNormSettings({ movingAverageFraction: null, eps: null }, "TRAIN");
    expect(defaults.movingAverageFraction).toBe(fround(0.999));
    expect(defaults.eps).toBe(fround(1e-5));
    expect(caffeBatchNormSettings({ movingAverageFraction: 0.9 }, "TRAIN").movingAverageFraction).toBe(0.8999999761581421);
  });
});

describe("caffeEffectiveStats", () => {
  it("multiplies by fround(1/s) instead of dividing", () => {
    const blobs = caffeBatchNormBlobsFrom([0.5, -1.25, 2], [2.5, 5, 0.75], 2.5);
    const { mean, variance } = caffeEffectiveStats(blobs);
    expect(Array.from(mean)).toEqual([0.20000000298023224, -0.5, 0.800000011920929]);
    expect(Array.from(variance)).toEqual([1, 2, 0.30000001192092896]);
  });

  it("gives zero statistics when the scale factor is 0", () => {
    const { mean, variance } = caffeEffectiveStats(caffeBatchNormBlobsFrom([3, 4], [5, 6], 0));
    expect(Array.from(mean)).toEqual([0, 0]);
    expect(Array.from(variance)).toEqual([0, 0]);
  });
});

describe("caffeBatchNormForward with global statistics", () => {
  const x = randomNormal([3, 4, 5, 6], createRng(7), { mean: 1, std: 3 });
  const blobs = caffeBatchNormBlobsFrom([1, -2, 3, 0.5], [4, 9, 0.25, 1], 1.7);
  const settings = caffeBatchNormSettings({}, "TEST");

  it("computes fround(fround(x − mean) / fround(sqrt(fround(var + eps)))) bit for bit", () => {
    const { top } = caffeBatchNormForward(x, blobs, settings);
    const { mean, variance } = caffeEffectiveStats(blobs);
    const expected = new Float32Array(x.data.length);
    x.data.forEach((v, i) => {
      const c = Math.floor(i / 30) % 4;
      const sd = fround(Math.sqrt(fround((variance[c] as number) + settings.eps)));
      expected[i] = fround(fround(v - (mean[c] as number)) / sd);
    });
    expect(top.data).toEqual(expected);
  });

  it("leaves the blobs unchanged", () => {
    const before = JSON.stringify([Array.from(blobs.meanSum), Array.from(blobs.varSum), Array.from(blobs.scaleFactor)]);
    caffeBatchNormForward(x, blobs, settings);
    expect(JSON.stringify([Array.from(blobs.meanSum), Array.from(blobs.varSum), Array.from(blobs.scaleFactor)])).toBe(before);
  });

  it("propagates dy / sd as the input gradient", () => {
    const forward = caffeBatchNormForward(x, blobs, settings);
    const dy = randomNormal(x.shape, createRng(8));
    const dx = caffeBatchNormBackward(dy, forward);
    dy.data.forEach((g, i) => expect(dx.data[i]).toBe(fround(g / (forward.stdDev[Math.floor(i / 30) % 4] as number))));
  });
});

describe("caffeBatchNormForward with batch statistics", () => {
  const settings = caffeBatchNormSettings({ movingAverageFraction: 0.9 }, "TRAIN");

  it("normalises with the biased batch variance and stores the unbiased one", () => {
    const x: Tensor = { shape: [2, 1, 2], data: Float32Array.from([1, 2, 3, 6]) };
    const blobs = createCaffeBatchNormBlobs(1);
    const { top, mean, variance } = caffeBatchNormForward(x, blobs, settings);
    expect(mean[0]).toBe(3);
    expect(variance[0]).toBe(3.5); // (4 + 1 + 0 + 9) / 4
    expect(blobs.varSum[0]).toBe(fround(fround(4 / 3) * 3.5)); // k = m/(m − 1)
    expect(blobs.meanSum[0]).toBe(3);
    expect(blobs.scaleFactor[0]).toBe(1);
    const sd = fround(Math.sqrt(fround(3.5 + settings.eps)));
    expect(Array.from(top.data)).toEqual([-2, -1, 0, 3].map((d) => fround(d / sd)));
  });

  it("advances the scale factor as s ← fround(fround(s·maf) + 1) and the sums as maf·sum + stat", () => {
    const blobs = createCaffeBatchNormBlobs(2);
    const rng = createRng(11);
    let s = 0;
    let meanSum = 0;
    for (let step = 0; step < 6; step++) {
      const { mean } = caffeBatchNormForward(randomNormal([4, 2, 3], rng), blobs, settings);
      s = fround(fround(s * settings.movingAverageFraction) + 1);
      meanSum = fround((mean[0] as number) + fround(settings.movingAverageFraction * meanSum));
      expect(blobs.scaleFactor[0]).toBe(s);
      expect(blobs.meanSum[0]).toBe(meanSum);
    }
  });

  it("uses a bias correction of 1 when m is 1 (rank-1 input: one channel, one value)", () => {
    const blobs = createCaffeBatchNormBlobs(1);
    caffeBatchNormForward({ shape: [1], data: Float32Array.of(5) }, blobs, settings);
    expect(Array.from(blobs.varSum)).toEqual([0]);
    expect(Array.from(blobs.meanSum)).toEqual([5]);
  });

  it("gives the input gradient of (x − mean)/sqrt(var + eps), checked against float64", () => {
    const x = randomNormal([4, 3, 2, 5], createRng(21), { mean: 0.3, std: 2 });
    const dy = randomNormal(x.shape, createRng(22));
    const forward = caffeBatchNormForward(x, createCaffeBatchNormBlobs(3), settings);
    const dx = caffeBatchNormBackward(dy, forward);
    expect(compare(dx, float64BatchNormGradient(x, dy, settings.eps)).maxError).toBeLessThan(FLOAT64_REFERENCE_TOLERANCE);
  });
});

/** dx = (dy − mean(dy) − y·mean(dy·y)) / sqrt(var + eps), all in float64, for [N, C, S]. */
function float64BatchNormGradient(x: Tensor, dy: Tensor, eps: number): Tensor {
  const [num, channels] = x.shape as [number, number];
  const spatial = x.data.length / (num * channels);
  const m = num * spatial;
  const out = new Float32Array(x.data.length);
  for (let c = 0; c < channels; c++) {
    const idx: number[] = [];
    for (let n = 0; n < num; n++) for (let s = 0; s < spatial; s++) idx.push((n * channels + c) * spatial + s);
    const mean = idx.reduce((a, i) => a + (x.data[i] as number), 0) / m;
    const variance = idx.reduce((a, i) => a + ((x.data[i] as number) - mean) ** 2, 0) / m;
    const sd = Math.sqrt(variance + eps);
    const y = idx.map((i) => ((x.data[i] as number) - mean) / sd);
    const meanDy = idx.reduce((a, i) => a + (dy.data[i] as number), 0) / m;
    const meanDyY = idx.reduce((a, i, k) => a + (dy.data[i] as number) * (y[k] as number), 0) / m;
    idx.forEach((i, k) => (out[i] = ((dy.data[i] as number) - meanDy - (y[k] as number) * meanDyY) / sd));
  }
  return { shape: [...x.shape], data: out };
}

describe("trained_small: Caffe's global statistics from the caffemodel blobs", () => {
  const trace = loadTrainedSmall();

  describe.each(trace.bn_layers.map((l) => l.name))("%s", (name) => {
    const layer = trace.bn_layers.find((l) => l.name === name);
    const bn = trace.caffemodel_blobs[name];
    if (layer === undefined || bn?.type !== "BatchNorm") throw new Error(`${name} is not a BatchNorm with blobs`);
    const blobs = caffeBatchNormBlobsFrom(bn.mean_sum.data, bn.var_sum.data, bn.scale_factor.data[0] as number);
    const settings = caffeBatchNormSettings({ eps: layer.effective_eps }, "TEST");
    const scaleName = layer.block_layers.find((l) => trace.caffemodel_blobs[l]?.type === "Scale");
    const scale = scaleName === undefined ? undefined : trace.caffemodel_blobs[scaleName];

    /** The block (BN, then its Scale when paired) run with global statistics. */
    const runBlock = (bottom: Tensor) => {
      const { top } = caffeBatchNormForward(bottom, blobs, settings);
      if (scale?.type !== "Scale") return { bnTop: top, output: top };
      const beta = scale.bias === undefined ? null : Float32Array.from(scale.bias.data);
      return { bnTop: top, output: caffeScaleForward(top, Float32Array.from(scale.scale.data), beta) };
    };

    it("derives the recorded effective statistics exactly", () => {
      const { mean, variance } = caffeEffectiveStats(blobs);
      expect(Array.from(mean)).toEqual(layer.effective_mean.data);
      expect(Array.from(variance)).toEqual(layer.effective_var.data);
    });

    it.each([0, 1])("reproduces batch %i's block output within tolerance", (b) => {
      const record = trace.eval.batches[b]?.bn[name];
      if (record === undefined) throw new Error(`no recording of ${name} in batch ${b}`);
      const { output } = runBlock(fromTensorLike(record.bottom));
      expect(compare(output, record.block_output).maxError).toBeLessThanOrEqual(TRAINED_SMALL_TOLERANCE);
    });

    it.each([0, 1])("reproduces batch %i's BN top and block output bit for bit", (b) => {
      const record = trace.eval.batches[b]?.bn[name];
      if (record === undefined) throw new Error(`no recording of ${name} in batch ${b}`);
      const { bnTop, output } = runBlock(fromTensorLike(record.bottom));
      expect(Array.from(bnTop.data)).toEqual(record.bn_top.data);
      expect(Array.from(output.data)).toEqual(record.block_output.data);
    });
  });
});
