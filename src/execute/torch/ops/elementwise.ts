/**
 * Elementwise tensor arithmetic with PyTorch's broadcasting and float32 results: each value is
 * `fround(a op b)` of float32 operands, and a Python number meeting a float tensor is first made a
 * float32 (as TensorIterator casts a wrapped scalar to the tensor's dtype). Plain arithmetic, the
 * same in any framework by definition, so nothing here is Caffe- or PyTorch-specific beyond that.
 */
import { invalid, numel, stridesOf, tensor, type DType, type Tensor } from "../value.js";
import { freshFloats } from "../../../numeric/float-pool.js";
import { sameShape } from "../../../numeric/tensor.js";

/** The broadcast shape of two shapes (aligned at the right), or an error naming both. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) invalid("broadcast", { a: [...a], b: [...b] });
    out[i] = da === 1 ? db : da;
  }
  return out;
}


/** A stand-in index map for an operand the block path reads (never indexed). */
const LAZY = new Int32Array(0);

/** For each element of `shape`, the flat index into a tensor of `from` broadcast to it. */
function broadcastIndex(from: readonly number[], shape: readonly number[]): Int32Array | null {
  if (sameShape(from, shape)) return null;
  const n = numel(shape);
  const rank = shape.length;
  const fs = stridesOf(from);
  // The stride of each output axis in the source (0 where the source broadcasts).
  const step = shape.map((d, i) => {
    const j = i - (rank - from.length);
    return j < 0 || from[j] === 1 ? 0 : fs[j]!;
  });
  const out = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let at = 0;
  for (let k = 0; k < n; k++) {
    out[k] = at;
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]!++;
      at += step[a]!;
      if (idx[a]! < shape[a]!) break;
      at -= step[a]! * shape[a]!;
      idx[a] = 0;
    }
  }
  return out;
}

/**
 * When `from` broadcast to `shape` varies along one contiguous block of axes only (a per-channel
 * [C, 1, 1] or [1, C, 1, 1] against [N, C, H, W]), the block's size and the size of the axes after
 * it: element k reads `from[floor(k / inner) % block]`. Null for any other pattern.
 */
function blockPattern(from: readonly number[], shape: readonly number[]): { block: number; inner: number } | null {
  const rank = shape.length;
  const varying = shape.map((d, i) => {
    const j = i - (rank - from.length);
    return j >= 0 && from[j] !== 1 && d !== 1;
  });
  const first = varying.indexOf(true);
  if (first < 0) return null;
  const last = varying.lastIndexOf(true);
  if (varying.slice(first, last + 1).some((v) => !v)) return null;
  const prod = (xs: readonly number[]) => xs.reduce((a, d) => a * d, 1);
  return { block: prod(shape.slice(first, last + 1)), inner: prod(shape.slice(last + 1)) };
}

/** The result dtype of an arithmetic op (PyTorch's promotion for the dtypes we have). */
export function promote(a: DType, b: DType, trueDivide = false): DType {
  if (a === "float32" || b === "float32" || trueDivide) return "float32";
  if (a === "int64" || b === "int64") return "int64";
  return "bool";
}

/** `f(a, b)` elementwise over the broadcast of two tensors; `f` returns the unrounded result. */
export function binary(a: Tensor, b: Tensor, f: (x: number, y: number) => number, dtype: DType): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  const n = numel(shape);
  const out = freshFloats(n);
  // Index maps only where no faster path applies (an Int32Array per element is the slow part).
  const sameA = sameShape(a.shape, shape);
  const sameB = sameShape(b.shape, shape);
  const lazy = (t: Tensor): boolean => t.data.length === 1 || blockPattern(t.shape, shape) !== null;
  const ia = sameA ? null : sameB && lazy(a) ? LAZY : broadcastIndex(a.shape, shape);
  const ib = sameB ? null : sameA && lazy(b) ? LAZY : broadcastIndex(b.shape, shape);
  const [x, y] = [a.data, b.data];
  if (!ia && !ib && sameShapeFast(f, x, y, out)) {
    // the four arithmetic operators on equal shapes, without a call per element
  } else if (!ia && !ib) for (let k = 0; k < n; k++) out[k] = f(x[k]!, y[k]!);
  else if (!ia && b.data.length === 1) {
    const s = y[0]!;
    for (let k = 0; k < n; k++) out[k] = f(x[k]!, s);
  } else if (!ib && a.data.length === 1) {
    const s = x[0]!;
    for (let k = 0; k < n; k++) out[k] = f(s, y[k]!);
  } else if (!ia && ib && blockRuns(x, y, blockPattern(b.shape, shape), out, f, false)) {
    // a tensor against a per-channel one: one value of b per run of `inner` elements
  } else if (!ib && ia && blockRuns(y, x, blockPattern(a.shape, shape), out, f, true)) {
    // the same with the per-channel tensor first
  } else {
    for (let k = 0; k < n; k++) out[k] = f(x[ia ? ia[k]! : k]!, y[ib ? ib[k]! : k]!);
  }
  if (dtype === "int64") for (let k = 0; k < n; k++) out[k] = Math.trunc(out[k]!);
  return tensor(shape, out, dtype);
}

