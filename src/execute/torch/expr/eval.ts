/**
 * Evaluates a parsed forward expression with Python's and PyTorch's semantics: Python numbers
 * stay Python numbers (int / int is a float, // floors), a number meeting a tensor becomes a
 * float32 (or int64) 0-d tensor, tensors combine with broadcasting and float32 results, tuples
 * and lists index and concatenate as in Python. A construct outside the subset is refused as
 * "torch-unsupported" naming it.
 */
import { ARITHMETIC, binary, COMPARISON, promote, unary } from "../ops/elementwise.js";
import { index as indexTensor, type AxisIndex } from "../ops/layout.js";
import { asInt, int, float, invalid, tuple, unsupported, type Tensor, type Value } from "../value.js";
import { BUILTINS, FUNCTIONAL, operand, tensorMethod, TORCH } from "./functions.js";
import { ExprSyntaxError, parseExpr, type Expr } from "./parse.js";

/** What `{0}`, `{1}`… and `{self}` stand for. */
export type Slots = ReadonlyMap<string, Value>;

const PARSED = new Map<string, Expr>();

/** Parses `text` once (the same template is evaluated at every forward), refusing a syntax error by offset. */
export function parsed(text: string): Expr {
  let e = PARSED.get(text);
  if (e) return e;
  try {
    e = parseExpr(text);
  } catch (err) {
    if (err instanceof ExprSyntaxError) unsupported("syntax", { expr: text, reason: err.reason, offset: err.offset });
    throw err;
  }
  PARSED.set(text, e);
  return e;
}

/** Evaluates the expression text with the given slots. */
export function evaluate(text: string, slots: Slots): Value {
  return evalExpr(parsed(text), slots);
}

const isNumber = (v: Value): v is Extract<Value, { t: "int" | "float" | "bool" }> => v.t === "int" || v.t === "float" || v.t === "bool";
const num = (v: Extract<Value, { t: "int" | "float" | "bool" }>): number => (v.t === "bool" ? (v.v ? 1 : 0) : v.v);

/** `a op b` for two Python numbers. */
function pythonArithmetic(op: string, a: Extract<Value, { t: "int" | "float" | "bool" }>, b: Extract<Value, { t: "int" | "float" | "bool" }>): Value {
  const [x, y] = [num(a), num(b)];
  const ints = a.t !== "float" && b.t !== "float";
  if ((op === "/" || op === "//" || op === "%") && y === 0) invalid("division-by-zero", { op });
  switch (op) {
    case "/":
      return float(x / y);
    case "**":
      return ints && y >= 0 ? int(x ** y) : float(x ** y);
    default: {
      const r = ARITHMETIC[op]!(x, y);
      return ints ? int(r) : float(r);
    }
  }
}

/** `a op b` for any two values of the subset. */
export function applyBinary(op: string, a: Value, b: Value): Value {
  if (isNumber(a) && isNumber(b)) return pythonArithmetic(op, a, b);
  if (a.t === "tensor" || b.t === "tensor") {
    const ta = operand(a, b.t === "tensor" ? b : null, "left operand");
    const tb = operand(b, ta, "right operand");
    return binary(ta, tb, ARITHMETIC[op]!, promote(ta.dtype, tb.dtype, op === "/"));
  }
  if (op === "+" && (a.t === "tuple" || a.t === "list") && a.t === b.t) return { t: a.t, items: [...a.items, ...b.items] };
  if (op === "*" && (a.t === "tuple" || a.t === "list") && (b.t === "int" || b.t === "bool")) {
    const n = Math.max(0, num(b));
    return { t: a.t, items: Array.from({ length: n }, () => a.items).flat() };
  }
  return unsupported("operator", { op, left: a.t, right: b.t });
}

function applyCompare(op: string, a: Value, b: Value): Value {
  if (isNumber(a) && isNumber(b)) return { t: "bool", v: COMPARISON[op]!(num(a), num(b)) === 1 };
  if (a.t === "tensor" || b.t === "tensor") {
    const ta = operand(a, b.t === "tensor" ? b : null, "left operand");
    const tb = operand(b, ta, "right operand");
    // Both sides compared in their promoted dtype: a float threshold is a float32.
    return binary(ta, tb, COMPARISON[op]!, "bool");
  }
  return unsupported("comparison", { op, left: a.t, right: b.t });
}

