import { ScalarKind, type ScalarToken } from "../textproto/sink.js";
import { Op, type FieldCodec } from "./encode-codec.js";
import type { FieldInfo } from "./load.js";

/** A converted scalar, or the code and data of why it could not be converted. */
export type Converted =
  | { ok: true; value: unknown; warning?: { code: string; data: Record<string, string | number> } }
  | { ok: false; code: string; data: Record<string, string | number> };

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const FLOAT32_MAX = 3.4028234663852886e38;
/**
 * protoc's SafeDoubleToFloat treats doubles up to this bound (FLT_MAX rounded up to the next
 * value float printing can produce, "3.4028235e+38") as FLT_MAX, and only larger ones as infinity.
 */
const FLOAT32_MAX_ROUNDED = 3.4028235677973366e38;

/**
 * Converts a scalar token to the value a field holds, with protoc's acceptance rules
 * (TextFormat::Parser::ParserImpl::ConsumeFieldValue): integers in decimal, hex or octal
 * within the type's range; floats only from decimal tokens or inf/nan words; bools as
 * true/false/t/f/True/False/0/1; enums by name or known number; strings only from literals.
 */
export function convertScalar(field: FieldInfo, t: ScalarToken, text: string): Converted {
  const kind = field.kind;
  const raw = (): string => (t.negative ? "-" : "") + text.slice(t.tokenStart, t.end);
  switch (kind) {
    case "string":
    case "bytes": {
      if (t.kind !== ScalarKind.String) return { ok: false, code: "expected-string", data: { found: foundText(t, text) } };
      if (kind === "bytes") return { ok: true, value: t.stringBytes ?? new TextEncoder().encode(t.stringValue) };
      return { ok: true, value: t.stringBytes ?? t.stringValue };
    }
    case "float":
    case "double":
      return convertFloat(kind, t, text, raw);
    case "bool":
      return convertBool(field, t, text, raw);
    case "enum":
      return convertEnum(field, t, text, raw);
    case "message":
      return { ok: false, code: "expected-message", data: { found: foundText(t, text) } };
    default:
      return convertInteger(kind, t, text);
  }
}

/** What protoc prints as "got: …": the token (a lone `-` when the sign is the problem). */
function foundText(t: ScalarToken, text: string): string {
  if (t.kind === ScalarKind.String) return text.slice(t.tokenStart, t.end);
  return text.slice(t.negative ? t.start : t.tokenStart, t.end);
}

/** Parses an unsigned integer token (decimal, 0x hex, 0 octal); null when not an integer token. */
export function parseIntegerToken(token: string): bigint | null {
  if (/^[1-9][0-9]*$|^0$/.test(token)) return BigInt(token);
  if (/^0[xX][0-9a-fA-F]+$/.test(token)) return BigInt(token);
  if (/^0[0-7]+$/.test(token)) return BigInt("0o" + token.slice(1));
  return null;
}

function convertInteger(kind: string, t: ScalarToken, text: string): Converted {
  const token = text.slice(t.tokenStart, t.end);
  if (t.kind !== ScalarKind.Number || t.isFloat) return { ok: false, code: "expected-integer", data: { found: token } };
  const [min, max] = INT_RANGES[kind]!;
  if (t.negative && min === 0n) return { ok: false, code: "expected-integer", data: { found: "-" } };
  // Fast path: short decimal literals (the common case in nets) without BigInt.
  let value: bigint | number;
  if (token.length < 10 && /^(?:0|[1-9][0-9]*)$/.test(token)) {
    const n = Number(token);
    value = t.negative ? -n : n;
    if (value >= Number(min) && value <= Number(max)) return { ok: true, value };
    return { ok: false, code: "integer-out-of-range", data: { value: (t.negative ? "-" : "") + token } };
  }
  const big = parseIntegerToken(token);
  if (big === null) return { ok: false, code: "expected-integer", data: { found: token } };
  const signed = t.negative ? -big : big;
  if (signed < min || signed > max) return { ok: false, code: "integer-out-of-range", data: { value: (t.negative ? "-" : "") + token } };
  value = signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
  return { ok: true, value };
}

