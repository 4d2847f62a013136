/**
 * Convolution and Deconvolution, as BVLC Caffe's BaseConvolutionLayer sets them up
 * (base_conv_layer.cpp LayerSetUp/Reshape) and ConvolutionLayer / DeconvolutionLayer run them
 * (conv_layer.cpp, deconv_layer.cpp): per image, im2col + one GEMM per group (deconvolution: the
 * transposed GEMM + col2im), then the bias.
 */
import { layerParams, type Params } from "../../caffe/layers/params.js";
import { convolutionForward, deconvolutionForward, deconvolutionWeights, type ConvSpec } from "../../numeric/kernels/conv.js";
import { axisOf, blobOf, count, needBottoms, param } from "../blob.js";
import { fail, type Blob, type LayerContext, type LayerExecutor } from "../types.js";

/**
 * One spatial setting per axis, read as LayerSetUp reads it: the `_h`/`_w` pair when either is
 * written (2-D only), else a repeated field holding no value (the default), one value for every
 * axis, or one per axis.
 */
function perAxis(ctx: LayerContext, p: Params, name: string, axes: number, fallback: number | null): number[] {
  if (name !== "dilation" && (p.has(`${name}_h`) || p.has(`${name}_w`))) {
    if (axes !== 2) fail("conv-hw-not-2d", { layer: ctx.layer.name, field: name, axes });
    if (p.list(name === "kernel" ? "kernel_size" : name).length > 0) fail("conv-field-twice", { layer: ctx.layer.name, field: name });
    return [p.num(`${name}_h`), p.num(`${name}_w`)];
  }
  const values = p.list(name === "kernel" ? "kernel_size" : name);
  if (values.length === 0 && fallback !== null) return new Array<number>(axes).fill(fallback);
  if (values.length === 1) return new Array<number>(axes).fill(values[0]!);
  if (values.length === axes) return values;
  return fail("conv-field-count", { layer: ctx.layer.name, field: name, count: values.length, axes });
}

interface Setup {
  /** channels: the bottom's; numOutput: num_output (for both types). */
  spec: ConvSpec;
  /** Deconvolution (Caffe's reverse_dimensions()). */
  reverse: boolean;
  channelAxis: number;
  biasTerm: boolean;
  /** The top shape (bottoms all share bottom 0's shape). */
  topShape: number[];
}

function setUp(ctx: LayerContext, reverse: boolean): Setup {
  const p = layerParams(ctx.layer, "convolution_param");
  const bottom = ctx.bottoms[0]!.shape;
  const channelAxis = axisOf(ctx, p.num("axis"), bottom.length);
  const axes = bottom.length - channelAxis - 1;
  const kernel = perAxis(ctx, p, "kernel", axes, null);
  const stride = perAxis(ctx, p, "stride", axes, 1);
  const pad = perAxis(ctx, p, "pad", axes, 0);
  const dilation = perAxis(ctx, p, "dilation", axes, 1);
  if (kernel.some((k) => k <= 0) || stride.some((s) => s <= 0)) fail("conv-zero-size", { layer: ctx.layer.name, kernel, stride });
  const channels = bottom[channelAxis]!;
  const numOutput = p.num("num_output");
  const group = p.num("group");
  if (numOutput <= 0 || group <= 0 || channels % group !== 0 || numOutput % group !== 0) {
    fail("conv-groups", { layer: ctx.layer.name, channels, numOutput, group });
  }
  const input = bottom.slice(channelAxis + 1);
  const output = input.map((size, i) => {
    const extent = dilation[i]! * (kernel[i]! - 1) + 1;
    return reverse ? stride[i]! * (size - 1) + extent - 2 * pad[i]! : Math.trunc((size + 2 * pad[i]! - extent) / stride[i]!) + 1;
  });
  if (output.some((o) => o <= 0)) fail("conv-empty-output", { layer: ctx.layer.name, input, output });
  // The "image" side of im2col/col2im is the convolution's input: the deconvolution's output.
  const geometry = { image: reverse ? output : input, columns: reverse ? input : output, kernel, stride, pad, dilation };
  return {
    spec: { geometry, channels, numOutput, group },
    reverse,
    channelAxis,
    biasTerm: p.bool("bias_term"),
    topShape: [...bottom.slice(0, channelAxis), numOutput, ...output],
  };
}

/** The weight and bias blobs with the shapes LayerSetUp checks. */
function weightsOf(ctx: LayerContext, s: Setup): { weight: Float32Array; bias: Float32Array | null } {
  const { channels, numOutput, group, geometry } = s.spec;
  // [conv_out_channels, conv_in_channels / group, kernel…]; a deconvolution's conv_out is its input.
  const shape = s.reverse ? [channels, numOutput / group] : [numOutput, channels / group];
  const weight = param(ctx, 0, [...shape, ...geometry.kernel]).data;
  if (ctx.params.length !== (s.biasTerm ? 2 : 1)) fail("param-count", { layer: ctx.layer.name, expected: s.biasTerm ? 2 : 1, actual: ctx.params.length });
  return { weight, bias: s.biasTerm ? param(ctx, 1, [numOutput]).data : null };
}

function checkSameShapes(ctx: LayerContext): void {
  const first = ctx.bottoms[0]!.shape;
  for (const b of ctx.bottoms) {
    if (b.shape.length !== first.length || b.shape.some((d, i) => d !== first[i])) {
      fail("bottom-shapes-differ", { layer: ctx.layer.name, first: [...first], other: [...b.shape] });
    }
  }
}

/** ConvolutionLayer::Forward_cpu: each bottom through the same weights into its top. */
export const convolution: LayerExecutor = {
  types: ["Convolution"],
  forward(ctx) {
    needBottoms(ctx, 1, Infinity);
    checkSameShapes(ctx);
    const s = setUp(ctx, false);
    const { weight, bias } = weightsOf(ctx, s);
    return perItem(ctx, s, (data, from, out, to) => convolutionForward(s.spec, data, from, weight, bias, out, to));
  },
};

/**
 * Runs `one` on each item of each bottom (the axes before the channel axis), as Caffe's
 * Forward_cpu loops `for n < num_` over offsets n·bottom_dim and n·top_dim; one top per bottom.
 */
function perItem(
  ctx: Parameters<LayerExecutor["forward"]>[0],
  s: { channelAxis: number; topShape: number[] },
  one: (data: Float32Array, from: number, out: Float32Array, to: number) => void,
): Blob[] {
  const shape = ctx.bottoms[0]!.shape;
  const num = count(shape, 0, s.channelAxis);
  const bottomDim = count(shape, s.channelAxis);
  const topDim = count(s.topShape, s.channelAxis);
  return ctx.bottoms.map((b): Blob => {
    const top = blobOf(s.topShape);
    for (let n = 0; n < num; n++) one(b.data, n * bottomDim, top.data, n * topDim);
    return top;
  });
}

/** DeconvolutionLayer::Forward_cpu: backward_cpu_gemm (transposed GEMM, col2im), then the bias. */
export const deconvolution: LayerExecutor = {
  types: ["Deconvolution"],
  forward(ctx) {
    needBottoms(ctx, 1, Infinity);
    checkSameShapes(ctx);
    const s = setUp(ctx, true);
    const { weight, bias } = weightsOf(ctx, s);
    const weightT = deconvolutionWeights(s.spec, weight);
    return perItem(ctx, s, (data, from, out, to) => deconvolutionForward(s.spec, data, from, weightT, bias, out, to));
  },
};
