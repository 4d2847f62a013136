/**
 * The functions forward expressions call: `torch.*`, `F.*` and tensor methods, each with its
 * Python signature (expr/args.ts) and PyTorch's definition (ops/). A name not listed here is
 * refused as "torch-unsupported" naming it.
 */
import { ARITHMETIC, binary, promote, scalarTensor, unary } from "../ops/elementwise.js";
import { cat, flatten, flip, narrow, permute, repeat, reshape, tensorSplit, transpose } from "../ops/layout.js";
import { clamp, elu, ELEMENTWISE, leakyRelu, softplus, toFloat, toLong } from "../ops/math.js";
import { bilinearAlignCorners, mean, softmax, sum } from "../ops/reduce.js";
import {
  asBool,
  asInt,
  asInts,
  asNumber,
  asSequence,
  asString,
  asTensor,
  float,
  int,
  invalid,
  NONE,
  numel,
  shapeArgs,
  tensor,
  tuple,
  unsupported,
  wrapDim,
  type PyFunction,
  type Tensor,
  type Value,
} from "../value.js";
import { bindArgs, type Param } from "./args.js";

type Impl = (a: Map<string, Value>) => Value;
const fn = (name: string, params: readonly Param[], impl: Impl): PyFunction => ({
  t: "function",
  name,
  call: (args, kwargs) => impl(bindArgs(name, params, args, kwargs)),
});

const optionalNumber = (v: Value | undefined, what: string): number | null => (v === undefined || v.t === "none" ? null : asNumber(v, what));
/** `dim` given as an int, a tuple/list of ints, or None (every axis). */
const dims = (v: Value | undefined, what: string): number[] | null => (v === undefined || v.t === "none" ? null : asInts(v, what));

/** A tensor, or a Python number as a 0-d tensor next to `other`. */
export function operand(v: Value, other: Tensor | null, what: string): Tensor {
  if (v.t === "tensor") return v;
  if (v.t === "int" || v.t === "bool") return scalarTensor(asNumber(v, what), false, other?.dtype ?? "int64");
  if (v.t === "float") return scalarTensor(v.v, true, other?.dtype ?? "float32");
  return invalid("expected-tensor-or-number", { argument: what, got: v.t });
}

function elementwise(name: string): PyFunction {
  const f = ELEMENTWISE[name]!;
  return fn(`torch.${name}`, [["input"]], (a) => {
    const x = asTensor(a.get("input"), "input");
    return unary(x, f, x.dtype === "float32" || name === "abs" || name === "neg" || name === "square" ? x.dtype : "float32");
  });
}

function pow(x: Value, e: Value): Value {
  const base = operand(x, null, "input");
  const exp = operand(e, base, "exponent");
  return binary(base, exp, ARITHMETIC["**"]!, promote(base.dtype, exp.dtype));
}

/** Sampling functions: a forward that draws random numbers cannot be compared with a recording. */
const random = (name: string): PyFunction => ({ t: "function", name, call: () => unsupported("random", { function: name }) });

function interpolate(a: Map<string, Value>): Value {
  const x = asTensor(a.get("input"), "input");
  const mode = asString(a.get("mode"), "mode");
  const alignCorners = a.get("align_corners")!.t === "none" ? false : asBool(a.get("align_corners"), "align_corners");
  if (a.get("scale_factor")!.t !== "none") unsupported("F.interpolate scale_factor");
  if (mode !== "bilinear" || !alignCorners) unsupported("F.interpolate mode", { mode, align_corners: alignCorners });
  const [h, w] = asInts(a.get("size"), "size", 2) as [number, number];
  return bilinearAlignCorners(x, h, w);
}

