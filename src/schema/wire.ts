/**
 * Shared facts of the protobuf binary wire format used by encode.ts and decode.ts: wire types,
 * which wire type each field kind uses, varint sizes, UTF-8 lengths and protoc's float conversion.
 */
import type { FieldInfo } from "./load.js";

/** Wire types (the low three bits of a tag), as in protobuf's wire_format_lite.h. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/** Names of the wire types, for diagnostics and comments. */
export const WIRE_TYPE_NAMES = ["varint", "fixed64", "length-delimited", "start-group", "end-group", "fixed32"];

/** The wire type a field's elements use when not packed. */
export function wireTypeOf(kind: FieldInfo["kind"]): number {
  switch (kind) {
    case "double":
    case "fixed64":
    case "sfixed64":
      return WireType.Fixed64;
    case "float":
    case "fixed32":
    case "sfixed32":
      return WireType.Fixed32;
    case "string":
    case "bytes":
    case "message":
      return WireType.LengthDelimited;
    default:
      return WireType.Varint;
  }
}

/** True for the kinds that may be packed (numeric scalars, bools, enums). */
export function isPackable(kind: FieldInfo["kind"]): boolean {
  return kind !== "string" && kind !== "bytes" && kind !== "message";
}

/** Bytes of a varint holding an unsigned 32-bit value. */
export function varint32Size(v: number): number {
  v >>>= 0;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Bytes of a varint holding the 64-bit value whose halves are `lo` and `hi` (unsigned 32-bit each). */
export function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  // 32 bits of lo are 4 full groups plus 4 bits; hi adds groups of 7 from bit 35 on.
  if (hi < 0x8) return 5;
  if (hi < 0x400) return 6;
  if (hi < 0x20000) return 7;
  if (hi < 0x1000000) return 8;
  if (hi < 0x80000000) return 9;
  return 10;
}

/** Bytes of a tag for `fieldNumber`. */
export function tagSize(fieldNumber: number): number {
  return varint32Size(fieldNumber << 3);
}

const TWO_32 = 4294967296;

/**
 * Splits an integer (number or bigint, possibly negative) into the unsigned halves of its 64-bit
 * two's complement, the way protobuf serializes int64/uint64 (and int32 sign-extended).
 * Writes into `out` to avoid allocating per value.
 */
export function splitInt64(value: number | bigint, out: Int64Parts): void {
  if (typeof value === "bigint") {
    const u = BigInt.asUintN(64, value);
    out.lo = Number(u & 0xffffffffn);
    out.hi = Number(u >> 32n);
    return;
  }
  if (value >= 0) {
    out.lo = value >>> 0;
    out.hi = Math.floor(value / TWO_32) >>> 0;
    return;
  }
  // Two's complement of |value|: invert and add one across the two halves.
  const abs = -value;
  let lo = ~(abs >>> 0) >>> 0;
  let hi = ~(Math.floor(abs / TWO_32) >>> 0) >>> 0;
  lo = (lo + 1) >>> 0;
  if (lo === 0) hi = (hi + 1) >>> 0;
  out.lo = lo;
  out.hi = hi;
}

/** Mutable pair of unsigned 32-bit halves of a 64-bit integer. */
export interface Int64Parts {
  lo: number;
  hi: number;
}

/** Splits a 64-bit value after sint64 zigzag encoding ((n << 1) ^ (n >> 63)). */
export function splitZigzag64(value: number | bigint, out: Int64Parts): void {
  const n = BigInt.asIntN(64, BigInt(value));
  const z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  out.lo = Number(z & 0xffffffffn);
  out.hi = Number(z >> 32n);
}

/** Joins unsigned halves into a number when exactly representable, else a bigint (signed or unsigned). */
export function joinInt64(lo: number, hi: number, signed: boolean): number | bigint {
  if (signed && hi & 0x80000000) {
    // Negative: the magnitude is the two's complement; safe when it fits in 53 bits.
    const mlo = (~lo + 1) >>> 0;
    const mhi = (~hi + (mlo === 0 ? 1 : 0)) >>> 0;
    if (mhi < 0x200000) return -(mhi * TWO_32 + mlo);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }
  if (hi < 0x200000) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * UTF-8 length of a JS string as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes).
 */
export function utf8Length(s: string): number {
  // Names in nets are ASCII; the regex engine scans for anything else faster than a JS loop.
  if (!NON_ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const FLT_MAX = 3.4028234663852886e38;
/** Half-way between FLT_MAX and 2^128, as a double: protobuf's MAX_FLOAT_AS_DOUBLE_ROUNDED. */
const FLT_MAX_ROUNDED = 3.4028235677973366e38;

/**
 * Converts a double to the float32 value protoc stores, as protobuf's io::SafeDoubleToFloat
 * (3.21) does: values above FLT_MAX up to and including 3.4028235677973366e38 become FLT_MAX
 * (so that "3.4028235e+38", which protoc itself prints for FLT_MAX, reads back), beyond that
 * ±infinity; everything else rounds to nearest like `static_cast<float>`.
 * Math.fround alone would turn exactly 3.4028235677973366e38 into infinity.
 */
export function toFloat32(v: number): number {
  if (v > FLT_MAX) return v > FLT_MAX_ROUNDED ? Infinity : FLT_MAX;
  if (v < -FLT_MAX) return v < -FLT_MAX_ROUNDED ? -Infinity : -FLT_MAX;
  return Math.fround(v);
}

/** True on little-endian hosts, where a Float32Array over wire bytes reads them as they are. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
