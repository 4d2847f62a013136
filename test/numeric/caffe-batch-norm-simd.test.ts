import { describe, expect, it } from "vitest";
import { batchNormKernels } from "../../src/numeric/batch-norm-kernels.js";
import {
  caffeBatchNormForward,
  caffeBatchNormForwardScalar,
  caffeBatchNormSettings,
  createCaffeBatchNormBlobs,
  type CaffeBatchNormBlobs,
} from "../../src/numeric/caffe-batch-norm.js";
import { createRng, randomNormal } from "../../src/numeric/rng.js";
import { channelsOf, numel, type Tensor } from "../../src/numeric/tensor.js";

/** The first index where two float32 buffers differ in their bits (−0 ≠ 0), or −1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/** Normal values (mean 0.5, sd 2), or values spread over 2⁻¹⁰..2²⁰ so that any change of summation order shows. */
function input(shape: number[], seed: number, wide: boolean): Tensor {
  const t = randomNormal(shape, createRng(seed), { mean: 0.5, std: 2 });
  if (wide) {
    const rng = createRng(seed + 1);
    for (let i = 0; i < t.data.length; i++) t.data[i] = (t.data[i] as number) * 2 ** Math.floor(rng.nextFloat() * 30 - 10);
  }
  return t;
}

function copyBlobs(b: CaffeBatchNormBlobs): CaffeBatchNormBlobs {
  return { meanSum: b.meanSum.slice(), varSum: b.varSum.slice(), scaleFactor: b.scaleFactor.slice() };
}

// Spatial sizes with tails of 1–3, with and without the 4-wide head (len & 4), of exactly one
// 4096 block and past it; rows (N·C) with 1, 2 or 3 left over after the 4-row groups (SSE rows and
// a last odd row); channels past one 4096-column block; rank 1 and 2 shapes.
const SHAPES: number[][] = [
  [32, 64, 7, 7],
  [3, 5, 6, 5],
  [2, 3, 4, 4],
  [1, 7, 13],
  [5, 2, 3],
  [4, 3, 1],
  [9, 4],
  [10],
  [17, 9, 12],
  [2, 3, 4100],
  [1, 2, 8195],
  [3, 2, 4096],
  [3, 4101, 2],
  [6, 3, 20],
  [8, 16, 56, 56],
];

describe("caffeBatchNormForward on the SIMD kernels", () => {
  it("runs on WebAssembly SIMD in Node 20 (otherwise the comparisons below would compare scalar with scalar)", () => {
    expect(batchNormKernels()).not.toBeNull();
  });

  for (const shape of SHAPES) {
    it(`gives the scalar executor's bits for [${shape.join(", ")}]: top, statistics and blobs, train then test`, () => {
      const channels = channelsOf(shape);
      for (const wide of [false, true]) {
        const fast = createCaffeBatchNormBlobs(channels);
        const scalar = createCaffeBatchNormBlobs(channels);
        const train = caffeBatchNormSettings({ movingAverageFraction: 0.9 }, "TRAIN");
        for (let step = 0; step < 2; step++) {
          const x = input(shape, 100 * step + numel(shape), wide);
          const ours = caffeBatchNormForward(x, fast, train);
          const reference = caffeBatchNormForwardScalar(x, scalar, train);
          expect(firstBitDifference(ours.top.data, reference.top.data)).toBe(-1);
          expect(firstBitDifference(ours.mean, reference.mean)).toBe(-1);
          expect(firstBitDifference(ours.variance, reference.variance)).toBe(-1);
          expect(firstBitDifference(ours.stdDev, reference.stdDev)).toBe(-1);
          expect(firstBitDifference(fast.meanSum, scalar.meanSum)).toBe(-1);
          expect(firstBitDifference(fast.varSum, scalar.varSum)).toBe(-1);
          expect(fast.scaleFactor[0]).toBe(scalar.scaleFactor[0]);
        }
        const test = caffeBatchNormSettings({}, "TEST");
        const x = input(shape, 7, wide);
        const frozen = copyBlobs(fast);
        const ours = caffeBatchNormForward(x, fast, test, new Float32Array(numel(shape)));
        const reference = caffeBatchNormForwardScalar(x, scalar, test);
        expect(firstBitDifference(ours.top.data, reference.top.data)).toBe(-1);
        expect(firstBitDifference(ours.stdDev, reference.stdDev)).toBe(-1);
        expect(fast).toEqual(frozen);
      }
    });
  }

  it("computes in place (top buffer = bottom buffer), as Caffe's in-place BatchNorm layers do", () => {
    for (const phase of ["TRAIN", "TEST"] as const) {
      const settings = caffeBatchNormSettings({}, phase);
      const x = input([4, 6, 9, 9], 3, true);
      const reference = caffeBatchNormForwardScalar(x, createCaffeBatchNormBlobs(6), settings);
      const inPlace = { shape: x.shape, data: x.data.slice() };
      const ours = caffeBatchNormForward(inPlace, createCaffeBatchNormBlobs(6), settings, inPlace.data);
      expect(ours.top.data).toBe(inPlace.data);
      expect(firstBitDifference(ours.top.data, reference.top.data)).toBe(-1);
    }
  });

  it("normalises an empty batch to an empty top, as the scalar path does", () => {
    const settings = caffeBatchNormSettings({}, "TRAIN");
    const empty = { shape: [0, 3, 4], data: new Float32Array(0) };
    const ours = caffeBatchNormForward(empty, createCaffeBatchNormBlobs(3), settings);
    const reference = caffeBatchNormForwardScalar(empty, createCaffeBatchNormBlobs(3), settings);
    expect(ours.top.data.length).toBe(0);
    expect(Array.from(ours.mean)).toEqual(Array.from(reference.mean));
  });
});
