import { describe, expect, it } from "vitest";
import { caffeBiasBackward, caffeBiasForward, caffeScaleBackward, caffeScaleForward } from "../../src/numeric/caffe-scale.js";
import { createRng, randomNormal } from "../../src/numeric/rng.js";
import type { Tensor } from "../../src/numeric/tensor.js";

/** Float32 sums of ~30 values against a float64 sum. */
const SUM_TOLERANCE = 1e-5;
const fround = Math.fround;

const x = randomNormal([2, 3, 5], createRng(3));
const gamma = Float32Array.from([0.5, -2, 1.25]);
const beta = Float32Array.from([0.1, 0, -3]);
const channelOf = (i: number) => Math.floor(i / 5) % 3;

/** Per-channel float64 sums of f(i) over [2, 3, 5]. */
function channelSums(f: (i: number) => number): number[] {
  const sums = [0, 0, 0];
  for (let i = 0; i < 30; i++) sums[channelOf(i)] += f(i);
  return sums;
}

describe("caffeScaleForward", () => {
  it("rounds x·gamma before adding beta, as ScaleLayer then its BiasLayer do", () => {
    const y = caffeScaleForward(x, gamma, beta);
    x.data.forEach((v, i) => expect(y.data[i]).toBe(fround(fround(v * (gamma[channelOf(i)] as number)) + (beta[channelOf(i)] as number))));
  });

  it("multiplies only without a bias term", () => {
    const y = caffeScaleForward(x, gamma, null);
    x.data.forEach((v, i) => expect(y.data[i]).toBe(fround(v * (gamma[channelOf(i)] as number))));
  });
});

describe("caffeBiasForward", () => {
  it("adds beta per channel", () => {
    const y = caffeBiasForward(x, beta);
    x.data.forEach((v, i) => expect(y.data[i]).toBe(fround(v + (beta[channelOf(i)] as number))));
  });
});

describe("caffeScaleBackward", () => {
  const dy: Tensor = randomNormal(x.shape, createRng(4));

  it("gives dgamma = Σ dy·x, dbeta = Σ dy and dx = dy·gamma", () => {
    const g = caffeScaleBackward(dy, x, gamma, { bottom: true, scale: true, bias: true });
    const dGamma = channelSums((i) => (dy.data[i] as number) * (x.data[i] as number));
    const dBeta = channelSums((i) => dy.data[i] as number);
    dGamma.forEach((v, c) => expect(Math.abs((g.scaleDiff?.[c] as number) - v)).toBeLessThan(SUM_TOLERANCE));
    dBeta.forEach((v, c) => expect(Math.abs((g.biasDiff?.[c] as number) - v)).toBeLessThan(SUM_TOLERANCE));
    dy.data.forEach((v, i) => expect(g.bottomDiff?.data[i]).toBe(fround(v * (gamma[channelOf(i)] as number))));
  });

  it("computes only the gradients asked for", () => {
    expect(Object.keys(caffeScaleBackward(dy, x, gamma, { bottom: false, scale: true, bias: false }))).toEqual(["scaleDiff"]);
    expect(Object.keys(caffeScaleBackward(dy, x, gamma, { bottom: true, scale: false, bias: false }))).toEqual(["bottomDiff"]);
  });

  it("sums a batch of one and rank-2 inputs", () => {
    const one = randomNormal([1, 3, 4], createRng(5));
    const flat = randomNormal([4, 3], createRng(6));
    expect(caffeScaleBackward(one, one, gamma, { bottom: false, scale: true, bias: false }).scaleDiff).toHaveLength(3);
    const d = caffeBiasBackward(flat);
    [0, 1, 2].forEach((c) => expect(d[c]).toBeCloseTo([0, 1, 2, 3].reduce((a, n) => a + (flat.data[n * 3 + c] as number), 0), 5));
  });
});
