/**
 * The element-wise neuron layers of BVLC Caffe (relu_layer.cpp, prelu_layer.cpp, elu_layer.cpp,
 * sigmoid_layer.cpp, tanh_layer.cpp, absval_layer.cpp, bnll_layer.cpp, power_layer.cpp,
 * exp_layer.cpp, log_layer.cpp, threshold_layer.cpp, clip_layer.cpp, swish_layer.cpp,
 * dropout_layer.cpp): one bottom, one top of the same shape.
 */
import { layerParams } from "../../caffe/layers/params.js";
import * as act from "../../numeric/kernels/activations.js";
import { blobOf, count, float, needBottoms, param } from "../blob.js";
import { fail, type Blob, type LayerContext, type LayerExecutor } from "../types.js";

/** An executor applying `kernel(x, out)` to its single bottom. */
function neuron(type: string, kernel: (ctx: LayerContext, x: Float32Array, out: Float32Array) => void): LayerExecutor {
  return {
    types: [type],
    forward(ctx): Blob[] {
      needBottoms(ctx, 1);
      const x = ctx.bottoms[0]!;
      const top = blobOf(x.shape);
      kernel(ctx, x.data, top.data);
      return [top];
    },
  };
}

export const relu = neuron("ReLU", (ctx, x, out) => act.relu(x, float(layerParams(ctx.layer, "relu_param"), "negative_slope"), out));

/** PReLU: slopes per channel (axis 1) or one shared (a 0-D blob), as PReLULayer::LayerSetUp checks. */
export const prelu = neuron("PReLU", (ctx, x, out) => {
  const shape = ctx.bottoms[0]!.shape;
  if (shape.length < 2) fail("prelu-rank", { layer: ctx.layer.name, shape: [...shape] });
  const shared = layerParams(ctx.layer, "prelu_param").bool("channel_shared");
  const slopes = param(ctx, 0, shared ? [] : [shape[1]!]).data;
  act.prelu(x, shape[1]!, count(shape, 2), slopes, out);
});

export const elu = neuron("ELU", (ctx, x, out) => act.elu(x, float(layerParams(ctx.layer, "elu_param"), "alpha"), out));
export const sigmoid = neuron("Sigmoid", (_ctx, x, out) => act.sigmoid(x, out));
export const tanh = neuron("TanH", (_ctx, x, out) => act.tanh(x, out));
export const absval = neuron("AbsVal", (_ctx, x, out) => act.absval(x, out));
export const bnll = neuron("BNLL", (_ctx, x, out) => act.bnll(x, out));

export const power = neuron("Power", (ctx, x, out) => {
  const p = layerParams(ctx.layer, "power_param");
  act.power(x, float(p, "power"), float(p, "scale"), float(p, "shift"), out);
});

export const exp = neuron("Exp", (ctx, x, out) => {
  const p = layerParams(ctx.layer, "exp_param");
  const base = float(p, "base");
  if (base !== -1 && !(base > 0)) fail("exp-base", { layer: ctx.layer.name, base });
  act.exp(x, base, float(p, "scale"), float(p, "shift"), out);
});

export const log = neuron("Log", (ctx, x, out) => {
  const p = layerParams(ctx.layer, "log_param");
  const base = float(p, "base");
  if (base !== -1 && !(base > 0)) fail("log-base", { layer: ctx.layer.name, base });
  act.log(x, base, float(p, "scale"), float(p, "shift"), out);
});

export const threshold = neuron("Threshold", (ctx, x, out) => act.threshold(x, float(layerParams(ctx.layer, "threshold_param"), "threshold"), out));

export const clip = neuron("Clip", (ctx, x, out) => {
  const p = layerParams(ctx.layer, "clip_param");
  act.clip(x, float(p, "min"), float(p, "max"), out);
});

export const swish = neuron("Swish", (ctx, x, out) => act.swish(x, float(layerParams(ctx.layer, "swish_param"), "beta"), out));

/** Dropout: the identity in TEST (DropoutLayer copies); TRAIN draws Caffe's RNG, which is not reproduced. */
export const dropout: LayerExecutor = {
  types: ["Dropout"],
  forward(ctx) {
    needBottoms(ctx, 1);
    if (ctx.phase === "TRAIN") fail("dropout-train", { layer: ctx.layer.name });
    return [ctx.bottoms[0]!];
  },
};

export const NEURONS: readonly LayerExecutor[] = [relu, prelu, elu, sigmoid, tanh, absval, bnll, power, exp, log, threshold, clip, swish, dropout];
