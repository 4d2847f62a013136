import { describe, expect, it } from "vitest";
import { fmaf } from "../../src/numeric/float32.js";
import { createRng, randomNormal } from "../../src/numeric/rng.js";
import { channelLayout, numel } from "../../src/numeric/tensor.js";
import { simdTorchCollectStats, simdTorchTransform } from "../../src/numeric/torch-batch-norm-simd.js";
import { torchCollectStats, torchTransform } from "../../src/numeric/torch-kernels.js";

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** Normal values, or spread over 2⁻¹⁰..2²⁰ so that any change of summation order shows. */
function values(shape: number[], seed: number, wide: boolean): Float32Array {
  const data = randomNormal(shape, createRng(seed), { mean: 0.5, std: 2 }).data;
  if (wide) {
    const rng = createRng(seed + 1);
    for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) * 2 ** Math.floor(rng.nextFloat() * 30 - 10);
  }
  return data;
}

const SHAPES = [[32, 64, 7, 7], [3, 5, 6, 5], [1, 7, 13], [5, 2, 8], [2, 3, 4100], [6, 3, 20], [1, 4, 1], [8, 16, 56, 56], [3, 2, 9]];

describe("simdTorchCollectStats", () => {
  for (const shape of SHAPES) {
    it(`gives torchCollectStats's bits for [${shape.join(", ")}]`, () => {
      const { num, channels, spatial } = channelLayout(shape);
      for (const wide of [false, true]) {
        const x = values(shape, numel(shape), wide);
        const ours = simdTorchCollectStats(x, num, channels, spatial);
        const reference = torchCollectStats(x, num, channels, spatial);
        expect(ours).not.toBeNull();
        expect(bits(ours!.mean)).toEqual(bits(reference.mean));
        expect(bits(ours!.varSum)).toEqual(bits(reference.varSum));
      }
    });
  }

  it("leaves inputs with one value per (n, c) to the channels-last kernels (float sums)", () => {
    expect(simdTorchCollectStats(new Float32Array(12), 4, 3, 1)).toBeNull();
  });
});

describe("simdTorchTransform", () => {
  for (const shape of SHAPES) {
    it(`gives torchTransform's bits for [${shape.join(", ")}], with and without affine parameters`, () => {
      const { num, channels, spatial } = channelLayout(shape);
      const rng = createRng(spatial);
      const perChannel = (scale: number) => Float32Array.from({ length: channels }, () => (rng.nextFloat() - 0.3) * scale);
      for (const affine of [false, true]) {
        const x = values(shape, numel(shape) + 5, affine);
        const mean = perChannel(3);
        const invstd = perChannel(5).map(Math.abs);
        const [weight, bias] = affine ? [perChannel(2), perChannel(4)] : [null, null];
        const ours = new Float32Array(x.length);
        const reference = new Float32Array(x.length);
        const used = simdTorchTransform(x, ours, num, channels, spatial, mean, invstd, weight, bias);
        expect(used).toBe(spatial >= 8);
        if (!used) continue;
        torchTransform(x, reference, num, channels, spatial, mean, invstd, weight, bias);
        expect(bits(ours)).toEqual(bits(reference));
      }
    });
  }

  it("rounds once where a double sum lands on a float32 midpoint (fmaf's tie case)", () => {
    // 1.5·(1 + 2⁻²³) = 1.5 + 2⁻²³ + 2⁻²⁴ is a float32 midpoint, and −2⁻⁶⁰ vanishes in the double sum:
    // rounding that double to float32 (ties to even) goes up, the single rounding goes down.
    const alpha = 1 + 2 ** -23;
    const beta = -(2 ** -60);
    const single = fmaf(1.5, alpha, beta);
    expect(Math.fround(1.5 * alpha + beta)).not.toBe(single);
    const x = new Float32Array(2 * 11).fill(0.25);
    for (const i of [0, 5, 10, 13, 21]) x[i] = 1.5; // vector lanes, both halves, and the tail of a row
    const y = new Float32Array(x.length);
    expect(simdTorchTransform(x, y, 2, 1, 11, Float32Array.of(0), Float32Array.of(alpha), null, Float32Array.of(beta))).toBe(true);
    const reference = new Float32Array(x.length);
    torchTransform(x, reference, 2, 1, 11, Float32Array.of(0), Float32Array.of(alpha), null, Float32Array.of(beta));
    expect(bits(y)).toEqual(bits(reference));
    expect(y[5]).toBe(single);
  });

  it("agrees at the edges of the float32 range: zeros, subnormal and overflowing results, infinities and NaN", () => {
    const edge = [0, -0, 1e-45, -3e-39, 1.1754942e-38, 2e-38, 1e38, -3.4e38, 3.4028235e38, Infinity, -Infinity, NaN, 1.5, 0.25, 7, -2];
    const x = Float32Array.from({ length: 4 * 16 }, (_, i) => edge[(i * 7) % 16] as number);
    for (const [alpha, beta] of [[1, 0], [0.5, -0], [4, 1e-40], [1 + 2 ** -23, -(2 ** -60)], [3e-39, 0]] as const) {
      const args = [4, 1, 16, Float32Array.of(0), Float32Array.of(alpha), null, Float32Array.of(beta)] as const;
      const ours = new Float32Array(x.length);
      const reference = new Float32Array(x.length);
      expect(simdTorchTransform(x, ours, ...args)).toBe(true);
      torchTransform(x, reference, ...args);
      expect(bits(ours)).toEqual(bits(reference));
    }
  });
});
