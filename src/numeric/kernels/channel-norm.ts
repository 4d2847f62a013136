/**
 * Per-channel statistics and normalisation of [N, C, spatial] data, as the fork BatchNorm layers
 * compute them (two gemv passes: a mean over each plane, then a mean over the items), in float32.
 * Sums are taken in double and rounded once (OpenBLAS's order is not emulated).
 */

const f = Math.fround;

/** `alpha·Σ` over each run of `dim` values: one gemv (y = alpha·A·1) rounded to float32. */
function scaledSums(x: Float32Array, runs: number, dim: number, alpha: number): Float32Array {
  const out = new Float32Array(runs);
  for (let r = 0; r < runs; r++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[r * dim + k]!;
    out[r] = f(alpha * f(s));
  }
  return out;
}

/**
 * The batch mean per channel as the forks take it: the mean of each plane (`1/spatial` times its
 * sum), then the mean of those over the items (`1/num` times their sum).
 */
export function channelMean(x: Float32Array, num: number, channels: number, spatial: number): Float32Array {
  const planes = scaledSums(x, num * channels, spatial, f(1 / spatial));
  const out = new Float32Array(channels);
  const alpha = f(1 / num);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let n = 0; n < num; n++) s += planes[n * channels + c]!;
    out[c] = f(alpha * f(s));
  }
  return out;
}

/** `x − mean[c]` for every value of channel c. */
export function subtractChannel(x: Float32Array, num: number, channels: number, spatial: number, mean: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! - mean[Math.floor(i / spatial) % channels]!);
  return out;
}

/** The elementwise squares (caffe_powx with 2, caffe_sqr). */
export function squares(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! * x[i]!);
  return out;
}

/** `(v + eps)^power` per channel (caffe_add_scalar then caffe_powx), in float32. */
export function powerOfShifted(v: Float32Array, eps: number, power: number): Float32Array {
  return v.map((x) => f(Math.pow(f(x + eps), power)));
}

/** `x·scale[c]` (caffe_mul with a broadcast channel vector). */
export function mulChannel(x: Float32Array, channels: number, spatial: number, scale: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! * scale[Math.floor(i / spatial) % channels]!);
  return out;
}

/** `x / d[c]` (caffe_div with a broadcast channel vector). */
export function divChannel(x: Float32Array, channels: number, spatial: number, d: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! / d[Math.floor(i / spatial) % channels]!);
  return out;
}

/** `x + b[c]` (caffe_add with a broadcast channel vector). */
export function addChannel(x: Float32Array, channels: number, spatial: number, b: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! + b[Math.floor(i / spatial) % channels]!);
  return out;
}
