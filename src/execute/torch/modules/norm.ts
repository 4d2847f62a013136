/**
 * Normalisations by PyTorch's definitions: nn.BatchNorm1d/2d/3d (and the `--exact` Caffe*
 * subclasses, whose forward output is nn.BatchNorm's) through numeric/torch-batch-norm.ts (ATen's
 * CPU kernels, bit for bit); nn.LocalResponseNorm as F.local_response_norm computes it; nn.Softmax;
 * and the helper modules LRNWithinChannel, MVN and Normalize as their emitted Python computes them.
 */
import { createTorchBatchNorm, torchBatchNormForward } from "../../../numeric/torch-batch-norm.js";
import { ARITHMETIC, binary, torchPow, unary } from "../ops/elementwise.js";
import { reshape } from "../ops/layout.js";
import { mean, softmax, sum } from "../ops/reduce.js";
import { asBool, asInt, asNumber, asTensor, float, invalid, NONE, tensor, type Tensor } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";
import { avgPool } from "./pool.js";
import { freshFloats } from "../../../numeric/float-pool.js";

const f32 = Math.fround;
const mul = (a: Tensor, b: Tensor): Tensor => binary(a, b, ARITHMETIC["*"]!, "float32");
const div = (a: Tensor, b: Tensor): Tensor => binary(a, b, ARITHMETIC["/"]!, "float32");
const sub = (a: Tensor, b: Tensor): Tensor => binary(a, b, ARITHMETIC["-"]!, "float32");

/** The ranks each BatchNorm class accepts (_check_input_dim). */
const BN_RANKS: Readonly<Record<string, readonly number[]>> = { "1d": [2, 3], "2d": [4], "3d": [5] };

/**
 * A BatchNorm module's forward, and the two values `caffe_batch_norm_steps` gives for a fused
 * Caffe block: F.batch_norm without the affine part, and that times the weight.
 */
export function batchNorm(ctx: ModuleContext, x: Tensor, affine = true): Tensor {
  const cls = ctx.node.module!.cls;
  const ranks = BN_RANKS[cls.slice(-2)] ?? [];
  if (!ranks.includes(x.shape.length)) invalid("batch-norm-input-rank", { cls, rank: x.shape.length, expected: [...ranks] });
  const a = ctx.args;
  const c = asInt(a.get("num_features"), "num_features");
  const track = asBool(a.get("track_running_stats"), "track_running_stats");
  const hasAffine = asBool(a.get("affine"), "affine") && affine;
  const module = createTorchBatchNorm({
    numFeatures: c,
    eps: asNumber(a.get("eps"), "eps"),
    affine: hasAffine,
    trackRunningStats: track,
    ...(track ? { runningMean: ctx.param("running_mean", [c]).data, runningVar: ctx.param("running_var", [c]).data } : {}),
    ...(hasAffine ? { weight: ctx.param("weight", [c]).data, bias: ctx.param("bias", [c]).data } : {}),
  });
  module.training = ctx.training;
  return tensor(x.shape, torchBatchNormForward(module, { shape: [...x.shape], data: x.data }).output.data);
}

/** (normalised, normalised · weight): `caffe_batch_norm_steps(bn, x)` of forward_layers. */
export function batchNormSteps(ctx: ModuleContext, x: Tensor): [Tensor, Tensor] {
  const normalised = batchNorm(ctx, x, false);
  const c = asInt(ctx.args.get("num_features"), "num_features");
  const weight = ctx.param("weight", [c]);
  const shape = [1, c, ...new Array<number>(x.shape.length - 2).fill(1)];
  return [normalised, mul(normalised, reshape(weight, shape))];
}

const BN_SIGNATURE = [
  ["num_features"],
  ["eps", float(1e-5)],
  ["momentum", float(0.1)],
  ["affine", { t: "bool", v: true }],
  ["track_running_stats", { t: "bool", v: true }],
] as const;

const batchNormModule = (d: string): ModuleImpl => ({
  classes: [`nn.BatchNorm${d}`],
  signature: BN_SIGNATURE,
  forward: (ctx, inputs) => (arity(ctx, inputs, 1), batchNorm(ctx, asTensor(inputs[0], "input"))),
});

/** The `--exact` subclasses: training updates the statistics Caffe's way; the output is nn.BatchNorm's. */
const caffeBatchNormModule = (d: string): ModuleImpl => ({
  classes: [`CaffeBatchNorm${d}`],
  signature: [...BN_SIGNATURE.filter(([n]) => n !== "momentum"), ["momentum", NONE], ["moving_average_fraction", float(0.999)]],
  forward: (ctx, inputs) => (arity(ctx, inputs, 1), batchNorm(ctx, asTensor(inputs[0], "input"))),
});

/**
 * F.local_response_norm: x / (k + α·avg(x²))^β, avg over `size` channels (size//2 before,
 * (size − 1)//2 after, zero padded, always divided by size: avg_pool3d over the padded squares).
 */
export function localResponseNorm(x: Tensor, size: number, alpha: number, beta: number, k: number): Tensor {
  if (x.shape.length < 3) invalid("local-response-norm-rank", { rank: x.shape.length });
  const [n, c] = x.shape as [number, number];
  const inner = x.data.length / (n * c);
  const sq = unary(x, (v) => v * v).data;
  const out = freshFloats(x.data.length);
  const [before, after] = [Math.floor(size / 2), Math.floor((size - 1) / 2)];
  const [a, kk] = [f32(alpha), f32(k)];
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let j = ch - before; j <= ch + after; j++) if (j >= 0 && j < c) s = f32(s + sq[(b * c + j) * inner + i]!);
        const d = f32(torchPow(f32(f32(f32(s / size) * a) + kk), beta));
        const at = (b * c + ch) * inner + i;
        out[at] = x.data[at]! / d;
      }
    }
  }
  return tensor(x.shape, out);
}

