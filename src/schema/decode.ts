/**
 * Binary decoding of protobuf messages into the bound form (see bind.ts), the inverse of
 * encode.ts, with protoc's acceptance rules (MessageLite::ParseFromString):
 * - repeated numeric fields are accepted both packed and unpacked, whatever the declaration;
 * - a field whose wire type does not match its declaration, an unknown field number, and an
 *   enum number the enum lacks (proto2) are kept aside as unknown fields;
 * - a singular message given twice is merged, a singular scalar given twice keeps the last.
 *
 * Packed float and double runs become Float32Array / Float64Array VIEWS over the input when
 * the payload is aligned (one copy otherwise): a 100 MB caffemodel is never turned into JS
 * numbers. Malformed input never throws: the result carries diagnostics with byte offsets and
 * the part of the message read before the fault.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BoundMessage } from "./bind.js";
import type { FieldInfo, MessageInfo } from "./load.js";
import { ByteReader, DecodeFault } from "./decode-reader.js";
import { LITTLE_ENDIAN, WIRE_TYPE_NAMES, WireType, isPackable, joinInt64, wireTypeOf } from "./wire.js";

/** Options of {@link decodeMessage}. */
export interface DecodeOptions {
  /**
   * How deeply messages (and unknown groups) may nest below the root before the input is
   * refused; protoc's CodedInputStream default recursion limit is 100.
   */
  maxDepth?: number;
  /**
   * The caller gives the bytes up: a packed float/double run at an offset its width does not divide
   * is moved back over its own tag and length (already read) so that it can be viewed, not copied.
   * The bytes are no longer the message afterwards: decode them once.
   */
  alignFloatsInPlace?: boolean;
}

/** A field the schema does not know (or whose wire type or enum number it does not accept). */
export interface UnknownField {
  fieldNumber: number;
  wireType: number;
  /** Byte offset of the field's tag in the input. */
  offset: number;
  /** Bytes from the tag to the end of the value. */
  length: number;
  /** The message object the field was found in, for printers that mention it. */
  parent: BoundMessage;
  /** Full name of that message's type. */
  messageType: string;
}

/** The result of {@link decodeMessage}. */
export interface DecodeResult {
  /** The decoded message; after a fault, everything read before it. */
  message: BoundMessage;
  /**
   * Faults (`truncated-message`, `invalid-wire-type`, `invalid-field-number`,
   * `invalid-packed-length`, `nesting-too-deep`: errors; reading stopped there) and findings
   * (`unknown-field`, `unknown-enum-value`: warnings). Each has `data.offset`, the byte offset.
   */
  diagnostics: Diagnostic[];
  /** Fields skipped as unknown, in input order. */
  unknownFields: UnknownField[];
}

/** protoc's default recursion limit (io::CodedInputStream::default_recursion_limit_). */
export const DEFAULT_MAX_DEPTH = 100;

/** Decodes `bytes` as message `info`. Never throws on malformed input. */
export function decodeMessage(info: MessageInfo, bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  const decoder = new Decoder(bytes, options.maxDepth ?? DEFAULT_MAX_DEPTH, options.alignFloatsInPlace ?? false);
  const message: BoundMessage = {};
  try {
    decoder.message(info, message, bytes.length, 0);
  } catch (e) {
    if (!(e instanceof DecodeFault)) throw e;
    decoder.diagnostics.push(
      diagnostic(e.code, "error", { offset: e.offset, length: Math.max(e.length, 1) }, { offset: e.offset, ...e.data }),
    );
    decoder.finishOpen();
  }
  return { message, diagnostics: decoder.diagnostics, unknownFields: decoder.unknownFields };
}

