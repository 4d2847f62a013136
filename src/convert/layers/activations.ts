import { layerParams } from "../../caffe/layers/params.js";
import { readRelu6Slope } from "../../caffe/layers/relu6.js";
import { pyFloat } from "../python-literals.js";
import { bindBlob, fillerOf, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

const fround = Math.fround;
/** A float literal (the decimal as written in the prototxt, or a float32 computed as Caffe does). */
const f = (x: number): string => pyFloat(x);
const simple = (cls: string, kwargs: Record<string, number> = {}): LayerConversion => ({ module: { cls, args: [], kwargs }, call: { kind: "module" } });
const expr = (e: string): LayerConversion => ({ module: null, call: { kind: "expr", expr: e } });

/** ReLU: `negative_slope` 0 is nn.ReLU; otherwise LeakyReLU, the same max(0, x) + slope·min(0, x). */
function relu(ctx: LayerContext): LayerConversion {
  const slope = layerParams(ctx.layer, "relu_param").num("negative_slope");
  return slope === 0 ? simple("nn.ReLU") : simple("nn.LeakyReLU", { negative_slope: slope });
}

/** PReLU: one slope per channel (axis 1), or one shared slope, which Caffe stores as a 0-D blob. */
function prelu(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "prelu_param");
  const shared = p.bool("channel_shared");
  const channels = shared ? 1 : ctx.inputs[0]?.[1] ?? null;
  if (channels === null) return { refused: "channels-unknown" };
  // PReLUParameter's filler defaults to constant 0.25 (prelu_layer.cpp), PyTorch's init too.
  const filler = p.has("filler") ? fillerOf(p.msg("filler")) : { ...fillerOf(p.msg("filler")), value: 0.25 };
  return {
    module: { cls: "nn.PReLU", args: [], kwargs: shared ? {} : { num_parameters: channels } },
    call: { kind: "module" },
    params: [
      bindBlob(ctx, 0, {
        key: keyOf(ctx.attr, "weight"),
        shape: [channels],
        caffeShape: shared ? [] : [channels],
        layout: shared ? { kind: "reshape", shape: [1] } : { kind: "same" },
        filler,
      }),
    ],
  };
}

/** Power: `(shift + scale·x)^power`, in PowerLayer::Forward_cpu's order (scale, shift, power). */
function power(ctx: LayerContext): LayerConversion {
  const p = layerParams(ctx.layer, "power_param");
  const [pw, scale, shift] = [p.num("power"), p.num("scale"), p.num("shift")];
  let inner = scale === 1 ? "{0}" : `{0} * ${f(scale)}`;
  if (shift !== 0) inner = `${inner} + ${f(shift)}`;
  if (pw === 1) return expr(inner);
  return expr(`torch.pow(${inner}, ${f(pw)})`);
}

/**
 * Exp: `base^(shift + scale·x)` as ExpLayer computes it in float32: `outer · exp(inner · x)` with
 * `inner = ln(base)·scale` and `outer = base^shift` (base −1 means e).
 */
function exp(ctx: LayerContext): LayerConversion {
  const p = layerParams(ctx.layer, "exp_param");
  const [base, scale, shift] = [fround(p.num("base")), fround(p.num("scale")), fround(p.num("shift"))];
  const logBase = base === -1 ? 1 : fround(Math.log(base));
  const inner = fround(logBase * scale);
  const outer = shift === 0 ? 1 : base === -1 ? fround(Math.exp(shift)) : fround(Math.pow(base, shift));
  const e = inner === 1 ? "torch.exp({0})" : `torch.exp({0} * ${f(inner)})`;
  return expr(outer === 1 ? e : `${e} * ${f(outer)}`);
}

/** Log: `log_base(shift + scale·x)` as LogLayer computes it: `ln(shift + scale·x) · (1 / ln(base))`. */
function log(ctx: LayerContext): LayerConversion {
  const p = layerParams(ctx.layer, "log_param");
  const [base, scale, shift] = [fround(p.num("base")), p.num("scale"), p.num("shift")];
  const baseScale = base === -1 ? 1 : fround(1 / fround(Math.log(base)));
  let inner = scale === 1 ? "{0}" : `{0} * ${f(scale)}`;
  if (shift !== 0) inner = `${inner} + ${f(shift)}`;
  return expr(baseScale === 1 ? `torch.log(${inner})` : `torch.log(${inner}) * ${f(baseScale)}`);
}

/**
 * ReLU6 (rog93/Caffe-MobileNetV2-ReLU6 relu6_layer.cpp:15-18): min(max(x, 0) + slope·min(x, 0), 6);
 * slope 0 (the default) is nn.ReLU6.
 */
function relu6(ctx: LayerContext): LayerConversion {
  const slope = readRelu6Slope(ctx.layer, ctx.sourceMap);
  return slope === 0 ? simple("nn.ReLU6") : expr(`torch.clamp(F.leaky_relu({0}, ${f(slope)}), max=6.0)`);
}

/** Swish: `x · sigmoid(β·x)`; β = 1 is nn.SiLU. */
function swish(ctx: LayerContext): LayerConversion {
  const beta = layerParams(ctx.layer, "swish_param").num("beta");
  return beta === 1 ? simple("nn.SiLU") : expr(`{0} * torch.sigmoid({0} * ${f(beta)})`);
}

/** Activations and other elementwise layers of one bottom. */
export const activationConverter: LayerConverter = {
  types: ["ReLU", "ReLU6", "PReLU", "Sigmoid", "TanH", "ELU", "AbsVal", "BNLL", "Power", "Exp", "Log", "Threshold", "Clip", "Swish", "Dropout"],
  convert(ctx) {
    switch (ctx.layer.type) {
      case "ReLU":
        return relu(ctx);
      case "ReLU6":
        return relu6(ctx);
      case "PReLU":
        return prelu(ctx);
      case "Sigmoid":
        return simple("nn.Sigmoid");
      case "TanH":
        return simple("nn.Tanh");
      case "ELU":
        return simple("nn.ELU", { alpha: layerParams(ctx.layer, "elu_param").num("alpha") });
      case "AbsVal":
        return expr("torch.abs({0})");
      // Caffe's BNLL is log(1 + e^x); Softplus switches to x above 20, a difference below 2e-9.
      case "BNLL":
        return simple("nn.Softplus");
      case "Power":
        return power(ctx);
      case "Exp":
        return exp(ctx);
      case "Log":
        return log(ctx);
      // ThresholdLayer: 1 where x > threshold, else 0.
      case "Threshold":
        return expr(`({0} > ${f(layerParams(ctx.layer, "threshold_param").num("threshold"))}).to({0}.dtype)`);
      case "Clip": {
        const p = layerParams(ctx.layer, "clip_param");
        return expr(`torch.clamp({0}, ${f(p.num("min"))}, ${f(p.num("max"))})`);
      }
      case "Swish":
        return swish(ctx);
      // Both scale the kept values by 1 / (1 − p) while training and do nothing in eval.
      case "Dropout":
        return simple("nn.Dropout", { p: layerParams(ctx.layer, "dropout_param").num("dropout_ratio") });
      default:
        return { refused: "unknown-type" };
    }
  },
};
