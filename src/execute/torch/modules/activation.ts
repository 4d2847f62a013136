/**
 * The activation modules by PyTorch's definitions: nn.ReLU, LeakyReLU, PReLU (one slope per
 * channel of axis 1, or one shared), ELU, Sigmoid, Tanh, ReLU6 (hardtanh 0..6), SiLU, Softplus
 * (linear above the threshold), Dropout (the identity in eval; a random mask in training, which
 * cannot be reproduced and is refused) and Identity.
 */
import { unary } from "../ops/elementwise.js";
import { clamp, elu, ELEMENTWISE, leakyRelu, sigmoidOf, softplus } from "../ops/math.js";
import { asInt, asNumber, asTensor, float, int, invalid, tensor, unsupported, type Tensor } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";
import { freshFloats } from "../../../numeric/float-pool.js";

const INPLACE = ["inplace", { t: "bool", v: false }] as const;

const simple = (cls: string, f: (x: Tensor, ctx: ModuleContext) => Tensor, signature: ModuleImpl["signature"] = [INPLACE]): ModuleImpl => ({
  classes: [cls],
  signature,
  forward(ctx, inputs) {
    arity(ctx, inputs, 1);
    return f(asTensor(inputs[0], "input"), ctx);
  },
});

/** nn.PReLU: x for x > 0, else w[c]·x with c the index along axis 1 (w[0] for all when one slope). */
function prelu(x: Tensor, ctx: ModuleContext): Tensor {
  const n = asInt(ctx.args.get("num_parameters"), "num_parameters");
  const w = ctx.param("weight", [n]).data;
  const channels = x.shape.length >= 2 ? x.shape[1]! : 1;
  if (n !== 1 && n !== channels) invalid("prelu-channels", { num_parameters: n, channels });
  const inner = x.shape.length >= 2 ? x.data.length / (x.shape[0]! * channels) : 1;
  const out = freshFloats(x.data.length);
  for (let k = 0; k < out.length; k++) {
    const v = x.data[k]!;
    const slope = n === 1 ? w[0]! : w[Math.floor(k / inner) % channels]!;
    out[k] = v > 0 ? v : slope * v;
  }
  return tensor(x.shape, out);
}

/** The activation modules, by class. */
export const ACTIVATION_MODULES: readonly ModuleImpl[] = [
  simple("nn.ReLU", (x) => unary(x, ELEMENTWISE["relu"]!)),
  simple("nn.LeakyReLU", (x, ctx) => leakyRelu(x, asNumber(ctx.args.get("negative_slope"), "negative_slope")), [["negative_slope", float(0.01)], INPLACE]),
  simple("nn.PReLU", prelu, [["num_parameters", int(1)], ["init", float(0.25)]]),
  simple("nn.ELU", (x, ctx) => elu(x, asNumber(ctx.args.get("alpha"), "alpha")), [["alpha", float(1)], INPLACE]),
  simple("nn.Sigmoid", (x) => unary(x, sigmoidOf), []),
  simple("nn.Tanh", (x) => unary(x, Math.tanh), []),
  simple("nn.ReLU6", (x) => clamp(x, 0, 6)),
  simple("nn.SiLU", (x) => unary(x, (v) => v * Math.fround(sigmoidOf(v)))),
  simple("nn.Softplus", (x, ctx) => softplus(x, asNumber(ctx.args.get("beta"), "beta"), asNumber(ctx.args.get("threshold"), "threshold")), [["beta", int(1)], ["threshold", int(20)]]),
  simple("nn.Dropout", (x, ctx) => {
    if (ctx.training && asNumber(ctx.args.get("p"), "p") !== 0) unsupported("random", { module: "nn.Dropout (training)" });
    return x;
  }, [["p", float(0.5)], INPLACE]),
  simple("nn.Identity", (x) => x, []),
];
