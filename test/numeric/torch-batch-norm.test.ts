import { describe, expect, it } from "vitest";
import { compare } from "../../src/numeric/compare.js";
import { createRng, randomNormal } from "../../src/numeric/rng.js";
import type { Tensor } from "../../src/numeric/tensor.js";
import {
  createTorchBatchNorm,
  torchBatchNormBackward,
  torchBatchNormForward,
  torchModuleForRank,
} from "../../src/numeric/torch-batch-norm.js";

/** Float32 results against float64 re-derivations over ~100 values per channel. */
const FLOAT64_REFERENCE_TOLERANCE = 1e-5;
const fround = Math.fround;

/** Per-channel float64 mean and biased variance of [N, C, S...]. */
function float64Stats(x: Tensor) {
  const [num, channels] = x.shape as [number, number];
  const spatial = x.data.length / (num * channels);
  const m = num * spatial;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let c = 0; c < channels; c++) {
    let s = 0;
    let q = 0;
    for (let n = 0; n < num; n++) for (let i = 0; i < spatial; i++) s += x.data[(n * channels + c) * spatial + i] as number;
    const mu = s / m;
    for (let n = 0; n < num; n++) for (let i = 0; i < spatial; i++) q += ((x.data[(n * channels + c) * spatial + i] as number) - mu) ** 2;
    mean.push(mu);
    variance.push(q / m);
  }
  return { mean, variance, m, spatial };
}

