import { describe, expect, it } from "vitest";
import { convolutionForward, type ConvSpec } from "../../../src/numeric/kernels/conv.js";
import { MEMORY_BUDGET, simdConvolutionGemm, simdDepthwiseConvolution, simdGemm } from "../../../src/numeric/kernels/gemm-simd.js";
import { im2col, type ConvGeometry } from "../../../src/numeric/kernels/im2col.js";
import { createRng } from "../../../src/numeric/rng.js";

function values(count: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.nextFloat() * 2 - 1;
  return out;
}

/** The first index where two arrays differ (NaN equal to NaN), or −1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** A geometry with Caffe's output size: (image + 2·pad − (dilation·(kernel − 1) + 1)) / stride + 1. */
function geometry(image: number[], kernel: number[], stride: number[], pad: number[], dilation: number[]): ConvGeometry {
  const columns = image.map((d, a) => Math.floor((d + 2 * pad[a]! - (dilation[a]! * (kernel[a]! - 1) + 1)) / stride[a]!) + 1);
  return { image, columns, kernel, stride, pad, dilation };
}

/**
 * The convolution straight from its definition, each output summed in double, and the bound on a
 * float32 GEMM's error for it: 34·u·Σ|products| (sums of at most 32 float32 terms, SUM_CHUNK) plus
 * the roundings of the sum and of the bias addition, u = 2⁻²⁴.
 */
function directConvolution(spec: ConvSpec, x: Float32Array, weight: Float32Array, bias: Float32Array | null): { out: Float64Array; bound: Float64Array } {
  const g = spec.geometry;
  const [outH, outW] = g.columns as [number, number];
  const [height, width] = g.image as [number, number];
  const [kh, kw] = g.kernel as [number, number];
  const cg = spec.channels / spec.group;
  const mg = spec.numOutput / spec.group;
  const out = new Float64Array(spec.numOutput * outH * outW);
  const bound = new Float64Array(out.length);
  const u = 2 ** -24;
  for (let o = 0; o < spec.numOutput; o++) {
    const group = Math.floor(o / mg);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let s = 0;
        let abs = 0;
        for (let c = 0; c < cg; c++) {
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const ih = oh * g.stride[0]! - g.pad[0]! + i * g.dilation[0]!;
              const iw = ow * g.stride[1]! - g.pad[1]! + j * g.dilation[1]!;
              if (ih < 0 || ih >= height || iw < 0 || iw >= width) continue;
              const term = weight[((o * cg + c) * kh + i) * kw + j]! * x[((group * cg + c) * height + ih) * width + iw]!;
              s += term;
              abs += Math.abs(term);
            }
          }
        }
        const at = (o * outH + oh) * outW + ow;
        out[at] = s + (bias ? bias[o]! : 0);
        bound[at] = 34 * u * abs + 2 * u * (Math.abs(s) + Math.abs(bias ? bias[o]! : 0));
      }
    }
  }
  return { out, bound };
}

// [channels, height, width, numOutput, group, kernel, stride, pad, dilation]
const CASES: [number, number, number, number, number, number[], number[], number[], number[]][] = [
  [3, 17, 13, 8, 1, [3, 3], [1, 1], [1, 1], [1, 1]],
  [5, 20, 23, 12, 1, [3, 5], [2, 1], [2, 0], [1, 1]],
  [4, 40, 41, 8, 2, [3, 3], [1, 1], [2, 2], [2, 2]],
  [16, 9, 9, 16, 1, [1, 1], [2, 2], [0, 0], [1, 1]],
  [16, 12, 11, 20, 1, [1, 1], [1, 1], [0, 0], [1, 1]],
  [3, 30, 30, 16, 1, [7, 7], [2, 2], [3, 3], [1, 1]],
  [2, 6, 70, 64, 1, [3, 3], [1, 1], [4, 4], [1, 1]],
  [6, 1, 37, 12, 3, [1, 3], [1, 3], [0, 1], [1, 1]],
  [2, 3, 3, 8, 1, [5, 5], [1, 1], [3, 3], [1, 1]],
  [6, 15, 14, 6, 6, [3, 3], [2, 2], [1, 1], [1, 1]],
];