function convertFloat(kind: "float" | "double", t: ScalarToken, text: string, raw: () => string): Converted {
  const token = text.slice(t.tokenStart, t.end);
  let value: number;
  if (t.kind === ScalarKind.Number) {
    // protoc refuses hex and octal literals for floating-point fields ("Expect a decimal number").
    if (!t.isFloat && (/^0[xX]/.test(token) || /^0[0-9]/.test(token))) {
      return { ok: false, code: "expected-decimal", data: { found: token } };
    }
    const last = token.charCodeAt(token.length - 1);
    value = Number(last === 102 || last === 70 ? token.slice(0, -1) : token);
  } else if (t.kind === ScalarKind.Identifier) {
    const word = token.toLowerCase();
    if (word === "inf" || word === "infinity") value = Infinity;
    else if (word === "nan") value = NaN;
    else return { ok: false, code: "expected-double", data: { found: token } };
  } else {
    return { ok: false, code: "expected-double", data: { found: foundText(t, text) } };
  }
  if (t.negative) value = -value;
  if (kind === "float" && (value > FLOAT32_MAX || value < -FLOAT32_MAX) && Number.isFinite(value)) {
    // As protoc's SafeDoubleToFloat: up to the rounded FLT_MAX it is FLT_MAX; beyond, protoc
    // accepts it and stores ±infinity. We do the same and say so.
    const magnitude = Math.abs(value);
    if (magnitude <= FLOAT32_MAX_ROUNDED) return { ok: true, value: value < 0 ? -FLOAT32_MAX : FLOAT32_MAX };
    return { ok: true, value: value < 0 ? -Infinity : Infinity, warning: { code: "float-out-of-range", data: { value: raw() } } };
  }
  return { ok: true, value };
}

const TRUE_WORDS = new Set(["true", "t", "True"]);
const FALSE_WORDS = new Set(["false", "f", "False"]);

function convertBool(field: FieldInfo, t: ScalarToken, text: string, raw: () => string): Converted {
  const token = text.slice(t.tokenStart, t.end);
  if (t.kind === ScalarKind.Identifier && !t.negative) {
    if (TRUE_WORDS.has(token)) return { ok: true, value: true };
    if (FALSE_WORDS.has(token)) return { ok: true, value: false };
  }
  if (t.kind === ScalarKind.Number && !t.isFloat && !t.negative) {
    const n = parseIntegerToken(token);
    if (n === 0n) return { ok: true, value: false };
    if (n === 1n) return { ok: true, value: true };
    if (n !== null) return { ok: false, code: "integer-out-of-range", data: { value: token } };
  }
  return { ok: false, code: "invalid-bool", data: { field: field.name, value: t.kind === ScalarKind.String ? t.stringValue : raw() } };
}

function convertEnum(field: FieldInfo, t: ScalarToken, text: string, raw: () => string): Converted {
  const info = field.enumInfo!;
  const token = text.slice(t.tokenStart, t.end);
  if (t.kind === ScalarKind.Identifier && !t.negative) {
    if (info.values.has(token)) return { ok: true, value: token };
    return { ok: false, code: "unknown-enum-value", data: { value: token, field: field.name, enum: info.fullName } };
  }
  if (t.kind === ScalarKind.Number && !t.isFloat) {
    const n = parseIntegerToken(token);
    // protoc reads an enum number as a signed 32-bit integer first (ConsumeSignedInteger).
    if (n === null || n > (t.negative ? 2n ** 31n : 2n ** 31n - 1n)) {
      return { ok: false, code: "integer-out-of-range", data: { value: token } };
    }
    const v = Number(t.negative ? -n : n);
    const name = info.names.get(v);
    if (name !== undefined) return { ok: true, value: name };
    // As protoc words it: the number in decimal (`0x7` is "7").
    return { ok: false, code: "unknown-enum-value", data: { value: String(v), field: field.name, enum: info.fullName } };
  }
  if (t.kind === ScalarKind.Identifier) return { ok: false, code: "expected-integer", data: { found: token } };
  return { ok: false, code: "expected-identifier", data: { found: foundText(t, text) } };
}

const TEN_POWERS = Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO_53 = 9007199254740992;

