/**
 * Caffe's element-wise neuron layers (src/caffe/layers/*_layer.cpp, Forward_cpu), in float32.
 *
 * Each float32 operation is a double operation rounded with Math.fround (exact for + − × ÷ of
 * float32 operands). Transcendental functions are JavaScript's double ones rounded to float32;
 * Caffe calls glibc's float versions (expf, tanhf, powf, logf), which are within an ulp, so the
 * two can differ in the last bit. Parameters are float32 already (Caffe's fields are floats).
 */

const f = Math.fround;

/** `std::max(x, 0)` and `std::min(x, 0)`, as Caffe writes ReLU, PReLU and ELU. */
const maxZero = (x: number): number => (x < 0 ? 0 : x);
const minZero = (x: number): number => (0 < x ? 0 : x);

/** ReLU: `max(x, 0) + slope·min(x, 0)`. */
export function relu(x: Float32Array, slope: number, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = maxZero(v) + f(slope * minZero(v));
  }
}

/**
 * PReLU: ReLU with a slope per channel (axis 1; `dim` values per channel), or one slope for all
 * channels when `slopes` holds one value (channel_shared).
 */
export function prelu(x: Float32Array, channels: number, dim: number, slopes: Float32Array, out: Float32Array): void {
  const shared = slopes.length === 1;
  for (let i = 0; i < x.length; i++) {
    const c = shared ? 0 : Math.floor(i / dim) % channels;
    const v = x[i]!;
    out[i] = maxZero(v) + f(slopes[c]! * minZero(v));
  }
}

/** ELU: `max(x, 0) + α·(exp(min(x, 0)) − 1)`. */
export function elu(x: Float32Array, alpha: number, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = maxZero(v) + f(alpha * f(f(Math.exp(minZero(v))) - 1));
  }
}

/** Caffe's sigmoid, `0.5·tanh(0.5·x) + 0.5` evaluated in double (its constants are doubles), rounded once. */
export function sigmoidOf(x: number): number {
  return f(0.5 * Math.tanh(0.5 * x) + 0.5);
}

/** Sigmoid. */
export function sigmoid(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) out[i] = sigmoidOf(x[i]!);
}

/** TanH. */
export function tanh(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]!);
}

/** AbsVal. */
export function absval(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i]!);
}

/** BNLL: `x + log(1 + exp(−x))` for x > 0, else `log(1 + exp(x))`; exp in float, the rest in double. */
export function bnll(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? v + Math.log(1 + f(Math.exp(-v))) : Math.log(1 + f(Math.exp(v)));
  }
}

/**
 * Power: `(shift + scale·x)^power` in PowerLayer's steps — a constant when `power·scale` is 0
 * (1 when power is 0, else `shift^power`); otherwise scale (if ≠ 1), shift (if ≠ 0) and pow (if ≠ 1),
 * each rounded.
 */
export function power(x: Float32Array, p: number, scale: number, shift: number, out: Float32Array): void {
  if (f(p * scale) === 0) {
    out.fill(p === 0 ? 1 : Math.pow(shift, p), 0, x.length);
    return;
  }
  for (let i = 0; i < x.length; i++) {
    let v = x[i]!;
    if (scale !== 1) v = f(v * scale);
    if (shift !== 0) v = f(v + shift);
    if (p !== 1) v = Math.pow(v, p);
    out[i] = v;
  }
}

/**
 * Exp: `base^(shift + scale·x)` as ExpLayer computes it — `exp(inner·x)·outer` with
 * `inner = ln(base)·scale` and `outer = base^shift` (both float32; base −1 means e).
 */
export function exp(x: Float32Array, base: number, scale: number, shift: number, out: Float32Array): void {
  const logBase = base === -1 ? 1 : f(Math.log(base));
  const inner = f(logBase * scale);
  const outer = shift === 0 ? 1 : f(base !== -1 ? Math.pow(base, shift) : Math.exp(shift));
  for (let i = 0; i < x.length; i++) {
    let v = f(Math.exp(inner === 1 ? x[i]! : f(inner * x[i]!)));
    if (outer !== 1) v = f(v * outer);
    out[i] = v;
  }
}

/** Log: `log_base(shift + scale·x)` as LogLayer computes it — `ln(…)·(1/ln(base))` (base −1 means e). */
export function log(x: Float32Array, base: number, scale: number, shift: number, out: Float32Array): void {
  const logBase = base === -1 ? 1 : f(Math.log(base));
  const baseScale = f(1 / logBase);
  for (let i = 0; i < x.length; i++) {
    let v = x[i]!;
    if (scale !== 1) v = f(v * scale);
    if (shift !== 0) v = f(v + shift);
    v = f(Math.log(v));
    if (baseScale !== 1) v = f(v * baseScale);
    out[i] = v;
  }
}

/** Threshold: 1 where `x > threshold`, else 0. */
export function threshold(x: Float32Array, t: number, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! > t ? 1 : 0;
}

/** Clip: `std::max(min, std::min(x, max))`. */
export function clip(x: Float32Array, min: number, max: number, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = max < x[i]! ? max : x[i]!;
    out[i] = min < v ? v : min;
  }
}

/** Swish: `x · sigmoid(β·x)`, β·x rounded first (SwishLayer scales a copy, then runs a SigmoidLayer). */
export function swish(x: Float32Array, beta: number, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v * sigmoidOf(f(v * beta));
  }
}
