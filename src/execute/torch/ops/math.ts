/**
 * PyTorch's elementwise functions on float32 tensors, each by its ATen definition (computed in
 * double and rounded to float32 on store: within one float32 ulp of ATen's float kernels).
 */
import { tensor, type Tensor } from "../value.js";
import { unary } from "./elementwise.js";

const f32 = Math.fround;

/** torch.sigmoid: 1 / (1 + e^−x). */
export const sigmoidOf = (x: number): number => 1 / (1 + Math.exp(-x));

/** The elementwise functions by their torch name. */
export const ELEMENTWISE: Readonly<Record<string, (x: number) => number>> = {
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  sigmoid: sigmoidOf,
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  square: (x) => x * x,
  neg: (x) => -x,
};

/** F.leaky_relu: x for x > 0, else x·slope (slope rounded to float32 as the kernel receives it). */
export function leakyRelu(x: Tensor, slope: number): Tensor {
  const s = f32(slope);
  return unary(x, (v) => (v > 0 ? v : v * s));
}

/** F.elu: x for x > 0, else α·(e^x − 1) (ATen's elu kernel with scale 1, input_scale 1). */
export function elu(x: Tensor, alpha: number): Tensor {
  const a = f32(alpha);
  return unary(x, (v) => (v > 0 ? v : f32(Math.exp(v) - 1) * a));
}

/** F.softplus(beta, threshold): x where β·x > threshold, else log(1 + e^(β·x)) / β. */
export function softplus(x: Tensor, beta: number, threshold: number): Tensor {
  return unary(x, (v) => (v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta));
}

/** torch.clamp(min, max) (either may be absent); NaN stays NaN, as ATen's clamp propagates it. */
export function clamp(x: Tensor, min: number | null, max: number | null): Tensor {
  const lo = min === null ? -Infinity : f32(min);
  const hi = max === null ? Infinity : f32(max);
  return unary(x, (v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi)));
}

/** `x.to(float)`: the values as float32 (bools 0/1, integers exactly). */
export function toFloat(x: Tensor): Tensor {
  return tensor(x.shape, x.data, "float32");
}

/** `x.long()`: truncation toward zero, as a float → int64 cast does. */
export function toLong(x: Tensor): Tensor {
  return unary(x, Math.trunc, "int64");
}
