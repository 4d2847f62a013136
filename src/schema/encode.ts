/**
 * Binary encoding of bound messages, byte for byte as protoc serializes them
 * (MessageLite::SerializeToString): fields in field-number order, repeated elements in order,
 * `[packed = true]` fields as one length-delimited run (nothing when empty), other repeated
 * fields as one tag per element, and every present singular field written even when it equals
 * its default (proto2 presence).
 *
 * Two passes: `measure` computes every message's size once (kept in an array in visiting
 * order), then `write` fills ONE preallocated buffer. A Float32Array payload is copied with a
 * single `set` over its bytes, so a 100 MB caffemodel costs one memcpy for its blobs.
 */
import type { BoundMessage } from "./bind.js";
import type { FieldInfo, MessageInfo } from "./load.js";
import {
  LITTLE_ENDIAN,
  WireType,
  fixedWidthOf,
  splitInt64,
  splitZigzag64,
  tagSize,
  toFloat32,
  utf8Length,
  varint32Size,
  varint64Size,
  wireTypeOf,
  type Int64Parts,
} from "./wire.js";

/**
 * Serializes `obj` as message `info`. The object must be in the bound form (see bind.ts); a value
 * of the wrong type for its field (e.g. an enum name the schema lacks) is a bug in the caller
 * and throws.
 */
export function encodeMessage(info: MessageInfo, obj: BoundMessage): Uint8Array {
  const sizes: number[] = [];
  const total = measureMessage(info, obj, sizes);
  const writer = new Writer(total, sizes);
  writer.message(info, obj);
  if (writer.pos !== total) throw new Error(`encode: wrote ${writer.pos} bytes, measured ${total}`);
  return writer.buf;
}

const parts: Int64Parts = { lo: 0, hi: 0 };
const encoder = new TextEncoder();

/** Size of the body of a message; pushes the size of every nested message in visiting order. */
function measureMessage(info: MessageInfo, obj: BoundMessage, sizes: number[]): number {
  let n = 0;
  for (const field of info.ordered) {
    const value = obj[field.name];
    if (value === undefined || value === null) continue;
    if (!field.repeated) {
      n += tagSize(field.id) + measureValue(field, value, sizes);
      continue;
    }
    const list = value as ArrayLike<unknown>;
    if (list.length === 0) continue;
    if (field.packed) {
      const payload = packedPayloadSize(field, list);
      n += tagSize(field.id) + varint32Size(payload) + payload;
      continue;
    }
    const tag = tagSize(field.id);
    for (let i = 0; i < list.length; i++) n += tag + measureValue(field, list[i], sizes);
  }
  return n;
}

/** Size of one value without its tag (length prefix included for length-delimited kinds). */
function measureValue(field: FieldInfo, value: unknown, sizes: number[]): number {
  switch (field.kind) {
    case "message": {
      const slot = sizes.length;
      sizes.push(0);
      const size = measureMessage(field.message!, value as BoundMessage, sizes);
      sizes[slot] = size;
      return varint32Size(size) + size;
    }
    case "string":
    case "bytes": {
      const len = typeof value === "string" ? utf8Length(value) : (value as Uint8Array).length;
      return varint32Size(len) + len;
    }
    default:
      return scalarSize(field, value);
  }
}

/** Size of a packed run's payload. */
function packedPayloadSize(field: FieldInfo, list: ArrayLike<unknown>): number {
  const width = fixedWidthOf(field.kind);
  if (width) return width * list.length;
  let n = 0;
  for (let i = 0; i < list.length; i++) n += scalarSize(field, list[i]);
  return n;
}

/** Size of a numeric, bool or enum value on the wire. */
function scalarSize(field: FieldInfo, value: unknown): number {
  switch (field.kind) {
    case "float":
    case "fixed32":
    case "sfixed32":
      return 4;
    case "double":
    case "fixed64":
    case "sfixed64":
      return 8;
    case "bool":
      return 1;
    case "uint32":
      return varint32Size(Number(value));
    case "sint32":
      return varint32Size(zigzag32(Number(value)));
    case "sint64":
      splitZigzag64(value as number | bigint, parts);
      return varint64Size(parts.lo, parts.hi);
    case "enum":
    case "int32": {
      // Negative int32 and enum values are sign-extended to 64 bits: ten bytes, as protoc writes them.
      const n = field.kind === "enum" ? enumNumber(field, value) : Number(value);
      return n < 0 ? 10 : varint32Size(n);
    }
    default:
      // int64, uint64
      splitInt64(value as number | bigint, parts);
      return varint64Size(parts.lo, parts.hi);
  }
}

function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

