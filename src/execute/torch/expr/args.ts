/**
 * Binding a call's positional and keyword arguments to a Python signature, as Python does: each
 * parameter once, defaults for the rest; an unknown keyword is a construct the executor does not
 * implement (it may change the result), so it is refused by name rather than ignored.
 */
import { invalid, unsupported, type Value } from "../value.js";

/** A parameter: its name, and its default when it has one (`undefined`: required). */
export type Param = readonly [name: string, dflt?: Value];

/** The arguments of `fn(args, kwargs)` by parameter name. */
export function bindArgs(fn: string, params: readonly Param[], args: readonly Value[], kwargs: ReadonlyMap<string, Value>): Map<string, Value> {
  if (args.length > params.length) invalid("too-many-arguments", { function: fn, given: args.length, accepted: params.length });
  const out = new Map<string, Value>();
  args.forEach((a, i) => out.set(params[i]![0], a));
  for (const [k, v] of kwargs) {
    if (!params.some((p) => p[0] === k)) unsupported("keyword-argument", { function: fn, keyword: k });
    if (out.has(k)) invalid("argument-twice", { function: fn, argument: k });
    out.set(k, v);
  }
  for (const [name, dflt] of params) {
    if (out.has(name)) continue;
    if (dflt === undefined) invalid("missing-argument", { function: fn, argument: name });
    out.set(name, dflt);
  }
  return out;
}
