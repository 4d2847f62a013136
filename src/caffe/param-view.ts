import type { SourceMap } from "../schema/locations.js";
import { rangeOf as nodeRange, valuesOf, type FieldNode, type Value } from "../textproto/tree.js";

/**
 * A uniform read-only view over a parameter message that may mix fields the schema knows (bound
 * into the plain object) and fields it does not (kept as raw syntax by the lenient reader). Fork
 * layers need both: NVCaffe writes `scale_bias: true` inside the known `batch_norm_param`, and the
 * SegNet/PSPNet forks write a whole `bn_param { … }` that BVLC's schema has never had.
 *
 * The last occurrence of a singular field wins, as protobuf's text parser does for a repeated
 * occurrence of a singular field.
 */
export interface ParamView {
  /** Names of every field present (known and unknown). */
  names(): string[];
  has(name: string): boolean;
  number(name: string): number | undefined;
  /** Every value of a repeated numeric field, in order (all occurrences, lists expanded). */
  numbers(name: string): number[];
  bool(name: string): boolean | undefined;
  /** An enum value name or a string value. */
  ident(name: string): string | undefined;
  /** The number an enum value was written as (`normalization: 3`), when it was written as one. */
  enumNumber(name: string): number | undefined;
  message(name: string): ParamView | undefined;
  /** Where the field was written, when known. */
  rangeOf(name: string): { offset: number; length: number } | undefined;
}

type Entry = { kind: "plain"; value: unknown; all: unknown[] } | { kind: "raw"; node: FieldNode; value: Value; all: Value[] };

/** Builds a view over `plain` (a bound message, possibly undefined) plus its unknown fields. */
export function paramView(plain: object | undefined, sourceMap: SourceMap | undefined): ParamView {
  const entries = new Map<string, Entry>();
  if (plain) {
    for (const [key, value] of Object.entries(plain)) {
      const all: unknown[] = Array.isArray(value) ? value : [value];
      const last = all[all.length - 1];
      if (last !== undefined) entries.set(key, { kind: "plain", value: last, all });
    }
    for (const node of sourceMap?.unknownFields(plain) ?? []) addRaw(entries, node);
  }
  const enumNumbers = plain ? sourceMap?.get(plain)?.enumNumbers : undefined;
  return makeView(entries, (name) => (plain ? sourceMap?.rangeOf(plain, name) : undefined), sourceMap, (name) => enumNumbers?.get(name));
}

/** Builds a view over the raw syntax of one unknown field's message value, e.g. a fork `bn_param`. */
export function rawMessageView(fields: readonly FieldNode[]): ParamView {
  const entries = new Map<string, Entry>();
  for (const node of fields) addRaw(entries, node);
  return makeView(entries, (name) => {
    const e = entries.get(name);
    return e?.kind === "raw" ? nodeRange(e.node) : undefined;
  }, undefined);
}

/** The unknown field `name` of `owner` (last occurrence) as a view, if it holds a message. */
export function unknownMessage(owner: object, name: string, sourceMap: SourceMap | undefined): ParamView | undefined {
  const nodes = (sourceMap?.unknownFields(owner) ?? []).filter((n) => n.name === name);
  const node = nodes[nodes.length - 1];
  const values = node ? valuesOf(node) : [];
  const value = values[values.length - 1];
  return value?.kind === "message" ? rawMessageView(value.fields) : undefined;
}

function addRaw(entries: Map<string, Entry>, node: FieldNode): void {
  const values = valuesOf(node);
  const value = values[values.length - 1];
  if (!value) return;
  const previous = entries.get(node.name);
  const all = previous?.kind === "raw" ? [...previous.all, ...values] : [...values];
  entries.set(node.name, { kind: "raw", node, value, all });
}

function makeView(
  entries: Map<string, Entry>,
  range: (name: string) => { offset: number; length: number } | undefined,
  sourceMap: SourceMap | undefined,
  boundEnumNumber: (name: string) => number | undefined = () => undefined,
): ParamView {
  return {
    names: () => [...entries.keys()],
    has: (name) => entries.has(name),
    number(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      if (e.kind === "plain") return typeof e.value === "number" ? e.value : undefined;
      return scalarNumber(e.value);
    },
    numbers(name) {
      const e = entries.get(name);
      if (!e) return [];
      if (e.kind === "plain") return e.all.filter((v): v is number => typeof v === "number");
      const out: number[] = [];
      for (const v of e.all) {
        const n = scalarNumber(v);
        if (n !== undefined) out.push(n);
      }
      return out;
    },
    bool(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      if (e.kind === "plain") return typeof e.value === "boolean" ? e.value : undefined;
      if ((e.value.kind === "identifier" || e.value.kind === "number") && !e.value.negative) return parseBool(e.value.text);
      return undefined;
    },
    ident(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      if (e.kind === "plain") return typeof e.value === "string" ? e.value : undefined;
      if (e.value.kind === "identifier") return e.value.text;
      if (e.value.kind === "string") return e.value.value;
      return undefined;
    },
    enumNumber(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      if (e.kind === "plain") return boundEnumNumber(name);
      return e.value.kind === "number" ? scalarNumber(e.value) : undefined;
    },
    message(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      if (e.kind === "plain") return typeof e.value === "object" && e.value !== null ? paramView(e.value, sourceMap) : undefined;
      return e.value.kind === "message" ? rawMessageView(e.value.fields) : undefined;
    },
    rangeOf: range,
  };
}

/** The number a raw scalar spells, sign included. */
function scalarNumber(v: Value): number | undefined {
  if (v.kind !== "number" && v.kind !== "identifier") return undefined;
  const n = parseNumber(v.text);
  return n === undefined ? undefined : v.negative ? -n : n;
}

/**
 * A number as protobuf's text format writes it: decimal or float syntax, an optional `f`/`F`
 * suffix on floats, `inf`/`nan` identifiers, hexadecimal and octal integers.
 */
export function parseNumber(text: string): number | undefined {
  let t = text.trim();
  let sign = 1;
  if (t.startsWith("-")) {
    sign = -1;
    t = t.slice(1);
  } else if (t.startsWith("+")) t = t.slice(1);
  const lower = t.toLowerCase();
  if (lower === "inf" || lower === "infinity") return sign * Infinity;
  if (lower === "nan") return NaN;
  if (/^0x[0-9a-f]+$/.test(lower)) return sign * parseInt(lower.slice(2), 16);
  if (/^0[0-7]+$/.test(lower)) return sign * parseInt(lower.slice(1), 8);
  const stripped = /[0-9.]f$/.test(lower) && !lower.startsWith("0x") ? lower.slice(0, -1) : lower;
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(stripped)) return undefined;
  return sign * Number(stripped);
}

/** A boolean as protobuf's text format accepts it (`true`, `True`, `t`, `1` and the negatives). */
export function parseBool(text: string): boolean | undefined {
  if (text === "true" || text === "True" || text === "t" || text === "1") return true;
  if (text === "false" || text === "False" || text === "f" || text === "0") return false;
  return undefined;
}