function enumNumber(field: FieldInfo, value: unknown): number {
  if (typeof value === "number") return value;
  const n = field.enumInfo!.values.get(value as string);
  if (n === undefined) throw new Error(`encode: ${field.enumInfo!.fullName} has no value ${String(value)}`);
  return n;
}

/** Fills one preallocated buffer; `sizes` comes from the measuring pass, consumed in the same order. */
class Writer {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  pos = 0;
  private next = 0;

  constructor(
    total: number,
    private readonly sizes: number[],
  ) {
    this.buf = new Uint8Array(total);
    this.view = new DataView(this.buf.buffer);
  }

  message(info: MessageInfo, obj: BoundMessage): void {
    for (const field of info.ordered) {
      const value = obj[field.name];
      if (value === undefined || value === null) continue;
      if (!field.repeated) {
        this.tag(field.id, wireTypeOf(field.kind));
        this.value(field, value);
        continue;
      }
      const list = value as ArrayLike<unknown>;
      if (list.length === 0) continue;
      if (field.packed) {
        this.packed(field, list);
        continue;
      }
      const wt = wireTypeOf(field.kind);
      for (let i = 0; i < list.length; i++) {
        this.tag(field.id, wt);
        this.value(field, list[i]);
      }
    }
  }

  private packed(field: FieldInfo, list: ArrayLike<unknown>): void {
    this.tag(field.id, WireType.LengthDelimited);
    this.varint32(packedPayloadSize(field, list));
    if (LITTLE_ENDIAN && (list instanceof Float32Array || list instanceof Float64Array)) {
      const sameKind = field.kind === "float" ? list instanceof Float32Array : field.kind === "double" && list instanceof Float64Array;
      if (sameKind) {
        // The wire format is little-endian IEEE 754, the typed array's own layout: one memcpy.
        this.buf.set(new Uint8Array(list.buffer, list.byteOffset, list.byteLength), this.pos);
        this.pos += list.byteLength;
        return;
      }
    }
    for (let i = 0; i < list.length; i++) this.scalar(field, list[i]);
  }

  private value(field: FieldInfo, value: unknown): void {
    switch (field.kind) {
      case "message": {
        this.varint32(this.sizes[this.next++]!);
        this.message(field.message!, value as BoundMessage);
        return;
      }
      case "string":
      case "bytes":
        if (typeof value === "string") this.string(value);
        else {
          const bytes = value as Uint8Array;
          this.varint32(bytes.length);
          this.buf.set(bytes, this.pos);
          this.pos += bytes.length;
        }
        return;
      default:
        this.scalar(field, value);
    }
  }

  private string(s: string): void {
    const len = utf8Length(s);
    this.varint32(len);
    if (len === s.length && len < 64) {
      // ASCII: a short loop beats encodeInto's call overhead for the names that dominate nets.
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < len; i++) buf[p++] = s.charCodeAt(i);
    } else {
      encoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + len));
    }
    this.pos += len;
  }

  private scalar(field: FieldInfo, value: unknown): void {
    switch (field.kind) {
      case "float":
        this.view.setFloat32(this.pos, toFloat32(value as number), true);
        this.pos += 4;
        return;
      case "double":
        this.view.setFloat64(this.pos, value as number, true);
        this.pos += 8;
        return;
      case "fixed32":
        this.view.setUint32(this.pos, Number(value) >>> 0, true);
        this.pos += 4;
        return;
      case "sfixed32":
        this.view.setInt32(this.pos, Number(value) | 0, true);
        this.pos += 4;
        return;
      case "fixed64":
      case "sfixed64":
        splitInt64(value as number | bigint, parts);
        this.view.setUint32(this.pos, parts.lo, true);
        this.view.setUint32(this.pos + 4, parts.hi, true);
        this.pos += 8;
        return;
      case "bool":
        this.buf[this.pos++] = value ? 1 : 0;
        return;
      case "uint32":
        this.varint32(Number(value));
        return;
      case "sint32":
        this.varint32(zigzag32(Number(value)));
        return;
      case "sint64":
        splitZigzag64(value as number | bigint, parts);
        this.varint64(parts.lo, parts.hi);
        return;
      case "enum":
      case "int32": {
        const n = field.kind === "enum" ? enumNumber(field, value) : Number(value);
        if (n >= 0) this.varint32(n);
        else this.varint64(n >>> 0, 0xffffffff);
        return;
      }
      default:
        splitInt64(value as number | bigint, parts);
        this.varint64(parts.lo, parts.hi);
    }
  }

  private tag(id: number, wireType: number): void {
    this.varint32(((id << 3) | wireType) >>> 0);
  }

  private varint32(v: number): void {
    v >>>= 0;
    const buf = this.buf;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  private varint64(lo: number, hi: number): void {
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
