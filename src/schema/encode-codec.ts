/**
 * Per-type tables for encode.ts (and print.ts), built once per message type from the schema:
 * each field's operation as a small integer, its tag precomputed, and a trie from the key
 * sequences of bound objects to their fields in field-number order. Encoding a 20 MB net
 * visits ~10^6 fields; monomorphic table entries and integer switches keep each visit cheap.
 */
import { internalized } from "../textproto/chars.js";
import type { FieldInfo, MessageInfo } from "./load.js";
import { WireType, tagSize, wireTypeOf } from "./wire.js";

/** How a field's values are written. */
export const enum Op {
  Message,
  String,
  Bytes,
  Float,
  Double,
  Fixed32,
  Sfixed32,
  Fixed64,
  Sfixed64,
  Bool,
  Int32,
  Uint32,
  Sint32,
  Int64,
  Uint64,
  Sint64,
  Enum,
}

const OPS: Record<FieldInfo["kind"], Op> = {
  message: Op.Message,
  string: Op.String,
  bytes: Op.Bytes,
  float: Op.Float,
  double: Op.Double,
  fixed32: Op.Fixed32,
  sfixed32: Op.Sfixed32,
  fixed64: Op.Fixed64,
  sfixed64: Op.Sfixed64,
  bool: Op.Bool,
  int32: Op.Int32,
  uint32: Op.Uint32,
  sint32: Op.Sint32,
  int64: Op.Int64,
  uint64: Op.Uint64,
  sint64: Op.Sint64,
  enum: Op.Enum,
};

/** One field, ready for writing. */
export interface FieldCodec {
  field: FieldInfo;
  op: Op;
  repeated: boolean;
  packed: boolean;
  /** The tag of one element (for packed fields: of the run), and its size in bytes. */
  tag: number;
  tagLength: number;
  /** Bytes per element when the wire width is fixed (4 or 8), else 0. */
  width: number;
  /** For messages: the nested type's codec (built on first use). */
  message: MessageCodec | undefined;
  /** Position of the field in its message's `ordered` list (a small dense index). */
  index: number;
  /**
   * For messages written while parsing (encode-sink.ts): how many bytes to reserve for the
   * length prefix, learnt from the last value of this field (sibling layers are alike in size).
   */
  prefixHint: number;
}

/** A node of the trie of key sequences: the codecs of the schema keys met on the way, sorted. */
export interface KeyNode {
  /** The first key seen after this node and its node: nearly always the one met again. */
  firstKey: string | undefined;
  firstNext: KeyNode | undefined;
  next: Map<string, KeyNode>;
  /** The codec of the key that led here, or undefined for a key the schema lacks. */
  codec: FieldCodec | undefined;
  /** Codecs of the schema keys leading here, in field-number order. */
  sorted: FieldCodec[];
  /** For each sorted codec, the position of its key among the schema keys in key order. */
  order: number[];
}

/** One message type. */
export interface MessageCodec {
  info: MessageInfo;
  byName: Map<string, FieldCodec>;
  root: KeyNode;
  nodes: number;
}

/** Bound on trie nodes per message type, so that odd inputs cannot grow it without limit. */
const MAX_TRIE_NODES = 4096;
const codecs = new WeakMap<MessageInfo, MessageCodec>();

/** The codec of a message type (cached). */
export function messageCodec(info: MessageInfo): MessageCodec {
  let codec = codecs.get(info);
  if (codec) return codec;
  const byName = new Map<string, FieldCodec>();
  for (const [index, field] of info.ordered.entries()) {
    const packed = field.repeated && field.packed;
    const wt = packed ? WireType.LengthDelimited : wireTypeOf(field.kind);
    const ewt = wireTypeOf(field.kind);
    // Internalized, like the names the scanner reads: lookups then match on identity.
    byName.set(internalized(field.name), {
      field,
      op: OPS[field.kind],
      repeated: field.repeated,
      packed,
      tag: ((field.id << 3) | wt) >>> 0,
      tagLength: tagSize(field.id),
      width: ewt === WireType.Fixed32 ? 4 : ewt === WireType.Fixed64 ? 8 : 0,
      message: undefined,
      index,
      prefixHint: 1,
    });
  }
  codec = { info, byName, root: newNode(undefined, [], []), nodes: 1 };
  codecs.set(info, codec);
  for (const f of byName.values()) if (f.field.kind === "message") f.message = messageCodec(f.field.message!);
  return codec;
}

/**
 * The trie node after `key`: the bound objects of a net repeat a few key sequences (bottom,
 * top, name, type, convolution_param, …) thousands of times, so sorting by field number is
 * done once per sequence.
 */
export function step(codec: MessageCodec, node: KeyNode, key: string): KeyNode {
  if (key === node.firstKey) return node.firstNext!;
  const found = node.next.get(key);
  if (found) return found;
  const field = codec.byName.get(key);
  let child: KeyNode;
  if (!field) child = newNode(undefined, node.sorted, node.order);
  else {
    const position = node.sorted.length;
    const pairs = node.sorted.map((c, i) => [c, node.order[i]!] as const);
    pairs.push([field, position]);
    pairs.sort((a, b) => a[0].field.id - b[0].field.id);
    child = newNode(field, pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  }
  if (codec.nodes < MAX_TRIE_NODES) {
    node.next.set(key, child);
    if (node.firstKey === undefined) {
      node.firstKey = key;
      node.firstNext = child;
    }
    codec.nodes++;
  }
  return child;
}

function newNode(codec: FieldCodec | undefined, sorted: FieldCodec[], order: number[]): KeyNode {
  return { firstKey: undefined, firstNext: undefined, next: new Map(), codec, sorted, order };
}
