/**
 * Convolution and deconvolution of one image, as Caffe's BaseConvolutionLayer computes them on the
 * CPU: im2col, then one GEMM per group (forward_cpu_gemm: weights × column buffer; a 1×1 convolution
 * multiplies the image itself, as Caffe's is_1x1_ does); a deconvolution is the convolution's input
 * gradient (backward_cpu_gemm: a GEMM with the weights transposed, then col2im). The bias is added
 * afterwards by a K = 1 GEMM (forward_cpu_bias), so each output is rounded to float32 before its
 * bias is added.
 *
 * The column buffers of the scalar path and of deconvolution are one scratch array reused across
 * calls (up to 16 MiB), so a net's forward allocates little beyond its outputs; the SIMD path builds
 * its column buffer in the GEMM module's own memory.
 */
import { gemmNN, SIMD_MIN_PRODUCT, transpose } from "./gemm.js";
import { simdConvolutionGemm, simdDepthwiseConvolution } from "./gemm-simd.js";
import { col2im, im2col, type ConvGeometry } from "./im2col.js";

/** A convolution's shapes; `geometry.image` is the input size, `geometry.columns` the output size. */
export interface ConvSpec {
  geometry: ConvGeometry;
  /** Input channels. */
  channels: number;
  numOutput: number;
  group: number;
}

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Floats of column buffer kept between calls (16 MiB); a larger one is allocated for its call only. */
const SCRATCH_KEPT = 1 << 22;
let scratchBuffer = new Float32Array(0);

/** A buffer of at least `floats` floats (contents are garbage), reused across calls up to SCRATCH_KEPT. */
function scratch(floats: number): Float32Array {
  if (floats > SCRATCH_KEPT) return new Float32Array(floats);
  if (scratchBuffer.length < floats) scratchBuffer = new Float32Array(Math.min(SCRATCH_KEPT, Math.max(floats, Math.ceil(scratchBuffer.length * 1.5))));
  return scratchBuffer;
}

/** Whether im2col is the identity (BaseConvolutionLayer's is_1x1_: kernel 1, stride 1, pad 0). */
function isOneByOne(g: ConvGeometry): boolean {
  return g.kernel.every((k, i) => k === 1 && g.stride[i] === 1 && g.pad[i] === 0);
}

/** `out[o][p] = fround(out[o][p] + bias[o])` over `count` channels of `spatial` values. */
export function addChannelBias(out: Float32Array, offset: number, count: number, spatial: number, bias: Float32Array): void {
  for (let o = 0; o < count; o++) {
    const b = bias[o]!;
    for (let p = offset + o * spatial, end = p + spatial; p < end; p++) out[p] = out[p]! + b;
  }
}

/**
 * Convolves one image: `x` from `xOffset` holds channels × image; `out` from `outOffset` receives
 * numOutput × columns. `weight` is Caffe's blob `[numOutput, channels/group, …kernel]`.
 */
export function convolutionForward(
  spec: ConvSpec,
  x: Float32Array,
  xOffset: number,
  weight: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  outOffset: number,
): void {
  const g = spec.geometry;
  const cg = spec.channels / spec.group;
  const mg = spec.numOutput / spec.group;
  const kg = cg * product(g.kernel);
  const positions = product(g.columns);
  const oneByOne = isOneByOne(g);
  // Depthwise (one input and one output channel per group): the same sums without the GEMM's padding.
  if (cg === 1 && mg === 1 && spec.group > 1 && simdDepthwiseConvolution(x, xOffset, spec.group, weight, g, out, outOffset)) {
    if (bias) addChannelBias(out, outOffset, spec.numOutput, positions, bias);
    return;
  }
  let col = x;
  for (let group = 0; group < spec.group; group++) {
    const weights = { data: weight, offset: group * mg * kg, stride: kg };
    const top = { data: out, offset: outOffset + group * mg * positions, stride: positions };
    if (!oneByOne && mg * positions * kg >= SIMD_MIN_PRODUCT && simdConvolutionGemm(mg, weights, x, xOffset, group * cg, cg, g, top)) continue;
    if (!oneByOne) {
      col = scratch(kg * positions);
      im2col(x, xOffset, group * cg, cg, g, col);
    }
    gemmNN(mg, positions, kg, weights, { data: col, offset: oneByOne ? xOffset + group * cg * positions : 0, stride: positions }, top);
  }
  if (bias) addChannelBias(out, outOffset, spec.numOutput, positions, bias);
}

/**
 * The per-group transposes of a deconvolution's weights, computed once per layer: Caffe's blob
 * `[channels, numOutput/group, …kernel]` holds per group a (channels/group) × K matrix; the GEMM wants
 * it as K × (channels/group).
 */
export function deconvolutionWeights(spec: ConvSpec, weight: Float32Array): Float32Array {
  const cg = spec.channels / spec.group;
  const kd = (spec.numOutput / spec.group) * product(spec.geometry.kernel);
  const out = new Float32Array(weight.length);
  for (let group = 0; group < spec.group; group++) transpose(weight, group * cg * kd, cg, kd, out, group * cg * kd);
  return out;
}

/**
 * Deconvolves one image: `x` holds channels × `geometry.columns` (the deconvolution's input plays the
 * convolution's output); `out` receives numOutput × `geometry.image`. `weightT` comes from
 * {@link deconvolutionWeights}.
 */
export function deconvolutionForward(
  spec: ConvSpec,
  x: Float32Array,
  xOffset: number,
  weightT: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  outOffset: number,
): void {
  const g = spec.geometry;
  const cg = spec.channels / spec.group;
  const kd = (spec.numOutput / spec.group) * product(g.kernel);
  const positions = product(g.columns);
  const col = scratch(spec.group * kd * positions);
  for (let group = 0; group < spec.group; group++) {
    gemmNN(
      kd,
      positions,
      cg,
      { data: weightT, offset: group * cg * kd, stride: cg },
      { data: x, offset: xOffset + group * cg * positions, stride: positions },
      { data: col, offset: group * kd * positions, stride: positions },
    );
  }
  col2im(col, spec.numOutput, g, out, outOffset);
  if (bias) addChannelBias(out, outOffset, spec.numOutput, product(g.image), bias);
}