/** LRNWithinChannel (emitted helper): x · (avg_pool2d(x², size, 1, (size − 1)//2)·α + 1)^−β. */
function lrnWithinChannel(x: Tensor, size: number, alpha: number, beta: number): Tensor {
  const pad = Math.floor((size - 1) / 2);
  const [h, w] = x.shape.slice(-2) as [number, number];
  const out = [Math.floor((h + 2 * pad - size) / 1) + 1, Math.floor((w + 2 * pad - size) / 1) + 1];
  const avg = avgPool(unary(x, (v) => v * v), { kernel: [size, size], stride: [1, 1], pad: [pad, pad], dilation: [1, 1], out }, true, null);
  const a = f32(alpha);
  const factor = unary(avg, (v) => torchPow(f32(f32(v * a) + 1), -beta));
  return mul(x, factor);
}

/** MVN (emitted helper): (x − mean) / (sqrt(mean((x − mean)²)) + eps) over each channel or item. */
function mvn(x: Tensor, normalizeVariance: boolean, acrossChannels: boolean, eps: number): Tensor {
  const dims = Array.from({ length: x.shape.length - (acrossChannels ? 1 : 2) }, (_, i) => i + (acrossChannels ? 1 : 2));
  const y = sub(x, mean(x, dims, true));
  if (!normalizeVariance) return y;
  const e = f32(eps);
  const std = unary(mean(mul(y, y), dims, true), (v) => f32(Math.sqrt(v)) + e);
  return div(y, std);
}

/** Normalize (emitted helper, SSD): x / sqrt(Σx² + eps) per item or per position, times the scale. */
function normalize(ctx: ModuleContext, x: Tensor): Tensor {
  const a = ctx.args;
  const eps = f32(asNumber(a.get("eps"), "eps"));
  const shared = asBool(a.get("channel_shared"), "channel_shared");
  let y: Tensor;
  if (asBool(a.get("across_spatial"), "across_spatial")) {
    const n = x.shape[0]!;
    const norm = unary(sum(reshape(mul(x, x), [n, -1]), [1]), (v) => Math.sqrt(f32(v + eps)));
    y = mul(x, reshape(unary(norm, (v) => 1 / v), [-1, ...new Array<number>(x.shape.length - 1).fill(1)]));
  } else {
    y = div(x, unary(sum(mul(x, x), [1], true), (v) => Math.sqrt(f32(v + eps))));
  }
  const weight = shared ? ctx.param("weight", []) : ctx.param("weight");
  return mul(y, shared ? weight : reshape(weight, [1, -1, ...new Array<number>(x.shape.length - 2).fill(1)]));
}

/** The normalisation modules. */
export const NORM_MODULES: readonly ModuleImpl[] = [
  ...["1d", "2d", "3d"].flatMap((d) => [batchNormModule(d), caffeBatchNormModule(d)]),
  {
    classes: ["nn.LocalResponseNorm"],
    signature: [["size"], ["alpha", float(1e-4)], ["beta", float(0.75)], ["k", float(1)]],
    forward(ctx, inputs) {
      arity(ctx, inputs, 1);
      const a = ctx.args;
      return localResponseNorm(asTensor(inputs[0], "input"), asInt(a.get("size"), "size"), asNumber(a.get("alpha"), "alpha"), asNumber(a.get("beta"), "beta"), asNumber(a.get("k"), "k"));
    },
  },
  {
    classes: ["LRNWithinChannel"],
    signature: [["size"], ["alpha", float(1)], ["beta", float(0.75)]],
    forward(ctx, inputs) {
      arity(ctx, inputs, 1);
      const a = ctx.args;
      return lrnWithinChannel(asTensor(inputs[0], "input"), asInt(a.get("size"), "size"), asNumber(a.get("alpha"), "alpha"), asNumber(a.get("beta"), "beta"));
    },
  },
  {
    classes: ["MVN"],
    signature: [["normalize_variance", { t: "bool", v: true }], ["across_channels", { t: "bool", v: false }], ["eps", float(1e-9)]],
    forward(ctx, inputs) {
      arity(ctx, inputs, 1);
      const a = ctx.args;
      return mvn(asTensor(inputs[0], "input"), asBool(a.get("normalize_variance"), "normalize_variance"), asBool(a.get("across_channels"), "across_channels"), asNumber(a.get("eps"), "eps"));
    },
  },
  {
    classes: ["nn.Softmax"],
    signature: [["dim", NONE]],
    forward(ctx, inputs) {
      arity(ctx, inputs, 1);
      const dim = ctx.args.get("dim")!;
      if (dim.t === "none") invalid("softmax-dim-none");
      return softmax(asTensor(inputs[0], "input"), asInt(dim, "dim"));
    },
  },
  {
    classes: ["Normalize"],
    signature: [["channels"], ["across_spatial", { t: "bool", v: true }], ["channel_shared", { t: "bool", v: true }], ["eps", float(1e-10)]],
    forward: (ctx, inputs) => (arity(ctx, inputs, 1), normalize(ctx, asTensor(inputs[0], "input"))),
  },
];

