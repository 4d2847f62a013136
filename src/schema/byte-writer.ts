/**
 * Writing protobuf wire values into one byte buffer, shared by the two encoders: encode.ts
 * (bound objects, measured first, so its buffer is exact) and encode-sink.ts (bytes written
 * while parsing, so its buffer grows). Callers make room first (`ensure`); the write methods
 * themselves never check, which keeps them small enough to inline.
 */
import { Op, type FieldCodec } from "./encode-codec.js";
import { splitInt64, splitZigzag64, toFloat32, type Int64Parts } from "./wire.js";

const parts: Int64Parts = { lo: 0, hi: 0 };
const encoder = new TextEncoder();

/** A byte buffer with a write position and the protobuf value writers. */
export class ByteWriter {
  buf: Uint8Array;
  /** A view of `buf` (replaced with it when the buffer grows). */
  view: DataView;
  pos = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes (doubling, so appends stay amortised O(1)). */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Writes a string's UTF-8 bytes, `len` of them (measured by the caller with utf8Length). */
  string(s: string, len: number): void {
    if (len === s.length && len < 64) {
      // ASCII: a short loop beats encodeInto's call overhead for the names that dominate nets.
      const buf = this.buf;
      const p = this.pos;
      for (let i = 0; i < len; i++) buf[p + i] = s.charCodeAt(i);
    } else {
      encoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + len));
    }
    this.pos += len;
  }

  /** Writes raw bytes. */
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes a numeric, bool or enum value of `f` without its tag (at most 10 bytes). */
  scalar(f: FieldCodec, value: unknown): void {
    switch (f.op) {
      case Op.Float:
        this.view.setFloat32(this.pos, toFloat32(value as number), true);
        this.pos += 4;
        return;
      case Op.Double:
        this.view.setFloat64(this.pos, value as number, true);
        this.pos += 8;
        return;
      case Op.Fixed32:
        this.view.setUint32(this.pos, Number(value) >>> 0, true);
        this.pos += 4;
        return;
      case Op.Sfixed32:
        this.view.setInt32(this.pos, Number(value) | 0, true);
        this.pos += 4;
        return;
      case Op.Fixed64:
      case Op.Sfixed64:
        splitInt64(value as number | bigint, parts);
        this.view.setUint32(this.pos, parts.lo, true);
        this.view.setUint32(this.pos + 4, parts.hi, true);
        this.pos += 8;
        return;
      case Op.Bool:
        this.buf[this.pos++] = value ? 1 : 0;
        return;
      case Op.Uint32:
        this.varint32(Number(value));
        return;
      case Op.Sint32:
        this.varint32(zigzag32(Number(value)));
        return;
      case Op.Sint64:
        splitZigzag64(value as number | bigint, parts);
        this.varint64(parts.lo, parts.hi);
        return;
      case Op.Int32:
      case Op.Enum:
        this.int32(f.op === Op.Enum ? enumNumber(f, value) : Number(value));
        return;
      default:
        // int64, uint64
        splitInt64(value as number | bigint, parts);
        this.varint64(parts.lo, parts.hi);
    }
  }

  /** An int32 or enum value: negative ones are sign-extended to ten bytes, as protoc writes them. */
  int32(n: number): void {
    if (n >= 0) this.varint32(n);
    else this.varint64(n >>> 0, 0xffffffff);
  }

  /** A varint of an unsigned 32-bit value. */
  varint32(v: number): void {
    v >>>= 0;
    const buf = this.buf;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** A varint of the 64-bit value whose unsigned halves are `lo` and `hi`. */
  varint64(lo: number, hi: number): void {
    if (hi === 0) {
      this.varint32(lo);
      return;
    }
    const buf = this.buf;
    // Four full groups of seven bits from lo, then one group mixing lo's top 4 bits with hi's low 3.
    for (let i = 0; i < 4; i++) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    let v = (lo | (hi << 4)) & 0x7f;
    hi >>>= 3;
    while (hi > 0) {
      buf[this.pos++] = v | 0x80;
      v = hi & 0x7f;
      hi >>>= 7;
    }
    buf[this.pos++] = v;
  }
}

/** sint32's zigzag mapping: small magnitudes of either sign get short varints. */
export function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

/** The number of an enum value held as its name (bound form) or already as a number. */
export function enumNumber(f: FieldCodec, value: unknown): number {
  if (typeof value === "number") return value;
  const info = f.field.enumInfo!;
  const n = info.values.get(value as string);
  if (n === undefined) throw new Error(`encode: ${info.fullName} has no value ${String(value)}`);
  return n;
}
