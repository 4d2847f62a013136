import { layerParams, type Params } from "../../caffe/layers/params.js";
import type { PyValue } from "../torch-graph.js";
import { bindBlob, fillerOf, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * Per-axis values as BaseConvolutionLayer::LayerSetUp reads them: `*_h`/`*_w` win (2-D only);
 * otherwise none (the default), one value for every axis, or one per axis.
 */
function perAxis(p: Params, list: string, hw: string | null, axes: number, fallback: number): number[] | null {
  if (hw !== null && (p.has(`${hw}_h`) || p.has(`${hw}_w`))) {
    if (axes !== 2) return null;
    return [p.has(`${hw}_h`) ? p.num(`${hw}_h`) : fallback, p.has(`${hw}_w`) ? p.num(`${hw}_w`) : fallback];
  }
  const values = p.list(list);
  if (values.length === 0) return Array<number>(axes).fill(fallback);
  if (values.length === 1) return Array<number>(axes).fill(values[0]!);
  return values.length === axes ? values : null;
}

/** One value when every axis agrees (`3`), else a tuple (`(3, 5)`), as a hand-written module would. */
export function axisValue(values: readonly number[]): PyValue {
  return values.every((v) => v === values[0]) ? values[0]! : { tuple: [...values] };
}

/** Convolution geometry over `axes` spatial axes, or null when the prototxt does not determine it. */
export function convolutionGeometry(p: Params, axes: number) {
  // A kernel has no default: NaN makes a missing one fail the check below.
  const kernel = perAxis(p, "kernel_size", "kernel", axes, NaN);
  const stride = perAxis(p, "stride", "stride", axes, 1);
  const pad = perAxis(p, "pad", "pad", axes, 0);
  const dilation = perAxis(p, "dilation", null, axes, 1);
  if (!kernel || kernel.some((v) => !Number.isInteger(v) || v < 1) || !stride || !pad || !dilation) return null;
  return { kernel, stride, pad, dilation };
}

const CLASSES: Record<number, [string, string]> = {
  1: ["nn.Conv1d", "nn.ConvTranspose1d"],
  2: ["nn.Conv2d", "nn.ConvTranspose2d"],
  3: ["nn.Conv3d", "nn.ConvTranspose3d"],
};

/**
 * Convolution → `nn.ConvNd` and Deconvolution → `nn.ConvTransposeNd`. Both frameworks floor the
 * convolution output size and give the deconvolution `stride·(H − 1) + dilation·(k − 1) + 1 −
 * 2·pad`; weights keep their layout: `[out, in/group, k…]` and, for Deconvolution, `[in,
 * out/group, k…]` (BVLC deconv_layer.cpp; torch.nn.ConvTranspose2d's weight is the same).
 */
function convertConvolution(ctx: LayerContext): LayerConversion | LayerRefusal {
  const deconv = ctx.layer.type === "Deconvolution";
  const p = layerParams(ctx.layer, "convolution_param");
  const input = ctx.inputs[0];
  if (!input) return { refused: "input-shape-unknown" };
  if (p.num("axis") !== 1 && p.num("axis") !== 1 - input.length) return { refused: "conv-axis", data: { axis: p.num("axis") } };
  const axes = input.length - 2;
  const cls = CLASSES[axes];
  if (!cls) return { refused: "conv-rank", data: { rank: input.length } };
  const inChannels = input[1];
  if (inChannels === null || inChannels === undefined) return { refused: "channels-unknown" };
  const g = convolutionGeometry(p, axes);
  if (!g) return { refused: "conv-geometry" };
  const out = p.num("num_output");
  const groups = p.num("group");
  if (groups < 1 || inChannels % groups !== 0 || out % groups !== 0) return { refused: "conv-groups", data: { groups, in: inChannels, out } };
  const bias = p.bool("bias_term");
  const kwargs: Record<string, PyValue> = { kernel_size: axisValue(g.kernel) };
  if (g.stride.some((s) => s !== 1)) kwargs["stride"] = axisValue(g.stride);
  if (g.pad.some((s) => s !== 0)) kwargs["padding"] = axisValue(g.pad);
  if (g.dilation.some((s) => s !== 1)) kwargs["dilation"] = axisValue(g.dilation);
  if (groups !== 1) kwargs["groups"] = groups;
  if (!bias) kwargs["bias"] = false;
  const weightShape = deconv ? [inChannels, out / groups, ...g.kernel] : [out, inChannels / groups, ...g.kernel];
  const params = [bindBlob(ctx, 0, { key: keyOf(ctx.attr, "weight"), shape: weightShape, filler: fillerOf(p.msg("weight_filler")) })];
  if (bias) params.push(bindBlob(ctx, 1, { key: keyOf(ctx.attr, "bias"), shape: [out], filler: fillerOf(p.msg("bias_filler")) }));
  return {
    module: { cls: cls[deconv ? 1 : 0], args: [inChannels, out], kwargs },
    call: { kind: "module" },
    params,
  };
}

/**
 * Convolution and Deconvolution; and DepthwiseConvolution of yonghenglh6/DepthwiseConvolution, a
 * BaseConvolutionLayer whose Forward_cpu is the ordinary grouped convolution with num_output and
 * group as written (caffe/src/caffe/layers/depthwise_conv_layer.cpp:24-39; its CUDA kernel assumes
 * group = channels = num_output, which is how its prototxts write it).
 */
export const convolutionConverter: LayerConverter = {
  types: ["Convolution", "Deconvolution", "DepthwiseConvolution"],
  convert: convertConvolution,
};