/** `obj.name`: namespaces, tensor attributes and methods. */
function attribute(obj: Value, name: string): Value {
  if (obj.t === "namespace") {
    const table = obj.name === "torch" ? TORCH : FUNCTIONAL;
    const v = table.get(name);
    return v ?? unsupported("function", { name: `${obj.name}.${name}` });
  }
  if (obj.t === "tensor") {
    if (name === "shape") return tuple(obj.shape.map(int));
    if (name === "dtype") return { t: "dtype", dtype: obj.dtype };
    if (name === "ndim") return int(obj.shape.length);
    return tensorMethod(obj, name) ?? unsupported("tensor-method", { name: `Tensor.${name}` });
  }
  return unsupported("attribute", { on: obj.t, name });
}

/** `obj[index]`. */
function subscript(obj: Value, ix: Value, node: Expr): Value {
  if (obj.t === "tuple" || obj.t === "list") {
    if (ix.t === "slice") {
      if (ix.step !== null) unsupported("sequence-slice-step");
      const n = obj.items.length;
      const at = (v: number | null, d: number): number => (v === null ? d : Math.min(n, Math.max(0, v < 0 ? v + n : v)));
      return { t: obj.t, items: obj.items.slice(at(ix.start, 0), at(ix.stop, n)) };
    }
    const i = asInt(ix, "index");
    const at = i < 0 ? i + obj.items.length : i;
    if (at < 0 || at >= obj.items.length) invalid("index-out-of-range", { index: i, length: obj.items.length });
    return obj.items[at]!;
  }
  if (obj.t === "tensor") {
    const parts = ix.t === "tuple" && node.k === "index" && node.index.k === "tuple" ? ix.items : [ix];
    const axes: AxisIndex[] = parts.map((p) => {
      if (p.t === "slice") return { kind: "slice", start: p.start, stop: p.stop, step: p.step };
      if (p.t === "int" || p.t === "bool") return { kind: "int", at: asInt(p, "index") };
      return unsupported("tensor-index", { kind: p.t });
    });
    return indexTensor(obj, axes);
  }
  return unsupported("subscript", { on: obj.t });
}

const sliceBound = (e: Expr | null, slots: Slots, what: string): number | null => {
  if (e === null) return null;
  const v = evalExpr(e, slots);
  return v.t === "none" ? null : asInt(v, what);
};

/** Evaluates a parsed expression. */
export function evalExpr(e: Expr, slots: Slots): Value {
  switch (e.k) {
    case "int":
      return int(e.v);
    case "float":
      return float(e.v);
    case "str":
      return { t: "str", v: e.v };
    case "name": {
      const v = BUILTINS.get(e.id);
      return v ?? unsupported("name", { name: e.id });
    }
    case "slot": {
      const v = slots.get(e.key);
      return v ?? invalid("slot", { slot: `{${e.key}}` });
    }
    case "attr":
      return attribute(evalExpr(e.obj, slots), e.name);
    case "call": {
      const f = evalExpr(e.fn, slots);
      if (f.t !== "function") return unsupported("call", { on: f.t });
      const args = e.args.map((a) => evalExpr(a, slots));
      const kwargs = new Map(e.kwargs.map(([k, v]) => [k, evalExpr(v, slots)] as const));
      return f.call(args, kwargs);
    }
    case "index":
      return subscript(evalExpr(e.obj, slots), evalExpr(e.index, slots), e);
    case "slice":
      return { t: "slice", start: sliceBound(e.start, slots, "slice start"), stop: sliceBound(e.stop, slots, "slice stop"), step: sliceBound(e.step, slots, "slice step") };
    case "tuple":
      return tuple(e.items.map((i) => evalExpr(i, slots)));
    case "list":
      return { t: "list", items: e.items.map((i) => evalExpr(i, slots)) };
    case "unary": {
      const v = evalExpr(e.arg, slots);
      if (e.op === "+") return v;
      if (v.t === "int" || v.t === "bool") return int(-(v.t === "bool" ? (v.v ? 1 : 0) : v.v));
      if (v.t === "float") return float(-v.v);
      if (v.t === "tensor") return unary(v as Tensor, (x) => -x);
      return unsupported("operator", { op: "unary -", operand: v.t });
    }
    case "binary":
      return applyBinary(e.op, evalExpr(e.left, slots), evalExpr(e.right, slots));
    case "compare":
      return applyCompare(e.op, evalExpr(e.left, slots), evalExpr(e.right, slots));
  }
}
