/**
 * The values the PyTorch-semantics executor passes around: tensors (float32 storage with a dtype
 * tag: int64 and bool tensors hold exact small integers in float32, which is all the emitted
 * models make of them) and the Python values the forward expressions use (ints, floats, strings,
 * tuples, lists, slices, dtypes, functions, modules).
 */
import { ExecuteError } from "../types.js";
import { freshFloats } from "../../numeric/float-pool.js";
import { numel } from "../../numeric/tensor.js";

/** The dtypes the emitted models produce: float32 data, int64 indices and ids, bool masks. */
export type DType = "float32" | "int64" | "bool";

/** A tensor: row-major values and their shape (`[]` for a 0-d tensor, one value). */
export interface Tensor {
  readonly t: "tensor";
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly dtype: DType;
}

/** A Python function of the evaluator (torch.cat, F.interpolate, a bound tensor method, …). */
export interface PyFunction {
  readonly t: "function";
  readonly name: string;
  call(args: readonly Value[], kwargs: ReadonlyMap<string, Value>): Value;
}

/** A value of a forward expression. */
export type Value =
  | Tensor
  | { readonly t: "int"; readonly v: number }
  | { readonly t: "float"; readonly v: number }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "none" }
  | { readonly t: "tuple"; readonly items: readonly Value[] }
  | { readonly t: "list"; readonly items: readonly Value[] }
  | { readonly t: "slice"; readonly start: number | null; readonly stop: number | null; readonly step: number | null }
  | { readonly t: "dtype"; readonly dtype: DType }
  | { readonly t: "namespace"; readonly name: string }
  | PyFunction;

/** Throws the executor's error for a construct it does not implement, naming it. */
export function unsupported(construct: string, data: Record<string, unknown> = {}): never {
  throw new ExecuteError("torch-unsupported", { construct, ...data });
}

/** Throws the executor's error for a value of the wrong kind or shape (a bad graph, not a missing feature). */
export function invalid(what: string, data: Record<string, unknown> = {}): never {
  throw new ExecuteError("torch-invalid", { what, ...data });
}

export const NONE: Value = { t: "none" };
export const int = (v: number): Value => ({ t: "int", v });
export const float = (v: number): Value => ({ t: "float", v });
export const tuple = (items: readonly Value[]): Value => ({ t: "tuple", items });

/** The number of elements of a shape (1 for `[]`). */
export { numel };

/** A tensor over `data` (fresh zeros when not given). */
export function tensor(shape: readonly number[], data?: Float32Array, dtype: DType = "float32"): Tensor {
  const d = data ?? freshFloats(numel(shape));
  if (d.length !== numel(shape)) invalid("tensor-size", { shape: [...shape], values: d.length });
  return { t: "tensor", shape: [...shape], data: d, dtype };
}

export function isTensor(v: Value): v is Tensor {
  return v.t === "tensor";
}

/** A Python kind name for messages. */
export function kindOf(v: Value): string {
  return v.t;
}

/** The value as a tensor, or an error naming what was expected. */
export function asTensor(v: Value | undefined, what: string): Tensor {
  if (v === undefined || v.t !== "tensor") return invalid("expected-tensor", { argument: what, got: v === undefined ? "nothing" : kindOf(v) });
  return v;
}

/** A Python int (bools count, as in Python; a 1-element integer tensor too, as `int(t)` would). */
export function asInt(v: Value | undefined, what: string): number {
  if (v?.t === "int") return v.v;
  if (v?.t === "bool") return v.v ? 1 : 0;
  return invalid("expected-int", { argument: what, got: v === undefined ? "nothing" : kindOf(v) });
}

/** A Python number (int or float) as a JS number. */
export function asNumber(v: Value | undefined, what: string): number {
  if (v?.t === "int" || v?.t === "float") return v.v;
  if (v?.t === "bool") return v.v ? 1 : 0;
  return invalid("expected-number", { argument: what, got: v === undefined ? "nothing" : kindOf(v) });
}

export function asBool(v: Value | undefined, what: string): boolean {
  if (v?.t === "bool") return v.v;
  if (v?.t === "int") return v.v !== 0;
  return invalid("expected-bool", { argument: what, got: v === undefined ? "nothing" : kindOf(v) });
}

export function asString(v: Value | undefined, what: string): string {
  if (v?.t === "str") return v.v;
  return invalid("expected-str", { argument: what, got: v === undefined ? "nothing" : kindOf(v) });
}

/** A tuple or list of ints, or one int repeated `n` times (PyTorch's `_pair`/`_triple`). */
export function asInts(v: Value | undefined, what: string, n?: number): number[] {
  if (v?.t === "tuple" || v?.t === "list") {
    const out = v.items.map((x, i) => asInt(x, `${what}[${i}]`));
    if (n !== undefined && out.length !== n) invalid("length", { argument: what, expected: n, actual: out.length });
    return out;
  }
  const one = asInt(v, what);
  return n === undefined ? [one] : new Array<number>(n).fill(one);
}

/** The items of a tuple or list. */
export function asSequence(v: Value | undefined, what: string): readonly Value[] {
  if (v?.t === "tuple" || v?.t === "list") return v.items;
  return invalid("expected-sequence", { argument: what, got: v === undefined ? "nothing" : kindOf(v) });
}

/** A shape given as separate ints or as one tuple/list (`x.reshape(a, b)` / `x.reshape((a, b))`). */
export function shapeArgs(args: readonly Value[], what: string): number[] {
  if (args.length === 1 && (args[0]!.t === "tuple" || args[0]!.t === "list")) return asInts(args[0], what);
  return args.map((a, i) => asInt(a, `${what}[${i}]`));
}

/** An axis in [0, rank), negative counting from the end, as PyTorch's maybe_wrap_dim does. */
export function wrapDim(dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (dim < -r || dim >= r) invalid("dim-out-of-range", { dim, rank });
  return dim < 0 ? dim + r : dim;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}
