import { layerParams } from "../../caffe/layers/params.js";
import type { PyValue } from "../torch-graph.js";
import { bindBlob, fillerOf, keyOf } from "./bindings.js";
import { axisValue, convolutionGeometry } from "./convolution.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * ConvolutionDepthwise (farmingyard/caffe-mobilenet conv_dw_layer.cpp, used by ShuffleNet v2) →
 * `nn.Conv2d(C, C, groups=C)`: one k×k filter per input channel, weight [C, 1, kh, kw] and bias [C]
 * (conv_dw_layer.cpp:75-84); num_output and group are not read, the output has the input's
 * channels (:106-111). Kernel, stride, pad and dilation are read as the ordinary convolution's.
 */
function convertConvolutionDepthwise(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "convolution_param");
  const input = ctx.inputs[0];
  if (!input) return { refused: "input-shape-unknown" };
  if (input.length !== 4) return { refused: "conv-rank", data: { rank: input.length } };
  const c = input[1];
  if (c === null || c === undefined) return { refused: "channels-unknown" };
  const g = convolutionGeometry(p, 2);
  if (!g) return { refused: "conv-geometry" };
  const bias = p.bool("bias_term");
  const kwargs: Record<string, PyValue> = { kernel_size: axisValue(g.kernel) };
  if (g.stride.some((s) => s !== 1)) kwargs["stride"] = axisValue(g.stride);
  if (g.pad.some((s) => s !== 0)) kwargs["padding"] = axisValue(g.pad);
  if (g.dilation.some((s) => s !== 1)) kwargs["dilation"] = axisValue(g.dilation);
  kwargs["groups"] = c;
  if (!bias) kwargs["bias"] = false;
  const params = [bindBlob(ctx, 0, { key: keyOf(ctx.attr, "weight"), shape: [c, 1, ...g.kernel], filler: fillerOf(p.msg("weight_filler")) })];
  if (bias) params.push(bindBlob(ctx, 1, { key: keyOf(ctx.attr, "bias"), shape: [c], filler: fillerOf(p.msg("bias_filler")) }));
  const notes = p.has("num_output") && p.num("num_output") !== c ? [{ code: "depthwise-num-output-ignored", data: { num_output: p.num("num_output"), channels: c } }] : [];
  return { module: { cls: "nn.Conv2d", args: [c, c], kwargs }, call: { kind: "module" }, params, notes };
}

/** ConvolutionDepthwise. */
export const convolutionDepthwiseConverter: LayerConverter = { types: ["ConvolutionDepthwise"], convert: convertConvolutionDepthwise };