// ignoreBOM keeps a leading U+FEFF in the string (by default TextDecoder drops it: bytes lost).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class Decoder {
  readonly diagnostics: Diagnostic[] = [];
  readonly unknownFields: UnknownField[] = [];
  private readonly r: ByteReader;
  /** Messages being read, so that a fault still leaves their typed arrays in final form. */
  private readonly open: (MessageInfo | BoundMessage)[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly alignInPlace: boolean,
  ) {
    this.r = new ByteReader(bytes);
  }

  /** Reads fields into `obj` until `end`. */
  message(info: MessageInfo, obj: BoundMessage, end: number, depth: number): void {
    const r = this.r;
    this.open.push(info, obj);
    while (r.pos < end) {
      const start = r.pos;
      const tag = r.varint32(end);
      const fieldNumber = tag >>> 3;
      const wireType = tag & 7;
      if (fieldNumber === 0) throw new DecodeFault("invalid-field-number", start, r.pos - start, { fieldNumber });
      if (wireType > WireType.Fixed32) throw new DecodeFault("invalid-wire-type", start, r.pos - start, { fieldNumber, wireType });
      if (wireType === WireType.EndGroup) throw new DecodeFault("unexpected-end-group", start, r.pos - start, { fieldNumber });
      const field = info.byId.get(fieldNumber);
      if (field && wireType === wireTypeOf(field.kind)) this.field(field, obj, end, depth, start);
      else if (field && wireType === WireType.LengthDelimited && field.repeated && isPackable(field.kind)) {
        this.packed(field, obj, start, end);
      } else this.unknown(info, obj, fieldNumber, wireType, start, end, depth);
    }
    if (r.pos > end) throw new DecodeFault("truncated-message", end, 0, { message: info.fullName });
    finishMessage(info, obj);
    this.open.length -= 2;
  }

  /** After a fault: converts what the open messages gathered, as a normal end would. */
  finishOpen(): void {
    for (let i = 0; i < this.open.length; i += 2) finishMessage(this.open[i] as MessageInfo, this.open[i + 1] as BoundMessage);
    this.open.length = 0;
  }

  private field(field: FieldInfo, obj: BoundMessage, end: number, depth: number, start: number): void {
    const r = this.r;
    if (field.kind === "message") {
      const len = r.length(end);
      if (depth + 1 > this.maxDepth) throw new DecodeFault("nesting-too-deep", start, r.pos - start, { maxDepth: this.maxDepth });
      let child: BoundMessage;
      if (field.repeated) {
        child = {};
        ((obj[field.name] ??= []) as BoundMessage[]).push(child);
      } else {
        // A singular message given twice is merged into the first, as protobuf's parser does.
        child = (obj[field.name] as BoundMessage | undefined) ?? {};
        obj[field.name] = child;
      }
      this.message(field.message!, child, r.pos + len, depth + 1);
      return;
    }
    let value: unknown;
    if (field.kind === "string" || field.kind === "bytes") {
      const len = r.length(end);
      value = field.kind === "bytes" ? copyBytes(this.bytes, r.pos, r.pos + len) : decodeString(this.bytes, r.pos, r.pos + len);
      r.pos += len;
    } else {
      value = this.scalar(field, end);
      if (value === undefined) {
        this.unknownEnum(field, obj, start);
        return;
      }
    }
    if (!field.repeated) {
      obj[field.name] = value;
      return;
    }
    const prev = obj[field.name] as unknown[] | Float32Array | Float64Array | undefined;
    // A typed array from an earlier packed run cannot grow: continue as a plain list, which
    // finishMessage turns back into a typed array.
    const list: unknown[] = prev === undefined ? [] : Array.isArray(prev) ? prev : Array.from(prev);
    list.push(value);
    if (list !== prev) obj[field.name] = list;
  }

  /** One packed run of a repeated numeric field. */
  private packed(field: FieldInfo, obj: BoundMessage, start: number, end: number): void {
    const r = this.r;
    const len = r.length(end);
    const runEnd = r.pos + len;
    if (field.kind === "float" || field.kind === "double") {
      const width = field.kind === "float" ? 4 : 8;
      if (len % width !== 0) throw new DecodeFault("invalid-packed-length", start, runEnd - start, { field: field.name, length: len });
      const run = this.floatRun(field.kind, r.pos, len / width, start);
      r.pos = runEnd;
      // Only fields declared [packed = true] are typed arrays in the bound form.
      appendRun(field, obj, field.packed ? run : Array.from(run));
      return;
    }
    const values: unknown[] = [];
    while (r.pos < runEnd) {
      const at = r.pos;
      const v = this.scalar(field, runEnd);
      if (v === undefined) this.unknownEnum(field, obj, at);
      else values.push(v);
    }
    appendRun(field, obj, values);
  }

  /**
   * A view over the input when aligned and little-endian (the wire's byte order), else a copy —
   * or, with `alignInPlace`, a view of the run moved back to alignment over its tag and length
   * (from `tagAt`), when they are long enough.
   */
  private floatRun(kind: "float" | "double", pos: number, count: number, tagAt: number): Float32Array | Float64Array {
    const width = kind === "float" ? 4 : 8;
    const abs = this.bytes.byteOffset + pos;
    const view = (at: number): Float32Array | Float64Array =>
      kind === "float" ? new Float32Array(this.bytes.buffer, at, count) : new Float64Array(this.bytes.buffer, at, count);
    if (LITTLE_ENDIAN && abs % width === 0) return view(abs);
    const shift = abs % width;
    if (LITTLE_ENDIAN && this.alignInPlace && pos - shift >= tagAt) {
      // Copying within memory already read costs little; a copy to fresh memory costs a page fault per 4 KiB.
      this.bytes.copyWithin(pos - shift, pos, pos + count * width);
      return view(abs - shift);
    }
    const out = kind === "float" ? new Float32Array(count) : new Float64Array(count);
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(this.bytes.subarray(pos, pos + count * width));
    else {
      const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + pos, count * width);
      for (let i = 0; i < count; i++) out[i] = kind === "float" ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    }
    return out;
  }

  /** Reads one numeric/bool/enum value; undefined for an enum number the enum lacks. */
  private scalar(field: FieldInfo, end: number): unknown {
    const r = this.r;
    switch (field.kind) {
      case "float":
        return r.float32(end);
      case "double":
        return r.float64(end);
      case "fixed32":
        return r.fixed32(end);
      case "sfixed32":
        return r.fixed32(end) | 0;
      case "fixed64":
      case "sfixed64": {
        const lo = r.fixed32(end);
        const hi = r.fixed32(end);
        return joinInt64(lo, hi, field.kind === "sfixed64");
      }
      case "bool":
        r.varint64(end);
        return r.lo !== 0 || r.hi !== 0;
      case "int32":
        return r.varint32(end) | 0;
      case "uint32":
        return r.varint32(end);
      case "sint32": {
        const z = r.varint32(end);
        return (z >>> 1) ^ -(z & 1);
      }
      case "enum":
        return field.enumInfo!.names.get(r.varint32(end) | 0);
      case "sint64": {
        r.varint64(end);
        const z = (BigInt(r.hi) << 32n) | BigInt(r.lo);
        const n = (z >> 1n) ^ -(z & 1n);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      default:
        r.varint64(end);
        return joinInt64(r.lo, r.hi, field.kind === "int64");
    }
  }

  private unknownEnum(field: FieldInfo, obj: BoundMessage, start: number): void {
    // proto2 keeps an enum number the enum lacks among the unknown fields (as protoc does).
    const length = this.r.pos - start;
    this.unknownFields.push({
      fieldNumber: field.id, wireType: WireType.Varint, offset: start, length, parent: obj, messageType: field.parent.fullName,
    });
    this.diagnostics.push(
      diagnostic("unknown-enum-value", "warning", { offset: start, length }, {
        offset: start, field: field.name, enum: field.enumInfo!.fullName, message: field.parent.fullName,
      }),
    );
  }

  private unknown(info: MessageInfo, obj: BoundMessage, fieldNumber: number, wireType: number, start: number, end: number, depth: number): void {
    this.r.skip(wireType, fieldNumber, end, depth, this.maxDepth, start);
    const length = this.r.pos - start;
    this.unknownFields.push({ fieldNumber, wireType, offset: start, length, parent: obj, messageType: info.fullName });
    this.diagnostics.push(
      diagnostic("unknown-field", "warning", { offset: start, length }, {
        offset: start, fieldNumber, wireType: WIRE_TYPE_NAMES[wireType]!, message: info.fullName,
      }),
    );
  }
}