/**
 * convertScalar's result for the tokens that fill nets (short decimal integers, plain decimal
 * floats, bool words, enum names, strings), computed without slicing or allocating; undefined
 * for anything else, which then goes through convertScalar. Must agree with convertScalar
 * wherever it answers (test/schema/scalars-quick.test.ts checks that on many tokens).
 */
export function quickScalar(f: FieldCodec, t: ScalarToken, text: string): unknown {
  switch (f.op) {
    case Op.String:
      return t.kind === ScalarKind.String ? t.stringBytes ?? t.stringValue : undefined;
    case Op.Float:
    case Op.Double:
      return t.kind === ScalarKind.Number ? quickDecimal(t, text) : undefined;
    case Op.Bool:
      return t.kind === ScalarKind.Identifier && !t.negative ? boolWord(text, t.tokenStart, t.end) : undefined;
    case Op.Enum: {
      if (t.kind !== ScalarKind.Identifier || t.negative) return undefined;
      const name = text.slice(t.tokenStart, t.end);
      return f.field.enumInfo!.values.has(name) ? name : undefined;
    }
    case Op.Message:
    case Op.Bytes:
      return undefined;
    default: {
      // Integers: fewer than 10 decimal digits always fit (|n| < 10^9 < 2^31), so no range check
      // is needed, except for the sign of unsigned kinds (convertScalar reports that).
      if (t.kind !== ScalarKind.Number || t.isFloat) return undefined;
      const start = t.tokenStart;
      const n = t.end - start;
      if (n >= 10 || (n > 1 && text.charCodeAt(start) === 48)) return undefined;
      if (t.negative && (f.op === Op.Uint32 || f.op === Op.Uint64 || f.op === Op.Fixed32 || f.op === Op.Fixed64)) return undefined;
      let v = 0;
      for (let i = start; i < t.end; i++) v = v * 10 + (text.charCodeAt(i) - 48);
      return t.negative ? -v : v;
    }
  }
}

/** `true`/`t`/`True` → true, `false`/`f`/`False` → false (protoc's words); undefined otherwise. */
function boolWord(text: string, start: number, end: number): boolean | undefined {
  const n = end - start;
  const c = text.charCodeAt(start);
  if (n === 1) return c === 116 ? true : c === 102 ? false : undefined;
  if (n === 4 && (c === 116 || c === 84) && text.startsWith("rue", start + 1)) return true;
  if (n === 5 && (c === 102 || c === 70) && text.startsWith("alse", start + 1)) return false;
  return undefined;
}

/**
 * A decimal number token (`12`, `0.5`, `.5`, `5.`, `1e-5`, `2.5f`) read exactly as Number()
 * reads it, when that is a single correctly rounded operation: the digits form an integer below
 * 2^53 and the power of ten is at most 10^22, so `m / 10^k` or `m * 10^k` rounds once, as
 * Number() does (Clinger's fast path). Undefined for other tokens (and for hex or octal, which
 * floating-point fields refuse).
 */
function quickDecimal(t: ScalarToken, text: string): number | undefined {
  let i = t.tokenStart;
  const end = t.end;
  if (!t.isFloat && end - i > 1 && text.charCodeAt(i) === 48) return undefined;
  let m = 0;
  let scale = 0;
  let c = text.charCodeAt(i);
  for (; c >= 48 && c <= 57; c = text.charCodeAt(++i)) m = m * 10 + (c - 48);
  if (c === 46) {
    for (c = text.charCodeAt(++i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
      m = m * 10 + (c - 48);
      scale--;
    }
  }
  if (m >= TWO_53) return undefined;
  if (c === 101 || c === 69) {
    c = text.charCodeAt(++i);
    const minus = c === 45;
    if (minus || c === 43) c = text.charCodeAt(++i);
    let e = 0;
    for (; c >= 48 && c <= 57 && e < 1000; c = text.charCodeAt(++i)) e = e * 10 + (c - 48);
    scale += minus ? -e : e;
  }
  if (c === 102 || c === 70) i++;
  if (i !== end || scale < -22 || scale > 22) return undefined;
  // Both operands are exact doubles, so the one IEEE operation rounds the exact decimal value.
  const v = scale < 0 ? m / TEN_POWERS[-scale]! : m * TEN_POWERS[scale]!;
  return t.negative ? -v : v;
}
