/**
 * Text format exactly as `protoc --decode=caffe.NetParameter` prints it (TextFormat::Printer,
 * protobuf 3.21): fields in field-number order, two spaces of indentation per level,
 * `name: value` and `name {` … `}`, strings C-escaped (c-escape.ts), enums by name, bools as
 * true/false, floats and doubles as SimpleFtoa/SimpleDtoa (float-format.ts).
 *
 * Output is produced as chunks of about 1 MiB: a 100 MB caffemodel prints as ~600 MB of text,
 * which must never be one string. The caller writes the chunks as they come. Everything protoc
 * prints is ASCII (CEscape turns every other byte into octal), so the text is assembled as
 * bytes in one buffer and turned into a string once per chunk, sparing the garbage collector
 * millions of small strings.
 *
 * With `full: false`, packed float/double fields (BlobProto's data, diff, double_data,
 * double_diff) are summarised by a comment line such as `# data: 1728 floats (shape 64x3x3x3)`.
 * The text stays valid text format, but encoding it does NOT restore the blob data: only
 * `full: true` output encodes back to the original bytes.
 */
import type { BoundMessage } from "./bind.js";
import { cEscape } from "./c-escape.js";
import type { UnknownField } from "./decode.js";
import { messageCodec, step, type FieldCodec, type MessageCodec } from "./encode-codec.js";
import { formatDouble, formatFloat, writeFloat } from "./float-format.js";
import type { FieldInfo, MessageInfo } from "./load.js";
import { AsciiSink } from "./print-sink.js";
import { WIRE_TYPE_NAMES, toFloat32 } from "./wire.js";

/** Options of {@link printMessage}. */
export interface PrintOptions {
  /** Print every element of packed float/double fields; when false, one comment line each. */
  full: boolean;
  /** Unknown fields from decodeMessage: each becomes a comment line at the end of its message. */
  unknownFields?: readonly UnknownField[];
  /** Yield a chunk once this many characters have gathered (default 1 MiB). */
  chunkSize?: number;
}

/**
 * Prints `obj` as message `info` in text format, yielding chunks whose concatenation is the
 * whole text (nothing for an empty message, as protoc prints nothing for it).
 */
export function* printMessage(info: MessageInfo, obj: BoundMessage, options: PrintOptions): Generator<string, void, undefined> {
  const p = new Printer(new AsciiSink(options.chunkSize ?? 1 << 20), options);
  yield* p.fields(messageCodec(info), obj, 0);
  p.sink.flush();
  yield* p.sink.drain();
}

/** Prints a whole message into one string: for small messages and tests only. */
export function printToString(info: MessageInfo, obj: BoundMessage, options: PrintOptions): string {
  let s = "";
  for (const chunk of printMessage(info, obj, options)) s += chunk;
  return s;
}

const INDENTS = Array.from({ length: 64 }, (_, i) => "  ".repeat(i));

function indentOf(depth: number): string {
  return INDENTS[depth] ?? "  ".repeat(depth);
}

class Printer {
  private readonly unknown: Map<BoundMessage, UnknownField[]> | undefined;
  private readonly full: boolean;

  constructor(
    readonly sink: AsciiSink,
    options: PrintOptions,
  ) {
    this.full = options.full;
    this.unknown = groupUnknown(options.unknownFields);
  }

  /**
   * A generator for the messages that may hold blob data (the only place a single field can
   * print hundreds of megabytes); other messages print through {@link plainFields}.
   */
  *fields(codec: MessageCodec, obj: BoundMessage, depth: number): Generator<string, void, undefined> {
    const sink = this.sink;
    for (const f of presentFields(codec, obj)) {
      const value = obj[f.field.name];
      if (value === undefined || value === null) continue;
      if (f.message && holdsBlobs(f.field.message!)) {
        const children = f.repeated ? (value as BoundMessage[]) : [value as BoundMessage];
        for (const child of children) {
          this.open(f, depth);
          yield* this.fields(f.message, child, depth + 1);
          sink.str(indentOf(depth) + "}\n");
          if (sink.pending) yield* sink.drain();
        }
      } else if (f.field.kind === "float" && f.repeated && this.full) {
        yield* this.floats(f.field, value as ArrayLike<number>, depth);
      } else {
        this.field(f, value, obj, depth);
      }
      if (sink.pending) yield* sink.drain();
    }
    this.unknownOf(obj, depth);
  }

  /** Prints a message that holds no blob data, without a generator per message. */
  private plainFields(codec: MessageCodec, obj: BoundMessage, depth: number): void {
    for (const f of presentFields(codec, obj)) {
      const value = obj[f.field.name];
      if (value !== undefined && value !== null) this.field(f, value, obj, depth);
    }
    this.unknownOf(obj, depth);
  }

  private field(f: FieldCodec, value: unknown, obj: BoundMessage, depth: number): void {
    const sink = this.sink;
    const indent = indentOf(depth);
    const field = f.field;
    if (f.message) {
      const children = f.repeated ? (value as BoundMessage[]) : [value as BoundMessage];
      for (const child of children) {
        this.open(f, depth);
        this.plainFields(f.message, child, depth + 1);
        sink.str(indent + "}\n");
      }
    } else if (!f.repeated) {
      sink.str(indent + field.name + ": " + scalarText(field, value) + "\n");
    } else if (f.packed && !this.full && (field.kind === "float" || field.kind === "double")) {
      sink.str(indent + "# " + summary(field, value as ArrayLike<number>, obj) + "\n");
    } else {
      const list = value as ArrayLike<unknown>;
      const prefix = indent + field.name + ": ";
      for (let i = 0; i < list.length; i++) sink.str(prefix + scalarText(field, list[i]) + "\n");
    }
  }