/** `torch.*`: functions, dtypes. */
export const TORCH: ReadonlyMap<string, Value> = new Map<string, Value>([
  ["float32", { t: "dtype", dtype: "float32" }],
  ["float", { t: "dtype", dtype: "float32" }],
  ["int64", { t: "dtype", dtype: "int64" }],
  ["long", { t: "dtype", dtype: "int64" }],
  ["bool", { t: "dtype", dtype: "bool" }],
  ...["abs", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "square", "neg"].map((n) => [n, elementwise(n)] as [string, Value]),
  ["cat", fn("torch.cat", [["tensors"], ["dim", int(0)]], (a) => cat(asSequence(a.get("tensors"), "tensors").map((t, i) => asTensor(t, `tensors[${i}]`)), asInt(a.get("dim"), "dim")))],
  ["flatten", fn("torch.flatten", [["input"], ["start_dim", int(0)], ["end_dim", int(-1)]], (a) => flatten(asTensor(a.get("input"), "input"), asInt(a.get("start_dim"), "start_dim"), asInt(a.get("end_dim"), "end_dim")))],
  [
    "tensor_split",
    fn("torch.tensor_split", [["input"], ["indices_or_sections"], ["dim", int(0)]], (a) => {
      const s = a.get("indices_or_sections")!;
      const split = s.t === "int" ? s.v : asInts(s, "indices_or_sections");
      return tuple(tensorSplit(asTensor(a.get("input"), "input"), split, asInt(a.get("dim"), "dim")));
    }),
  ],
  ["clamp", fn("torch.clamp", [["input"], ["min", NONE], ["max", NONE]], (a) => clamp(asTensor(a.get("input"), "input"), optionalNumber(a.get("min"), "min"), optionalNumber(a.get("max"), "max")))],
  ["pow", fn("torch.pow", [["input"], ["exponent"]], (a) => pow(a.get("input")!, a.get("exponent")!))],
  ["sum", fn("torch.sum", [["input"], ["dim", NONE], ["keepdim", { t: "bool", v: false }]], (a) => sum(asTensor(a.get("input"), "input"), dims(a.get("dim"), "dim"), asBool(a.get("keepdim"), "keepdim")))],
  ["mean", fn("torch.mean", [["input"], ["dim", NONE], ["keepdim", { t: "bool", v: false }]], (a) => mean(asTensor(a.get("input"), "input"), dims(a.get("dim"), "dim"), asBool(a.get("keepdim"), "keepdim")))],
  ["flip", fn("torch.flip", [["input"], ["dims"]], (a) => flip(asTensor(a.get("input"), "input"), asInts(a.get("dims"), "dims")))],
  ["maximum", fn("torch.maximum", [["input"], ["other"]], (a) => extreme(a, Math.max))],
  ["minimum", fn("torch.minimum", [["input"], ["other"]], (a) => extreme(a, Math.min))],
  ["softmax", fn("torch.softmax", [["input"], ["dim"]], (a) => softmax(asTensor(a.get("input"), "input"), asInt(a.get("dim"), "dim")))],
  [
    "full",
    fn("torch.full", [["size"], ["fill_value"]], (a) => {
      const v = a.get("fill_value")!;
      const shape = asInts(a.get("size"), "size");
      return tensor(shape, new Float32Array(numel(shape)).fill(asNumber(v, "fill_value")), v.t === "float" ? "float32" : "int64");
    }),
  ],
  ["normal", random("torch.normal")],
  ["empty", random("torch.empty")],
  ["rand", random("torch.rand")],
  ["randn", random("torch.randn")],
]);

/** torch.maximum / minimum: NaN wins, as ATen's maximum propagates it. */
function extreme(a: Map<string, Value>, pick: (x: number, y: number) => number): Tensor {
  const x = asTensor(a.get("input"), "input");
  const y = asTensor(a.get("other"), "other");
  return binary(x, y, (p, q) => (Number.isNaN(p) || Number.isNaN(q) ? NaN : pick(p, q)), promote(x.dtype, y.dtype));
}

/** `F.*` (torch.nn.functional). */
export const FUNCTIONAL: ReadonlyMap<string, Value> = new Map<string, Value>([
  ["relu", fn("F.relu", [["input"], ["inplace", { t: "bool", v: false }]], (a) => unary(asTensor(a.get("input"), "input"), ELEMENTWISE["relu"]!))],
  ["leaky_relu", fn("F.leaky_relu", [["input"], ["negative_slope", float(0.01)], ["inplace", { t: "bool", v: false }]], (a) => leakyRelu(asTensor(a.get("input"), "input"), asNumber(a.get("negative_slope"), "negative_slope")))],
  ["elu", fn("F.elu", [["input"], ["alpha", float(1)], ["inplace", { t: "bool", v: false }]], (a) => elu(asTensor(a.get("input"), "input"), asNumber(a.get("alpha"), "alpha")))],
  ["softplus", fn("F.softplus", [["input"], ["beta", int(1)], ["threshold", int(20)]], (a) => softplus(asTensor(a.get("input"), "input"), asNumber(a.get("beta"), "beta"), asNumber(a.get("threshold"), "threshold")))],
  ["sigmoid", elementwise("sigmoid")],
  ["tanh", elementwise("tanh")],
  ["softmax", fn("F.softmax", [["input"], ["dim"]], (a) => softmax(asTensor(a.get("input"), "input"), asInt(a.get("dim"), "dim")))],
  ["interpolate", fn("F.interpolate", [["input"], ["size", NONE], ["scale_factor", NONE], ["mode", { t: "str", v: "nearest" }], ["align_corners", NONE]], interpolate)],
]);