describe("torchModuleForRank", () => {
  it("maps ranks 2–3 to BatchNorm1d, 4 to BatchNorm2d, 5 to BatchNorm3d", () => {
    expect([1, 2, 3, 4, 5, 6].map(torchModuleForRank)).toEqual([null, "BatchNorm1d", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", null]);
  });
});

describe("createTorchBatchNorm", () => {
  it("starts like nn.BatchNorm2d(C): eps 1e-5, momentum 0.1, weight 1, bias 0, running 0/1, training", () => {
    const m = createTorchBatchNorm({ numFeatures: 2 });
    expect(m).toMatchObject({ eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true, numBatchesTracked: 0, training: true });
    expect([m.weight, m.bias, m.runningMean, m.runningVar].map((a) => Array.from(a ?? []))).toEqual([[1, 1], [0, 0], [0, 0], [1, 1]]);
  });

  it("has no buffers without track_running_stats and no parameters without affine", () => {
    const m = createTorchBatchNorm({ numFeatures: 2, trackRunningStats: false, affine: false });
    expect([m.runningMean, m.runningVar, m.numBatchesTracked, m.weight, m.bias]).toEqual([null, null, null, null, null]);
  });
});

describe("torchBatchNormForward in training mode", () => {
  const x = randomNormal([4, 3, 5, 5], createRng(31), { mean: 1.5, std: 2 });

  it("normalises with the biased batch variance and updates running_var with the unbiased one", () => {
    const m = createTorchBatchNorm({ numFeatures: 3, momentum: 0.25 });
    const { output } = torchBatchNormForward(m, x);
    const { mean, variance, m: count } = float64Stats(x);
    const expected = Float32Array.from(x.data, (v, i) => {
      const c = Math.floor(i / 25) % 3;
      return (v - (mean[c] as number)) / Math.sqrt((variance[c] as number) + 1e-5);
    });
    expect(compare(output, { shape: x.shape, data: expected }).maxError).toBeLessThan(FLOAT64_REFERENCE_TOLERANCE);
    mean.forEach((mu, c) => expect(m.runningMean?.[c]).toBeCloseTo(0.25 * mu, 6));
    variance.forEach((v, c) => expect(m.runningVar?.[c]).toBeCloseTo(0.25 * ((v * count) / (count - 1)) + 0.75, 5));
    expect(m.numBatchesTracked).toBe(1);
  });

  it("uses a cumulative average (momentum 1/num_batches_tracked) when momentum is null", () => {
    const m = createTorchBatchNorm({ numFeatures: 3, momentum: null });
    const batches = [0, 1, 2].map((k) => randomNormal([4, 3, 6], createRng(40 + k), { mean: k }));
    const means = batches.map((b) => float64Stats(b).mean);
    batches.forEach((b) => torchBatchNormForward(m, b));
    expect(m.numBatchesTracked).toBe(3);
    [0, 1, 2].forEach((c) => expect(m.runningMean?.[c]).toBeCloseTo(means.reduce((a, mu) => a + (mu[c] as number), 0) / 3, 6));
  });

  it("counts num_batches_tracked even with a fixed momentum", () => {
    const m = createTorchBatchNorm({ numFeatures: 3 });
    torchBatchNormForward(m, x);
    torchBatchNormForward(m, x);
    expect(m.numBatchesTracked).toBe(2);
  });

  it("refuses one value per channel, as PyTorch does", () => {
    expect(() => torchBatchNormForward(createTorchBatchNorm({ numFeatures: 3 }), { shape: [1, 3], data: new Float32Array(3) })).toThrow(
      /more than 1 value per channel/,
    );
  });
});

describe("torchBatchNormForward in eval mode", () => {
  it("normalises with the running statistics and leaves them unchanged", () => {
    const m = createTorchBatchNorm({ numFeatures: 2, runningMean: [1, -1], runningVar: [4, 0.25], weight: [2, 1], bias: [0, 3] });
    m.training = false;
    const { output } = torchBatchNormForward(m, { shape: [1, 2, 2], data: Float32Array.from([3, 5, -1, 0]) });
    const sd = [Math.sqrt(4 + 1e-5), Math.sqrt(0.25 + 1e-5)];
    const expected = [(2 * 2) / (sd[0] as number), (2 * 4) / (sd[0] as number), 3, 1 / (sd[1] as number) + 3];
    expected.forEach((v, i) => expect(output.data[i]).toBeCloseTo(v, 5));
    expect(Array.from(m.runningMean ?? [])).toEqual([1, -1]);
    expect(m.numBatchesTracked).toBe(0);
  });

  it("uses batch statistics when running stats are not tracked", () => {
    const x = randomNormal([3, 2, 4], createRng(50));
    const tracked = createTorchBatchNorm({ numFeatures: 2, trackRunningStats: false });
    tracked.training = false;
    const train = createTorchBatchNorm({ numFeatures: 2 });
    expect(torchBatchNormForward(tracked, x).output.data).toEqual(torchBatchNormForward(train, x).output.data);
    expect(tracked.numBatchesTracked).toBeNull();
  });
});

describe("torchBatchNormBackward", () => {
  const x = randomNormal([3, 2, 7], createRng(60), { std: 1.5 });
  const dy = randomNormal(x.shape, createRng(61));
  const weight = [0.5, -2];

  it("gives the batch-statistics gradients of input, weight and bias", () => {
    const m = createTorchBatchNorm({ numFeatures: 2, weight, bias: [0.1, 0.2] });
    const { saved } = torchBatchNormForward(m, x);
    const g = torchBatchNormBackward(m, saved, dy, { input: true, weight: true, bias: true });
    const { mean, variance, m: count, spatial } = float64Stats(x);
    const at = (n: number, c: number, i: number) => (n * 2 + c) * spatial + i;
    for (let c = 0; c < 2; c++) {
      const sd = Math.sqrt((variance[c] as number) + 1e-5);
      let sumDy = 0;
      let sumDyY = 0;
      for (let n = 0; n < 3; n++) {
        for (let i = 0; i < spatial; i++) {
          sumDy += dy.data[at(n, c, i)] as number;
          sumDyY += (dy.data[at(n, c, i)] as number) * (((x.data[at(n, c, i)] as number) - (mean[c] as number)) / sd);
        }
      }
      expect(g.gradBias?.[c]).toBeCloseTo(sumDy, 5);
      expect(g.gradWeight?.[c]).toBeCloseTo(sumDyY, 5);
      for (let n = 0; n < 3; n++) {
        for (let i = 0; i < spatial; i++) {
          const y = ((x.data[at(n, c, i)] as number) - (mean[c] as number)) / sd;
          const expected = ((weight[c] as number) / sd) * ((dy.data[at(n, c, i)] as number) - sumDy / count - (y * sumDyY) / count);
          expect(g.gradInput?.data[at(n, c, i)]).toBeCloseTo(expected, 5);
        }
      }
    }
  });

  it("gives dy·w/sqrt(running_var + eps) in eval mode", () => {
    const m = createTorchBatchNorm({ numFeatures: 2, weight, runningVar: [4, 9] });
    m.training = false;
    const { saved } = torchBatchNormForward(m, x);
    const g = torchBatchNormBackward(m, saved, dy, { input: true, weight: false, bias: false });
    dy.data.forEach((v, i) => {
      const c = Math.floor(i / 7) % 2;
      expect(g.gradInput?.data[i]).toBe(fround(fround(v * fround(1 / Math.sqrt([4, 9][c] as number + 1e-5))) * (weight[c] as number)));
    });
    expect(Object.keys(g)).toEqual(["gradInput"]);
  });
});
