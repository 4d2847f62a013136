/**
 * Binary encoding of bound messages, byte for byte as protoc serializes them
 * (MessageLite::SerializeToString): fields in field-number order, repeated elements in order,
 * `[packed = true]` fields as one length-delimited run (nothing when empty), other repeated
 * fields as one tag per element, and every present singular field written even when it equals
 * its default (proto2 presence).
 *
 * Two passes: `measure` computes every message's and string's length once (kept in arrays in
 * visiting order, with the values it met), then `write` fills ONE preallocated buffer. A
 * Float32Array payload is copied with a single `set` over its bytes, so a 100 MB caffemodel
 * costs one memcpy for its blobs.
 *
 * Floats are converted as protoc's text parser stores them (wire.ts toFloat32), so a bound
 * object holding the doubles written in a prototxt encodes to protoc's bytes.
 */
import type { BoundMessage } from "./bind.js";
import { Op, messageCodec, step, type FieldCodec, type KeyNode, type MessageCodec } from "./encode-codec.js";
import type { MessageInfo } from "./load.js";
import { ByteWriter, enumNumber, zigzag32 } from "./byte-writer.js";
import { LITTLE_ENDIAN, splitInt64, splitZigzag64, utf8Length, varint32Size, varint64Size, type Int64Parts } from "./wire.js";

/**
 * Serializes `obj` as message `info`. The object must be in the bound form (see bind.ts); a value
 * of the wrong type for its field (e.g. an enum name the schema lacks) is a bug in the caller
 * and throws.
 */
export function encodeMessage(info: MessageInfo, obj: BoundMessage): Uint8Array {
  const plan: Plan = { lengths: new Int32Array(1024), lengthCount: 0, nodes: [], bases: [], values: [] };
  const total = measureMessage(messageCodec(info), obj, plan);
  const writer = new Writer(total, plan);
  writer.message();
  if (writer.pos !== total) throw new Error(`encode: wrote ${writer.pos} bytes, measured ${total}`);
  return writer.buf;
}

/**
 * What the measuring pass leaves for the writing pass, each list in the order the writer meets
 * things: the byte length of every nested message and string; for every message its trie node
 * (its fields in number order) and where its values start; the values of the schema fields of
 * every message, in the object's key order.
 */
interface Plan {
  /** Grown by doubling; a typed array keeps a million lengths out of the garbage collector's way. */
  lengths: Int32Array;
  lengthCount: number;
  nodes: KeyNode[];
  bases: number[];
  values: unknown[];
}

/** Appends a length (or a placeholder for one) and returns its slot. */
function pushLength(plan: Plan, n: number): number {
  if (plan.lengthCount === plan.lengths.length) {
    const grown = new Int32Array(plan.lengths.length * 2);
    grown.set(plan.lengths);
    plan.lengths = grown;
  }
  plan.lengths[plan.lengthCount] = n;
  return plan.lengthCount++;
}

const parts: Int64Parts = { lo: 0, hi: 0 };

/** Size of the body of a message; records its plan and those of nested messages. */
function measureMessage(codec: MessageCodec, obj: BoundMessage, plan: Plan): number {
  const values = plan.values;
  const base = values.length;
  let node = codec.root;
  // Keys in the object's own order: V8 reads obj[key] inside for-in from its enum cache.
  for (const key in obj) {
    node = step(codec, node, key);
    if (node.codec) values.push(obj[key]);
  }
  plan.nodes.push(node);
  plan.bases.push(base);
  const sorted = node.sorted;
  const order = node.order;
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i]!;
    const value = values[base + order[i]!];
    if (value === undefined || value === null) continue;
    if (!f.repeated) {
      n += f.tagLength + measureValue(f, value, plan);
      continue;
    }
    const list = value as ArrayLike<unknown>;
    if (list.length === 0) continue;
    if (f.packed) {
      const payload = packedPayloadSize(f, list);
      n += f.tagLength + varint32Size(payload) + payload;
      continue;
    }
    for (let j = 0; j < list.length; j++) n += f.tagLength + measureValue(f, list[j], plan);
  }
  return n;
}