/** Python builtins the expressions may use. */
export const BUILTINS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ["True", { t: "bool", v: true }],
  ["False", { t: "bool", v: false }],
  ["None", NONE],
  ["torch", { t: "namespace", name: "torch" }],
  ["F", { t: "namespace", name: "F" }],
  [
    "float",
    fn("float", [["x"]], (a) => {
      const x = a.get("x")!;
      if (x.t === "str") {
        const v = { inf: Infinity, "-inf": -Infinity, nan: NaN }[x.v.trim().toLowerCase()] ?? Number(x.v);
        return Number.isNaN(v) && x.v.trim().toLowerCase() !== "nan" ? invalid("float-literal", { text: x.v }) : float(v);
      }
      return float(asNumber(x, "x"));
    }),
  ],
  ["int", fn("int", [["x"]], (a) => int(Math.trunc(asNumber(a.get("x"), "x"))))],
]);

/** A tensor method bound to `x`, or undefined when there is none by that name. */
export function tensorMethod(x: Tensor, name: string): PyFunction | undefined {
  const m = (params: readonly Param[], impl: Impl): PyFunction => fn(`Tensor.${name}`, params, impl);
  const varargs = (impl: (args: readonly Value[]) => Value): PyFunction => ({
    t: "function",
    name: `Tensor.${name}`,
    call: (args, kwargs) => (kwargs.size > 0 ? unsupported("keyword-argument", { function: `Tensor.${name}`, keyword: [...kwargs.keys()][0] }) : impl(args)),
  });
  switch (name) {
    case "reshape":
    case "view":
      return varargs((args) => reshape(x, shapeArgs(args, "shape")));
    case "permute":
      return varargs((args) => permute(x, shapeArgs(args, "dims")));
    case "repeat":
      return varargs((args) => repeat(x, shapeArgs(args, "sizes")));
    case "transpose":
      return m([["dim0"], ["dim1"]], (a) => transpose(x, asInt(a.get("dim0"), "dim0"), asInt(a.get("dim1"), "dim1")));
    case "flatten":
      return m([["start_dim", int(0)], ["end_dim", int(-1)]], (a) => flatten(x, asInt(a.get("start_dim"), "start_dim"), asInt(a.get("end_dim"), "end_dim")));
    case "to":
      return m([["dtype"]], (a) => {
        const d = a.get("dtype")!;
        if (d.t !== "dtype") return unsupported("Tensor.to argument", { got: d.t });
        return d.dtype === "float32" ? toFloat(x) : d.dtype === "int64" ? toLong(x) : unary(x, (v) => (v !== 0 ? 1 : 0), "bool");
      });
    case "long":
      return m([], () => toLong(x));
    case "float":
      return m([], () => toFloat(x));
    case "contiguous":
      return m([], () => x);
    case "dim":
      return m([], () => int(x.shape.length));
    case "numel":
      return m([], () => int(x.data.length));
    case "size":
      return m([["dim", NONE]], (a) => (a.get("dim")!.t === "none" ? tuple(x.shape.map(int)) : int(x.shape[wrapDim(asInt(a.get("dim"), "dim"), x.shape.length)]!)));
    case "sum":
    case "mean":
      return m([["dim", NONE], ["keepdim", { t: "bool", v: false }]], (a) => (name === "sum" ? sum : mean)(x, dims(a.get("dim"), "dim"), asBool(a.get("keepdim"), "keepdim")));
    case "flip":
      return varargs((args) => flip(x, shapeArgs(args, "dims")));
    case "narrow":
      return m([["dim"], ["start"], ["length"]], (a) => narrow(x, asInt(a.get("dim"), "dim"), asInt(a.get("start"), "start"), asInt(a.get("length"), "length")));
    case "clamp":
      return m([["min", NONE], ["max", NONE]], (a) => clamp(x, optionalNumber(a.get("min"), "min"), optionalNumber(a.get("max"), "max")));
    case "pow":
      return m([["exponent"]], (a) => pow(x, a.get("exponent")!));
    case "unsqueeze":
      return m([["dim"]], (a) => {
        const d = wrapDim(asInt(a.get("dim"), "dim"), x.shape.length + 1);
        return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
      });
    case "abs":
    case "exp":
    case "log":
    case "sqrt":
    case "sigmoid":
    case "tanh":
    case "relu":
    case "square":
    case "neg":
      return m([], () => elementwise(name).call([x], new Map()));
    default:
      return undefined;
  }
}
