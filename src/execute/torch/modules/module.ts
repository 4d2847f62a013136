/**
 * What a module implementation sees: its constructor arguments bound to the class's Python
 * signature, its state tensors (by state_dict key under the node's attribute), and the mode.
 */
import type { ModuleSpec, PyValue, TorchNode } from "../../../convert/torch-graph.js";
import { bindArgs, type Param } from "../expr/args.js";
import { evaluate } from "../expr/eval.js";
import { float, int, invalid, NONE, tuple, type Tensor, type Value } from "../value.js";
import { sameShape } from "../../../numeric/tensor.js";

/** A module's context for one call. */
export interface ModuleContext {
  readonly node: TorchNode;
  /** Constructor arguments by parameter name (defaults filled in). */
  readonly args: ReadonlyMap<string, Value>;
  /** `training` of the module (Net.train(PHASE == "TRAIN"), BatchNorms that Caffe runs on stored statistics stay in eval). */
  readonly training: boolean;
  /** The state tensor `<attr>.<name>`, or an error naming the key. */
  param(name: string, shape?: readonly number[]): Tensor;
  /** The state tensor `<attr>.<name>`, or null when the state has none. */
  optionalParam(name: string): Tensor | null;
}

/** One module class (or several that share a definition): its constructor signature and forward. */
export interface ModuleImpl {
  readonly classes: readonly string[];
  readonly signature: readonly Param[];
  forward(ctx: ModuleContext, inputs: readonly Value[], kwargs: ReadonlyMap<string, Value>): Value;
}

/** A PyValue of a ModuleSpec as an evaluator value (`{raw}` is Python source our converters wrote). */
export function pyValueOf(v: PyValue): Value {
  if (v === null) return NONE;
  if (typeof v === "boolean") return { t: "bool", v };
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? int(v) : float(v);
  if (typeof v === "string") return { t: "str", v };
  if (Array.isArray(v)) return { t: "list", items: v.map(pyValueOf) };
  if ("tuple" in v) return tuple(v.tuple.map(pyValueOf));
  return evaluate(v.raw, new Map());
}

/** The constructor arguments of `spec` bound to `signature`. */
export function constructorArgs(spec: ModuleSpec, signature: readonly Param[]): Map<string, Value> {
  const kwargs = new Map(Object.entries(spec.kwargs).map(([k, v]) => [k, pyValueOf(v)] as const));
  return bindArgs(spec.cls, signature, spec.args.map(pyValueOf), kwargs);
}

/** Checks a state tensor's shape against the one the module allocates. */
export function checkShape(key: string, t: Tensor, shape: readonly number[] | undefined): Tensor {
  if (shape && !sameShape(t.shape, shape)) {
    invalid("state-shape", { key, expected: [...shape], actual: [...t.shape] });
  }
  return t;
}

/** A module's forward takes exactly `n` tensors (or between min and max). */
export function arity(ctx: ModuleContext, inputs: readonly Value[], min: number, max = min): void {
  if (inputs.length < min || inputs.length > max) invalid("module-inputs", { cls: ctx.node.module?.cls ?? "", given: inputs.length, min, max });
}