/** `full op small[block index]` in runs (or `small op full` when `swapped`); false without a pattern. */
function blockRuns(
  full: Float32Array,
  small: Float32Array,
  pattern: { block: number; inner: number } | null,
  out: Float32Array,
  f: (x: number, y: number) => number,
  swapped: boolean,
): boolean {
  if (!pattern || small.length !== pattern.block) return false;
  const { block, inner } = pattern;
  for (let start = 0, c = 0; start < out.length; start += inner, c = (c + 1) % block) {
    const v = small[c]!;
    const end = start + inner;
    if (swapped) for (let k = start; k < end; k++) out[k] = f(v, full[k]!);
    else for (let k = start; k < end; k++) out[k] = f(full[k]!, v);
  }
  return true;
}

/** Equal-shape + − × ÷ as plain loops (the same values as the general path, faster); false for other ops. */
function sameShapeFast(f: (x: number, y: number) => number, x: Float32Array, y: Float32Array, out: Float32Array): boolean {
  const n = out.length;
  if (f === ARITHMETIC["+"]) for (let k = 0; k < n; k++) out[k] = x[k]! + y[k]!;
  else if (f === ARITHMETIC["-"]) for (let k = 0; k < n; k++) out[k] = x[k]! - y[k]!;
  else if (f === ARITHMETIC["*"]) for (let k = 0; k < n; k++) out[k] = x[k]! * y[k]!;
  else if (f === ARITHMETIC["/"]) for (let k = 0; k < n; k++) out[k] = x[k]! / y[k]!;
  else return false;
  return true;
}

/** `f(x)` on every value (written to a fresh buffer, rounded to float32 by the store). */
export function unary(a: Tensor, f: (x: number) => number, dtype: DType = a.dtype): Tensor {
  const out = freshFloats(a.data.length);
  const x = a.data;
  for (let k = 0; k < x.length; k++) out[k] = f(x[k]!);
  return tensor(a.shape, out, dtype);
}

/** A Python number as a 0-d tensor of the dtype it meets (float32 for a float, or next to a float tensor). */
export function scalarTensor(v: number, isFloat: boolean, other: DType): Tensor {
  const dtype: DType = isFloat || other === "float32" ? "float32" : other === "bool" ? "int64" : other;
  return tensor([], Float32Array.of(v), dtype);
}

/** The arithmetic operators of the forward expressions, as float32 (or integer) operations. */
export const ARITHMETIC: Readonly<Record<string, (x: number, y: number) => number>> = {
  "+": (x, y) => x + y,
  "-": (x, y) => x - y,
  "*": (x, y) => x * y,
  "/": (x, y) => x / y,
  "//": (x, y) => Math.floor(x / y),
  "%": (x, y) => x - Math.floor(x / y) * y,
  "**": (x, y) => torchPow(x, y),
};

/** The comparison operators; the result is a bool tensor. */
export const COMPARISON: Readonly<Record<string, (x: number, y: number) => number>> = {
  ">": (x, y) => (x > y ? 1 : 0),
  "<": (x, y) => (x < y ? 1 : 0),
  ">=": (x, y) => (x >= y ? 1 : 0),
  "<=": (x, y) => (x <= y ? 1 : 0),
  "==": (x, y) => (x === y ? 1 : 0),
  "!=": (x, y) => (x !== y ? 1 : 0),
};

/**
 * `x ** y` as torch.pow computes a float32 power: the special exponents 2, 3, 0.5, −0.5, −1, −2
 * are products, roots and reciprocals (pow_tensor_scalar_optimized_kernel), others std::pow.
 */
export function torchPow(x: number, y: number): number {
  const fx = Math.fround(x);
  switch (y) {
    case 2:
      return fx * fx;
    case 3:
      return Math.fround(fx * fx) * fx;
    case 0.5:
      return Math.sqrt(fx);
    case -0.5:
      return 1 / Math.fround(Math.sqrt(fx));
    case -1:
      return 1 / fx;
    case -2:
      return 1 / Math.fround(fx * fx);
    default:
      return Math.pow(fx, y);
  }
}
