/**
 * Caffe's EltwiseLayer::Forward_cpu over equally shaped buffers.
 */
import { fmaf } from "../float32.js";

/**
 * SUM: the top starts at 0 and each bottom is added with axpy, `y = coeff·x + y` — one fused
 * multiply-add per value in OpenBLAS's saxpy, so `0.5·x + y` is rounded once (with coeff 1 the
 * product is exact and the fused add is a plain float32 add).
 */
export function eltwiseSum(inputs: readonly Float32Array[], coeffs: readonly number[], out: Float32Array): void {
  out.fill(0);
  inputs.forEach((x, b) => {
    const c = coeffs[b]!;
    if (c === 1) for (let i = 0; i < out.length; i++) out[i] = out[i]! + x[i]!;
    else for (let i = 0; i < out.length; i++) out[i] = fmaf(c, x[i]!, out[i]!);
  });
}

/** PROD: `x0·x1`, then times each further bottom, each product rounded. */
export function eltwiseProd(inputs: readonly Float32Array[], out: Float32Array): void {
  const [a, b] = inputs as [Float32Array, Float32Array];
  for (let i = 0; i < out.length; i++) out[i] = a[i]! * b[i]!;
  for (const x of inputs.slice(2)) for (let i = 0; i < out.length; i++) out[i] = out[i]! * x[i]!;
}

/** MAX: bottom 0 only where strictly greater than bottom 1, then each later bottom where strictly greater. */
export function eltwiseMax(inputs: readonly Float32Array[], out: Float32Array): void {
  const [a, b] = inputs as [Float32Array, Float32Array];
  for (let i = 0; i < out.length; i++) out[i] = a[i]! > b[i]! ? a[i]! : b[i]!;
  for (const x of inputs.slice(2)) for (let i = 0; i < out.length; i++) if (x[i]! > out[i]!) out[i] = x[i]!;
}
