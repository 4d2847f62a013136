import { layerParams, type Params } from "../../caffe/layers/params.js";
import { paramView } from "../../caffe/param-view.js";
import type { PyValue } from "../torch-graph.js";
import { axisValue } from "./convolution.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** kernel/stride/pad as PoolingLayer::LayerSetUp reads them: `*_h`/`*_w` win over the square forms. */
function poolGeometry(p: Params) {
  const hw = (name: string, square: string): [number, number] =>
    p.has(`${name}_h`) || p.has(`${name}_w`) ? [p.num(`${name}_h`), p.num(`${name}_w`)] : [p.num(square), p.num(square)];
  return {
    kernel: hw("kernel", "kernel_size"),
    stride: p.has("stride_h") || p.has("stride_w") ? [p.num("stride_h"), p.num("stride_w")] : [p.num("stride"), p.num("stride")],
    pad: hw("pad", "pad"),
  };
}

/**
 * Pooling → `nn.MaxPool2d` / `nn.AvgPool2d`. Caffe rounds the pooled size up (round_mode CEIL, the
 * default) and drops a last window that would start in the padding; PyTorch's `ceil_mode=True`
 * applies the same two rules. Caffe's average divides by the window clipped to the padded input
 * (padding counted, nothing beyond it), which is `count_include_pad=True` (PyTorch's default).
 * Global pooling covers the whole plane: an adaptive pool to 1×1.
 */
function convertPooling(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "pooling_param");
  const method = p.enumName("pool");
  if (method !== "MAX" && method !== "AVE") return { refused: "pool-method", data: { method } };
  const input = ctx.inputs[0];
  if (input && input.length !== 4) return { refused: "pool-rank", data: { rank: input.length } };
  const max = method === "MAX";
  // PoolingLayer allows a second top for MAX only: the argmax mask, h·W + w of the input plane
  // with the first maximum in row-major order winning (caffe-segnet pooling_layer.cpp:165-171),
  // which is what max_pool2d's indices hold.
  const mask = ctx.layer.tops.length === 2;
  if (mask && !max) return { refused: "pool-mask-not-max", data: { method } };
  const indices: Record<string, PyValue> = mask ? { return_indices: true } : {};
  if (p.bool("global_pooling")) {
    return { module: { cls: max ? "nn.AdaptiveMaxPool2d" : "nn.AdaptiveAvgPool2d", args: [1], kwargs: indices }, call: { kind: "module" } };
  }
  const g = poolGeometry(p);
  if (g.kernel.some((k) => k < 1) || g.stride.some((s) => s < 1)) return { refused: "pool-geometry" };
  // torch refuses padding above half the kernel; Caffe allows up to kernel − 1.
  if (g.pad.some((pad, i) => pad > g.kernel[i]! / 2)) return { refused: "pool-pad-above-half", data: { pad: g.pad.join("x"), kernel: g.kernel.join("x") } };
  // Forks that predate round_mode write `ceil_mode: false` for floor rounding (the shape rule reads it too).
  const ceil = p.enumName("round_mode") !== "FLOOR" && paramView(ctx.layer.param.pooling_param, ctx.sourceMap).bool("ceil_mode") !== false;
  // PoolingLayer::Reshape (pooling_layer.cpp:107-115) drops a last window starting past the input only with padding;
  // PyTorch's ceil_mode drops it always. Without padding (kernel < stride) Caffe keeps an empty
  // window, −FLT_MAX for MAX (mask −1) and 0/0 for AVE, which no PyTorch pooling gives.
  const empty = ceil && g.pad.every((x) => x === 0) ? emptyLastWindow(input, g.kernel, g.stride) : null;
  if (empty) return { refused: "pool-empty-window", data: empty };
  const kwargs: Record<string, PyValue> = {};
  if (g.stride.some((s, i) => s !== g.kernel[i])) kwargs["stride"] = axisValue(g.stride);
  if (g.pad.some((s) => s !== 0)) kwargs["padding"] = axisValue(g.pad);
  if (ceil) kwargs["ceil_mode"] = true;
  Object.assign(kwargs, indices);
  return { module: { cls: max ? "nn.MaxPool2d" : "nn.AvgPool2d", args: [axisValue(g.kernel)], kwargs }, call: { kind: "module" } };
}

/**
 * The first spatial axis where Caffe's rounded-up pooled size ends in a window starting at or past
 * the input's end (`(ceil((size − k) / s) + 1 − 1)·s ≥ size`, a float division as Caffe's), if any.
 */
function emptyLastWindow(input: readonly (number | null)[] | null | undefined, kernel: readonly number[], stride: readonly number[]): Record<string, number> | null {
  for (let i = 0; i < 2; i++) {
    const size = input?.[2 + i];
    if (size === null || size === undefined) continue;
    const pooled = Math.ceil(Math.fround(Math.fround(size - kernel[i]!) / stride[i]!)) + 1;
    if (pooled > 1 && (pooled - 1) * stride[i]! >= size) return { size, kernel: kernel[i]!, stride: stride[i]!, pooled };
  }
  return null;
}

/** Pooling (MAX and AVE). */
export const poolingConverter: LayerConverter = { types: ["Pooling"], convert: convertPooling };