/**
 * Recently decoded short ASCII strings by a hash of their bytes. Layer, blob and type names
 * repeat throughout a net (every top is someone's bottom); handing out the same string again
 * spares the garbage collector, which dominates decoding a net of 100,000 layers.
 */
const internTable: (string | undefined)[] = new Array(4096).fill(undefined);
/** Argument arrays for String.fromCharCode, one per length (no subarray, no resizing). */
const CODES: number[][] = Array.from({ length: 65 }, (_, n) => new Array(n).fill(0));

/** A JS string when bytes[start, end) are valid UTF-8, else those bytes (a copy). */
function decodeString(bytes: Uint8Array, start: number, end: number): string | Uint8Array {
  const n = end - start;
  if (n <= 64) {
    let h = 0x811c9dc5;
    let ascii = true;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) ascii = false;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (ascii) {
      const slot = (h >>> 0) & 4095;
      const cached = internTable[slot];
      if (cached !== undefined && cached.length === n && sameAscii(cached, bytes, start)) return cached;
      const codes = CODES[n]!;
      for (let i = 0; i < n; i++) codes[i] = bytes[start + i]!;
      const s = String.fromCharCode.apply(null, codes);
      internTable[slot] = s;
      return s;
    }
  }
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    return copyBytes(bytes, start, end);
  }
}