  private open(f: FieldCodec, depth: number): void {
    this.sink.str(indentOf(depth) + f.field.name + " {\n");
  }

  /** The hot loop of printing a caffemodel: millions of `data: …` lines, straight into bytes. */
  private *floats(field: FieldInfo, list: ArrayLike<number>, depth: number): Generator<string, void, undefined> {
    const sink = this.sink;
    const prefix = Uint8Array.from(indentOf(depth) + field.name + ": ", (c) => c.charCodeAt(0));
    const plen = prefix.length;
    const exact = list instanceof Float32Array;
    for (let i = 0; i < list.length; i++) {
      // A line is the prefix, at most 15 characters of number and a newline.
      const buf = sink.reserve(plen + 16);
      let pos = sink.pos;
      for (let j = 0; j < plen; j++) buf[pos + j] = prefix[j]!;
      const v = list[i]!;
      pos = writeFloat(buf, pos + plen, exact ? v : toFloat32(v));
      buf[pos++] = 10;
      sink.pos = pos;
      if (pos >= sink.chunk) {
        sink.flush();
        yield* sink.drain();
      }
    }
  }

  private unknownOf(obj: BoundMessage, depth: number): void {
    const unknown = this.unknown?.get(obj);
    if (!unknown) return;
    // protoc prints unknown fields by number ("1000: 5"), which its own parser then refuses;
    // a comment keeps the output readable by both.
    for (const u of unknown) {
      const kind = WIRE_TYPE_NAMES[u.wireType] ?? String(u.wireType);
      this.sink.str(`${indentOf(depth)}# unknown field ${u.fieldNumber} (${kind}, ${u.length} bytes at offset ${u.offset})\n`);
    }
  }
}

/** The fields set in `obj`, in field-number order (see encode-codec.ts). */
function presentFields(codec: MessageCodec, obj: BoundMessage): FieldCodec[] {
  let node = codec.root;
  for (const key in obj) node = step(codec, node, key);
  return node.sorted;
}

/** The text of one scalar value. */
function scalarText(field: FieldInfo, value: unknown): string {
  switch (field.kind) {
    case "float":
      // The bound form holds the double written in the text; protoc prints the float it stores.
      return formatFloat(toFloat32(value as number));
    case "double":
      return formatDouble(value as number);
    case "bool":
      return value ? "true" : "false";
    case "enum":
      return typeof value === "string" ? value : (field.enumInfo!.names.get(value as number) ?? String(value));
    case "string":
    case "bytes":
      return '"' + cEscape(value as string | Uint8Array) + '"';
    default:
      return String(value);
  }
}

/** `data: 1728 floats (shape 64x3x3x3)`: what a summarised packed field held. */
function summary(field: FieldInfo, values: ArrayLike<number>, obj: BoundMessage): string {
  const n = values.length;
  const unit = field.kind === "float" ? (n === 1 ? "float" : "floats") : n === 1 ? "double" : "doubles";
  const shape = blobShape(obj);
  return `${field.name}: ${n} ${unit}${shape ? ` (shape ${shape})` : ""}`;
}

/** A BlobProto's shape: `shape.dim`, else the legacy num/channels/height/width (as Caffe's Blob::FromProto reads it). */
function blobShape(obj: BoundMessage): string | undefined {
  const shape = obj["shape"] as { dim?: ArrayLike<number | bigint> } | undefined;
  if (shape) return Array.from(shape.dim ?? [], String).join("x");
  const legacy = ["num", "channels", "height", "width"];
  if (!legacy.some((k) => obj[k] !== undefined)) return undefined;
  // The legacy dimensions default to 0 (caffe.proto BlobProto).
  return legacy.map((k) => String(obj[k] ?? 0)).join("x");
}

const blobHolders = new WeakMap<MessageInfo, boolean>();

/** Whether a message type can contain packed float/double data, directly or through its fields. */
function holdsBlobs(info: MessageInfo, visiting = new Set<MessageInfo>()): boolean {
  const known = blobHolders.get(info);
  if (known !== undefined) return known;
  if (visiting.has(info)) return false;
  visiting.add(info);
  const result = info.ordered.some(
    (f) => (f.packed && (f.kind === "float" || f.kind === "double")) || (f.kind === "message" && holdsBlobs(f.message!, visiting)),
  );
  visiting.delete(info);
  blobHolders.set(info, result);
  return result;
}

function groupUnknown(list: readonly UnknownField[] | undefined): Map<BoundMessage, UnknownField[]> | undefined {
  if (!list || list.length === 0) return undefined;
  const map = new Map<BoundMessage, UnknownField[]>();
  for (const u of list) {
    const group = map.get(u.parent);
    if (group) group.push(u);
    else map.set(u.parent, [u]);
  }
  return map;
}
