/**
 * PyTorch 1.13's CPU float32 elementwise ops as the optimizers use them, on one value. A Python
 * float scalar meets a float32 tensor as a float32 (`Math.fround`); `add(other, alpha)` is the
 * vectorised `fmadd(other, alpha, self)` (BinaryOpsKernel.cpp add_kernel), `addcmul`/`addcdiv`
 * compute `self + value·t1·t2` and `self + value·t1/t2` left to right (PointwiseOpsKernel.cpp).
 */
import { fmaf } from "../../numeric/float32.js";

const f32 = Math.fround;

/** `self.add(other, alpha=alpha)`. */
export function addAlpha(self: number, other: number, alpha: number): number {
  return fmaf(other, f32(alpha), self);
}

/** `self.addcmul(t1, t2, value=value)`. */
export function addcmul(self: number, t1: number, t2: number, value: number): number {
  return f32(self + f32(f32(f32(value) * t1) * t2));
}

/** `self.addcdiv(t1, t2, value=value)`. */
export function addcdiv(self: number, t1: number, t2: number, value: number): number {
  return f32(self + f32(f32(f32(value) * t1) / t2));
}

/** `torch.sign` as a float. */
export function signOf(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** Σ x² of a float32 tensor (torch.sum/norm reduce in float with a cascade; a double sum rounded once is within its error). */
export function sumOfSquares(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return f32(s);
}