describe("the convolution's column buffer built in WebAssembly", () => {
  it.each(CASES)("C %i, %i×%i → %i (group %i), kernel %j stride %j pad %j dilation %j: same bits as im2col in JavaScript then the GEMM", (channels, h, w, m, group, kernel, stride, pad, dilation) => {
    const g = geometry([h, w], kernel, stride, pad, dilation);
    const cg = channels / group;
    const k = cg * product(kernel);
    const n = product(g.columns);
    const x = values(3 + channels * h * w, 1);
    const weight = values(m * k, 2);
    const fromWasm = new Float32Array(m * n);
    const fromJs = new Float32Array(m * n);
    const col = new Float32Array(k * n);
    for (let c0 = 0; c0 < channels; c0 += cg) {
      expect(simdConvolutionGemm(m, { data: weight, offset: 0, stride: k }, x, 3, c0, cg, g, { data: fromWasm, offset: 0, stride: n })).toBe(true);
      im2col(x, 3, c0, cg, g, col);
      simdGemm(m, n, k, { data: weight, offset: 0, stride: k }, { data: col, offset: 0, stride: n }, "kn", { data: fromJs, offset: 0, stride: n });
      expect(firstDifference(fromWasm, fromJs)).toBe(-1);
    }
  });

  it("builds a column buffer too large for the memory budget in blocks of output rows, with the same bits", () => {
    const [channels, h, w, m] = [64, 130, 130, 4];
    const g = geometry([h, w], [3, 3], [1, 1], [1, 1], [1, 1]);
    const k = channels * 9;
    const n = product(g.columns);
    expect(2 * k * n).toBeGreaterThan(MEMORY_BUDGET);
    const x = values(channels * h * w, 7);
    const weight = values(m * k, 8);
    const fromWasm = new Float32Array(m * n);
    const fromJs = new Float32Array(m * n);
    const col = new Float32Array(k * n);
    expect(simdConvolutionGemm(m, { data: weight, offset: 0, stride: k }, x, 0, 0, channels, g, { data: fromWasm, offset: 0, stride: n })).toBe(true);
    im2col(x, 0, 0, channels, g, col);
    simdGemm(m, n, k, { data: weight, offset: 0, stride: k }, { data: col, offset: 0, stride: n }, "kn", { data: fromJs, offset: 0, stride: n });
    expect(firstDifference(fromWasm, fromJs)).toBe(-1);
  });

  it("im2col holds, at row (channel, kernel offset) and column (output position), the input the window reads there (0 in the padding), in 2-D and 3-D", () => {
    for (const g of [geometry([7, 9], [3, 2], [2, 1], [1, 2], [1, 2]), geometry([4, 5, 6], [2, 3, 3], [1, 2, 1], [1, 0, 2], [2, 1, 1])]) {
      const channels = 3;
      const kSize = product(g.kernel);
      const n = product(g.columns);
      const x = values(channels * product(g.image), 3);
      const col = new Float32Array(channels * kSize * n);
      im2col(x, 0, 0, channels, g, col);
      // The definition, element by element: input index p·stride − pad + k·dilation on each axis.
      const unravel = (i: number, dims: readonly number[]): number[] => dims.map((_, a) => Math.floor(i / product(dims.slice(a + 1))) % dims[a]!);
      const expected = new Float32Array(col.length);
      for (let c = 0; c < channels; c++) {
        for (let kk = 0; kk < kSize; kk++) {
          const kIdx = unravel(kk, g.kernel);
          for (let p = 0; p < n; p++) {
            const at = unravel(p, g.columns).map((q, a) => q * g.stride[a]! - g.pad[a]! + kIdx[a]! * g.dilation[a]!);
            const inside = at.every((v, a) => v >= 0 && v < g.image[a]!);
            const flat = at.reduce((acc, v, a) => acc * g.image[a]! + v, 0);
            expected[(c * kSize + kk) * n + p] = inside ? x[c * product(g.image) + flat]! : 0;
          }
        }
      }
      expect(firstDifference(col, expected)).toBe(-1);
    }
  });
});

describe("the depthwise convolution kernel", () => {
  // [channels, height, width, kernel, stride, pad, dilation]
  const DEPTHWISE: [number, number, number, number[], number[], number[], number[]][] = [
    [5, 23, 19, [3, 3], [1, 1], [1, 1], [1, 1]],
    [4, 24, 25, [3, 3], [2, 2], [1, 1], [1, 1]],
    [3, 17, 30, [5, 5], [1, 2], [4, 2], [2, 1]],
    [2, 9, 40, [1, 7], [1, 1], [0, 3], [1, 1]],
    [3, 2, 3, [5, 5], [1, 1], [3, 3], [1, 1]],
  ];

  it.each(DEPTHWISE)("C %i, %i×%i, kernel %j stride %j pad %j dilation %j: the bits of the per-group GEMM", (channels, h, w, kernel, stride, pad, dilation) => {
    const g = geometry([h, w], kernel, stride, pad, dilation);
    const k = product(kernel);
    const n = product(g.columns);
    const x = values(2 + channels * h * w, 9);
    const weight = values(channels * k, 10);
    const direct = new Float32Array(1 + channels * n).fill(Number.NaN);
    expect(simdDepthwiseConvolution(x, 2, channels, weight, g, direct, 1)).toBe(true);
    const perGroup = new Float32Array(1 + channels * n).fill(Number.NaN);
    for (let c = 0; c < channels; c++) {
      simdConvolutionGemm(1, { data: weight, offset: c * k, stride: k }, x, 2, c, 1, g, { data: perGroup, offset: 1 + c * n, stride: n });
    }
    expect(firstDifference(direct, perGroup)).toBe(-1);
  });

  it("declines kernels of more than 32 taps (their GEMM sums in double across chunks)", () => {
    const g = geometry([9, 9], [7, 7], [1, 1], [3, 3], [1, 1]);
    expect(simdDepthwiseConvolution(values(81, 1), 0, 1, values(49, 2), g, new Float32Array(81), 0)).toBe(false);
  });
});

describe("convolutionForward", () => {
  it.each(CASES)("C %i, %i×%i → %i (group %i), kernel %j stride %j pad %j dilation %j: the definition's sums within float32 GEMM rounding", (channels, h, w, m, group, kernel, stride, pad, dilation) => {
    const spec: ConvSpec = { geometry: geometry([h, w], kernel, stride, pad, dilation), channels, numOutput: m, group };
    const x = values(channels * h * w, 4);
    const weight = values(m * (channels / group) * product(kernel), 5);
    const bias = values(m, 6);
    const out = new Float32Array(2 + m * product(spec.geometry.columns)).fill(Number.NaN);
    convolutionForward(spec, x, 0, weight, bias, out, 2);
    const ref = directConvolution(spec, x, weight, bias);
    let worst = 0;
    for (let i = 0; i < ref.out.length; i++) worst = Math.max(worst, Math.abs(out[2 + i]! - ref.out[i]!) / ref.bound[i]!);
    expect(worst).toBeLessThanOrEqual(1);
    expect(out[1]).toBeNaN();
  });
});
