/**
 * Text format exactly as `protoc --decode=caffe.NetParameter` prints it (TextFormat::Printer,
 * protobuf 3.21): fields in field-number order, two spaces of indentation per level,
 * `name: value` and `name {` … `}`, strings C-escaped (c-escape.ts), enums by name, bools as
 * true/false, floats and doubles as SimpleFtoa/SimpleDtoa (float-format.ts).
 *
 * Output is produced as chunks of about 1 MiB: a 100 MB caffemodel prints as ~300 MB of text,
 * which must never be one string. The caller writes the chunks as they come.
 *
 * With `full: false`, packed float/double fields (BlobProto's data, diff, double_data,
 * double_diff) are summarised by a comment line such as `# data: 1728 floats (shape 64x3x3x3)`.
 * The text stays valid text format, but encoding it does NOT restore the blob data: only
 * `full: true` output encodes back to the original bytes.
 */
import type { BoundMessage } from "./bind.js";
import { cEscape } from "./c-escape.js";
import type { UnknownField } from "./decode.js";
import { formatDouble, formatFloat, writeFloat } from "./float-format.js";
import type { FieldInfo, MessageInfo } from "./load.js";
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

const DEFAULT_CHUNK = 1 << 20;

/**
 * Prints `obj` as message `info` in text format, yielding chunks whose concatenation is the
 * whole text (empty for an empty message, as protoc prints nothing for it).
 */
export function* printMessage(info: MessageInfo, obj: BoundMessage, options: PrintOptions): Generator<string, void, undefined> {
  const state: State = {
    out: "",
    chunk: options.chunkSize ?? DEFAULT_CHUNK,
    full: options.full,
    unknown: groupUnknown(options.unknownFields),
  };
  yield* printFields(state, info, obj, "");
  if (state.out.length > 0) yield state.out;
}

/** Prints a whole message into one string: for small messages and tests only. */
export function printToString(info: MessageInfo, obj: BoundMessage, options: PrintOptions): string {
  let s = "";
  for (const chunk of printMessage(info, obj, options)) s += chunk;
  return s;
}

interface State {
  out: string;
  chunk: number;
  full: boolean;
  unknown: Map<BoundMessage, UnknownField[]> | undefined;
}

function* printFields(state: State, info: MessageInfo, obj: BoundMessage, indent: string): Generator<string, void, undefined> {
  for (const field of info.ordered) {
    const value = obj[field.name];
    if (value === undefined || value === null) continue;
    if (field.kind === "message") {
      const inner = indent + "  ";
      const children = field.repeated ? (value as BoundMessage[]) : [value as BoundMessage];
      for (const child of children) {
        state.out += indent + field.name + " {\n";
        yield* printFields(state, field.message!, child, inner);
        state.out += indent + "}\n";
      }
    } else if (!field.repeated) {
      state.out += indent + field.name + ": " + scalarText(field, value) + "\n";
    } else if (field.packed && !state.full && (field.kind === "float" || field.kind === "double")) {
      state.out += indent + "# " + summary(field, value as ArrayLike<number>, obj) + "\n";
    } else {
      yield* printList(state, field, value as ArrayLike<unknown>, indent);
    }
    if (state.out.length >= state.chunk) {
      yield state.out;
      state.out = "";
    }
  }
  const unknown = state.unknown?.get(obj);
  if (unknown) {
    // protoc prints unknown fields by number ("1000: 5"), which its own parser then refuses;
    // a comment keeps the output readable by both.
    for (const u of unknown) {
      state.out += `${indent}# unknown field ${u.fieldNumber} (${WIRE_TYPE_NAMES[u.wireType] ?? u.wireType}, ${u.length} bytes at offset ${u.offset})\n`;
    }
  }
}

/** Lists this long are printed through a byte buffer rather than string concatenation. */
const BYTE_PATH_MIN = 256;
const ascii = new TextDecoder();

/** One line per element. */
function* printList(state: State, field: FieldInfo, list: ArrayLike<unknown>, indent: string): Generator<string, void, undefined> {
  if (field.kind === "float" && list.length >= BYTE_PATH_MIN) {
    yield* printFloats(state, field, list as ArrayLike<number>, indent);
    return;
  }
  const prefix = indent + field.name + ": ";
  for (let i = 0; i < list.length; i++) {
    state.out += prefix + scalarText(field, list[i]) + "\n";
    if (state.out.length >= state.chunk) {
      yield state.out;
      state.out = "";
    }
  }
}

/**
 * The hot loop of printing a caffemodel (millions of blob values): ASCII bytes written straight
 * into a chunk-sized buffer, decoded to a string once per chunk.
 */
function* printFloats(state: State, field: FieldInfo, list: ArrayLike<number>, indent: string): Generator<string, void, undefined> {
  const prefix = Uint8Array.from(indent + field.name + ": ", (c) => c.charCodeAt(0));
  const plen = prefix.length;
  const limit = state.chunk;
  // Room for one more line past the limit: prefix, at most 15 characters of number, newline.
  const buf = new Uint8Array(limit + plen + 16);
  const exact = list instanceof Float32Array;
  let pos = 0;
  if (state.out.length > 0) {
    yield state.out;
    state.out = "";
  }
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < plen; j++) buf[pos + j] = prefix[j]!;
    const v = list[i]!;
    pos = writeFloat(buf, pos + plen, exact ? v : toFloat32(v));
    buf[pos++] = 10;
    if (pos >= limit) {
      yield ascii.decode(buf.subarray(0, pos));
      pos = 0;
    }
  }
  state.out = ascii.decode(buf.subarray(0, pos));
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
  if (shape?.dim) return Array.from(shape.dim, String).join("x");
  const legacy = ["num", "channels", "height", "width"];
  if (!legacy.some((k) => obj[k] !== undefined)) return undefined;
  // Caffe's legacy dimensions default to 0 (caffe.proto BlobProto), as Blob::FromProto reads them.
  return legacy.map((k) => String(obj[k] ?? 0)).join("x");
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