/** Size of one value without its tag (length prefix included for length-delimited kinds). */
function measureValue(f: FieldCodec, value: unknown, plan: Plan): number {
  switch (f.op) {
    case Op.Message: {
      const slot = pushLength(plan, 0);
      const size = measureMessage(f.message!, value as BoundMessage, plan);
      plan.lengths[slot] = size;
      return varint32Size(size) + size;
    }
    case Op.String:
    case Op.Bytes: {
      const len = typeof value === "string" ? utf8Length(value) : (value as Uint8Array).length;
      pushLength(plan, len);
      return varint32Size(len) + len;
    }
    default:
      return scalarSize(f, value);
  }
}

/** Size of a packed run's payload. */
function packedPayloadSize(f: FieldCodec, list: ArrayLike<unknown>): number {
  if (f.width) return f.width * list.length;
  let n = 0;
  for (let i = 0; i < list.length; i++) n += scalarSize(f, list[i]);
  return n;
}

/** Size of a numeric, bool or enum value on the wire. */
function scalarSize(f: FieldCodec, value: unknown): number {
  switch (f.op) {
    case Op.Bool:
      return 1;
    case Op.Int32:
    case Op.Enum: {
      // Negative int32 and enum values are sign-extended to 64 bits: ten bytes, as protoc writes them.
      const n = f.op === Op.Enum ? enumNumber(f, value) : Number(value);
      return n < 0 ? 10 : varint32Size(n);
    }
    case Op.Uint32:
      return varint32Size(Number(value));
    case Op.Sint32:
      return varint32Size(zigzag32(Number(value)));
    case Op.Int64:
    case Op.Uint64:
      splitInt64(value as number | bigint, parts);
      return varint64Size(parts.lo, parts.hi);
    case Op.Sint64:
      splitZigzag64(value as number | bigint, parts);
      return varint64Size(parts.lo, parts.hi);
    default:
      return f.width;
  }
}

/** Fills one preallocated buffer, following the plan of the measuring pass in the same order. */
class Writer extends ByteWriter {
  private nextNode = 0;
  private nextLength = 0;

  constructor(
    total: number,
    private readonly plan: Plan,
  ) {
    super(total);
  }

  message(): void {
    const node = this.plan.nodes[this.nextNode]!;
    const base = this.plan.bases[this.nextNode++]!;
    const values = this.plan.values;
    const sorted = node.sorted;
    const order = node.order;
    for (let i = 0; i < sorted.length; i++) {
      const f = sorted[i]!;
      const value = values[base + order[i]!];
      if (value === undefined || value === null) continue;
      if (!f.repeated) {
        this.varint32(f.tag);
        this.value(f, value);
        continue;
      }
      const list = value as ArrayLike<unknown>;
      if (list.length === 0) continue;
      if (f.packed) {
        this.packed(f, list);
        continue;
      }
      for (let j = 0; j < list.length; j++) {
        this.varint32(f.tag);
        this.value(f, list[j]);
      }
    }
  }

  private packed(f: FieldCodec, list: ArrayLike<unknown>): void {
    this.varint32(f.tag);
    this.varint32(packedPayloadSize(f, list));
    const typed = f.op === Op.Float ? list instanceof Float32Array : f.op === Op.Double && list instanceof Float64Array;
    if (LITTLE_ENDIAN && typed) {
      // The wire format is little-endian IEEE 754, the typed array's own layout: one memcpy.
      const bytes = list as Float32Array | Float64Array;
      this.bytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return;
    }
    for (let i = 0; i < list.length; i++) this.scalar(f, list[i]);
  }

  private value(f: FieldCodec, value: unknown): void {
    switch (f.op) {
      case Op.Message:
        this.varint32(this.plan.lengths[this.nextLength++]!);
        this.message();
        return;
      case Op.String:
      case Op.Bytes: {
        const len = this.plan.lengths[this.nextLength++]!;
        this.varint32(len);
        if (typeof value === "string") this.string(value, len);
        else this.bytes(value as Uint8Array);
        return;
      }
      default:
        this.scalar(f, value);
    }
  }
}
