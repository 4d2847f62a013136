/**
 * Bounds-checked reading of wire-format primitives for decode.ts. Every read takes the end of
 * the enclosing message, so a length that runs past its parent is caught where it starts.
 * Faults are thrown as {@link DecodeFault} and turned into diagnostics by decodeMessage; they
 * never reach decodeMessage's caller.
 */
import { WireType } from "./wire.js";

/** A malformed-input fault: a diagnostic code, where it starts, and its data. */
export class DecodeFault extends Error {
  constructor(
    readonly code: string,
    readonly offset: number,
    readonly length: number,
    readonly data: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

/** A cursor over the input bytes. */
export class ByteReader {
  pos = 0;
  /** Halves of the last 64-bit varint read by {@link varint64}. */
  lo = 0;
  hi = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A varint's low 32 bits, unsigned (protobuf reads int32 fields and tags this way too). */
  varint32(end: number): number {
    const bytes = this.bytes;
    let pos = this.pos;
    // The one-byte case covers nearly every tag and length in a net.
    if (pos < end) {
      const b = bytes[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    this.varint64(end);
    return this.lo;
  }

  /** Reads a varint of up to ten bytes into {@link lo}/{@link hi}. */
  varint64(end: number): void {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= end) throw new DecodeFault("truncated-message", start, pos - start, { what: "varint" });
      const b = bytes[pos++]!;
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new DecodeFault("malformed-varint", start, pos - start);
  }

  /** A length prefix, checked against `end`; leaves {@link pos} at the first byte of the value. */
  length(end: number): number {
    const start = this.pos;
    this.varint64(end);
    const len = this.hi === 0 ? this.lo : Infinity;
    if (len > end - this.pos) {
      throw new DecodeFault("truncated-message", start, end - start, { what: "length", length: Number.isFinite(len) ? len : -1 });
    }
    return len;
  }

  fixed32(end: number): number {
    this.need(4, end);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float32(end: number): number {
    this.need(4, end);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float64(end: number): number {
    this.need(8, end);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /**
   * Skips the value of an unknown field. Groups (wire types 3/4, absent from caffe.proto but
   * legal on the wire) are skipped to their matching end tag, nesting counted against `maxDepth`.
   */
  skip(wireType: number, fieldNumber: number, end: number, depth: number, maxDepth: number, tagStart = this.pos): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint64(end);
        return;
      case WireType.Fixed64:
        this.need(8, end);
        this.pos += 8;
        return;
      case WireType.Fixed32:
        this.need(4, end);
        this.pos += 4;
        return;
      case WireType.LengthDelimited: {
        // Not `this.pos += this.length(end)`: that would read pos before length() advances it.
        const len = this.length(end);
        this.pos += len;
        return;
      }
      case WireType.StartGroup:
        this.skipGroup(fieldNumber, end, depth, maxDepth, tagStart);
        return;
      default:
        throw new DecodeFault("invalid-wire-type", this.pos, 1, { fieldNumber, wireType });
    }
  }

  /** Skips a group whose start tag is at `tagStart`; a group crossing `maxDepth` is refused at its tag. */
  private skipGroup(fieldNumber: number, end: number, depth: number, maxDepth: number, tagStart: number): void {
    if (depth + 1 > maxDepth) throw new DecodeFault("nesting-too-deep", tagStart, this.pos - tagStart, { maxDepth });
    const open = [fieldNumber];
    while (open.length > 0) {
      const start = this.pos;
      if (start >= end) throw new DecodeFault("truncated-message", start, 0, { what: "group" });
      const tag = this.varint32(end);
      const number = tag >>> 3;
      const wt = tag & 7;
      if (number === 0) throw new DecodeFault("invalid-field-number", start, this.pos - start, { fieldNumber: 0 });
      if (wt === WireType.StartGroup) {
        if (depth + open.length + 1 > maxDepth) throw new DecodeFault("nesting-too-deep", start, this.pos - start, { maxDepth });
        open.push(number);
      }
      else if (wt === WireType.EndGroup) {
        if (open.pop() !== number) throw new DecodeFault("unexpected-end-group", start, this.pos - start, { fieldNumber: number });
      } else this.skip(wt, number, end, depth, maxDepth, start);
    }
  }

  private need(n: number, end: number): void {
    if (end - this.pos < n) throw new DecodeFault("truncated-message", this.pos, end - this.pos, { what: "fixed", width: n });
  }
}