/**
 * A plain Uint8Array copy of bytes[start, end). Not `bytes.slice`: on a Node Buffer (what
 * readFileSync returns) that is a view, which would keep the whole file alive.
 */
function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

function sameAscii(s: string, bytes: Uint8Array, start: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

/** Appends a packed run to whatever the field holds (a later run of the same field continues it). */
function appendRun(field: FieldInfo, obj: BoundMessage, run: unknown[] | Float32Array | Float64Array): void {
  const prev = obj[field.name] as unknown[] | Float32Array | Float64Array | undefined;
  if (prev === undefined || prev.length === 0) {
    obj[field.name] = run;
    return;
  }
  // A second run: continue as a plain list (finishMessage makes it a typed array again). Joining
  // typed arrays run by run would copy everything read so far at each run: quadratic in a file
  // that splits a blob into a million one-value runs.
  const list = Array.isArray(prev) ? prev : Array.from(prev);
  for (let i = 0; i < run.length; i++) list.push(run[i]);
  obj[field.name] = list;
}

/** Packed float/double fields end as typed arrays however their elements arrived. */
function finishMessage(info: MessageInfo, obj: BoundMessage): void {
  for (const field of typedFields(info)) {
    const v = obj[field.name];
    if (Array.isArray(v)) obj[field.name] = field.kind === "float" ? Float32Array.from(v as number[]) : Float64Array.from(v as number[]);
  }
}

const typedFieldCache = new WeakMap<MessageInfo, FieldInfo[]>();

/** The packed float/double fields of a message (BlobProto's data, diff, double_data, double_diff). */
function typedFields(info: MessageInfo): FieldInfo[] {
  let list = typedFieldCache.get(info);
  if (!list) {
    list = info.ordered.filter((f) => f.packed && (f.kind === "float" || f.kind === "double"));
    typedFieldCache.set(info, list);
  }
  return list;
}
