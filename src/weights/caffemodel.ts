/**
 * A trained .caffemodel as a list of named layers with their blobs, whatever layer format it was
 * saved in: the current `layer` field, legacy V1 `layers`, or V0 `layers { layer { … } }`. Caffe
 * reads all three (ReadNetParamsFromBinaryFileOrDie upgrades V0/V1 first) and then copies blobs by
 * layer name only (Net::CopyTrainedLayersFrom), so the name, the type and the blobs are all that
 * matter here.
 *
 * Blobs are located, not decoded: the layers are decoded with schemas that lack the `blobs` field
 * (see lazy-schema.ts), so the decoder skips each BlobProto and reports where it lies. Only the
 * blobs a caller asks for are then decoded ({@link decodeBlobs}). A 100 MB ResNet caffemodel is
 * thus never copied (packed floats at unaligned offsets would be) — only its BatchNorm and Scale
 * blobs are read.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BoundMessage } from "../schema/bind.js";
import { decodeMessage } from "../schema/decode.js";
import { loadCaffeSchema } from "../schema/load.js";
import { V0_LAYER_TYPES } from "../schema/upgrade-v0-fields.js";
import { V1_LAYER_TYPES } from "../schema/upgrade-v1.js";
import { isSkippedBlobField, lazyNetInfo } from "./lazy-schema.js";

/** One stored blob (caffe.BlobProto), as Blob::FromProto would shape it. */
export interface WeightBlob {
  /** `shape.dim`, or `[num, channels, height, width]` when any legacy field is present. */
  shape: number[];
  /** Whether the shape came from the legacy num/channels/height/width fields. */
  legacy: boolean;
  /** The values in float32 (`double_data` rounded to float32, as Blob<float>::FromProto does). */
  data: Float32Array;
  /** Whether the values came from `double_data`. */
  double: boolean;
}

/** Where one BlobProto's bytes lie in the file (the message body, without tag and length). */
export interface BlobRef {
  offset: number;
  length: number;
}

/** One layer of the caffemodel. */
export interface WeightLayer {
  /** Position in the file's layer list. */
  index: number;
  name: string;
  /** The V2 type string (V1 enum and V0 names are translated as Caffe's upgrade does). */
  type: string;
  /** The layer's blobs, in order, not yet decoded. */
  blobs: BlobRef[];
  /** `batch_norm_param.moving_average_fraction` when the saved layer has it (pycaffe saves the TRAIN net's parameters). */
  movingAverageFraction?: number;
}

/** Which layer field the caffemodel uses. */
export type CaffemodelFormat = "layer" | "V1" | "V0" | "empty";

/** A read caffemodel. */
export interface Caffemodel {
  /** The NetParameter's name, or null. */
  name: string | null;
  format: CaffemodelFormat;
  layers: WeightLayer[];
  /**
   * Decoding faults (the decoder's codes, errors; unknown fields, warnings; the byte offset in
   * `data.offset`, no range) and
   * `weights-mixed-layer-formats` (error: Caffe's UpgradeV1Net refuses a file with both
   * `layer` and `layers`).
   */
  diagnostics: Diagnostic[];
  /** The file's bytes, which {@link BlobRef}s point into. */
  bytes: Uint8Array;
  /**
   * Set when the reader owns `bytes` (readCaffemodel's `ownBytes`): each blob is decoded once, its
   * values a view into `bytes` (moved to alignment in place), and kept here by offset.
   */
  decodedBlobs?: Map<number, DecodedBlob>;
}

/** One blob's values and what decoding it found. */
interface DecodedBlob {
  blob: WeightBlob;
  diagnostics: Diagnostic[];
}

/** Options of {@link readCaffemodel}. */
export interface ReadCaffemodelOptions {
  /**
   * The caller hands the bytes over (a file read for this purpose only): blobs become views into
   * them instead of copies, and the bytes are no longer a caffemodel afterwards.
   */
  ownBytes?: boolean;
}

/** The number of values a shape holds (1 for rank 0, as Blob::count is). */
export function shapeCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[1, 64, 1, 1]`: a shape as diagnostics and reports print it. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

const toNumber = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : 0);

/**
 * Blob::FromProto's shape rule: the legacy 4-D fields win when any of them is present (a missing
 * one counts as its default 0); otherwise `shape.dim`. Values from `double_data` when it is
 * non-empty, else `data`.
 */
export function readBlob(proto: BoundMessage): WeightBlob {
  const legacyFields = ["num", "channels", "height", "width"] as const;
  const legacy = legacyFields.some((f) => proto[f] !== undefined);
  const dims = ((proto["shape"] as BoundMessage | undefined)?.["dim"] as unknown[] | undefined) ?? [];
  const shape = legacy ? legacyFields.map((f) => toNumber(proto[f])) : dims.map(toNumber);
  const doubles = proto["double_data"] as Float64Array | undefined;
  if (doubles !== undefined && doubles.length > 0) {
    return { shape, legacy, data: Float32Array.from(doubles), double: true };
  }
  const data = (proto["data"] as Float32Array | undefined) ?? new Float32Array(0);
  return { shape, legacy, data, double: false };
}

/**
 * Decodes the blobs of one layer. Faults inside a blob are diagnostics with the file offset in
 * `data.offset` (and no range: ranges point into the prototxt).
 */
export function decodeBlobs(model: Caffemodel, layer: WeightLayer): { blobs: WeightBlob[]; diagnostics: Diagnostic[] } {
  const info = loadCaffeSchema().message("caffe.BlobProto");
  const diagnostics: Diagnostic[] = [];
  const cache = model.decodedBlobs;
  const decode = (ref: BlobRef): DecodedBlob => {
    const decoded = decodeMessage(info, model.bytes.subarray(ref.offset, ref.offset + ref.length), { alignFloatsInPlace: cache !== undefined });
    const found = decoded.diagnostics.map((d) => diagnostic(d.code, d.severity, undefined, { ...d.data, offset: ref.offset + Number(d.data["offset"] ?? 0) }));
    return { blob: readBlob(decoded.message), diagnostics: found };
  };
  const blobs = layer.blobs.map((ref) => {
    let decoded = cache?.get(ref.offset);
    if (!decoded) {
      decoded = decode(ref);
      cache?.set(ref.offset, decoded);
    }
    diagnostics.push(...decoded.diagnostics);
    return decoded.blob;
  });
  return { blobs, diagnostics };
}

const lookup = (table: Readonly<Record<string, string>>, key: string): string | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

/** The layer name and type of one entry of `layer` or `layers`. */
function readLayer(entry: BoundMessage, index: number, format: CaffemodelFormat, blobs: BlobRef[]): WeightLayer {
  // V0 nests everything in `layers { layer { … } }`; V1 holds it in `layers` directly.
  const inner = format === "V0" && entry["layer"] !== undefined ? (entry["layer"] as BoundMessage) : entry;
  const rawType = inner["type"];
  let type = typeof rawType === "string" ? rawType : "";
  if (format === "V1") type = lookup(V1_LAYER_TYPES, type) ?? type;
  if (format === "V0") type = lookup(V1_LAYER_TYPES, lookup(V0_LAYER_TYPES, type) ?? "") || type;
  const layer: WeightLayer = { index, name: typeof inner["name"] === "string" ? inner["name"] : "", type, blobs };
  const fraction = (inner["batch_norm_param"] as BoundMessage | undefined)?.["moving_average_fraction"];
  if (typeof fraction === "number") layer.movingAverageFraction = fraction;
  return layer;
}

/** The size of the varint at `pos` (tags and lengths), at most 10 bytes. */
function varintSize(bytes: Uint8Array, pos: number): number {
  let n = 1;
  while (n < 10 && pos + n - 1 < bytes.length && (bytes[pos + n - 1]! & 0x80) !== 0) n++;
  return n;
}

/** The value of the varint at `pos` (a length; below 2^53). */
function varintValue(bytes: Uint8Array, pos: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && pos + i < bytes.length; i++) {
    const b = bytes[pos + i]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) break;
    scale *= 128;
  }
  return value;
}

/**
 * Reads caffemodel bytes: layers with names, types and blob locations. Never throws on malformed
 * input: decoding faults come back as error diagnostics with the layers read before the fault.
 */
export function readCaffemodel(bytes: Uint8Array, options: ReadCaffemodelOptions = {}): Caffemodel {
  const decoded = decodeMessage(lazyNetInfo(), bytes);
  const net = decoded.message;
  // Where each layer's skipped blobs lie, by the layer object the decoder was filling.
  const blobsOf = new Map<BoundMessage, BlobRef[]>();
  const skipped = new Set<number>();
  for (const u of decoded.unknownFields) {
    if (!isSkippedBlobField(u.messageType, u.fieldNumber, u.wireType)) continue;
    skipped.add(u.offset);
    const body = u.offset + varintSize(bytes, u.offset);
    const start = body + varintSize(bytes, body);
    const list = blobsOf.get(u.parent) ?? [];
    list.push({ offset: start, length: varintValue(bytes, body) });
    blobsOf.set(u.parent, list);
  }
  // The skipped blobs are not unknown to Caffe: drop the decoder's findings for them. The others
  // keep their byte offset in data only: a range would be read as one in the prototxt.
  const out: Diagnostic[] = decoded.diagnostics
    .filter((d) => !(d.code === "unknown-field" && skipped.has(Number(d.data["offset"]))))
    .map((d) => diagnostic(d.code, d.severity, undefined, d.data));
  const current = (net["layer"] as BoundMessage[] | undefined) ?? [];
  const legacy = (net["layers"] as BoundMessage[] | undefined) ?? [];
  let format: CaffemodelFormat = "empty";
  let entries: BoundMessage[] = [];
  if (current.length > 0) {
    format = "layer";
    entries = current;
    if (legacy.length > 0) {
      out.push(diagnostic("weights-mixed-layer-formats", "error", undefined, { layer: current.length, layers: legacy.length }));
    }
  } else if (legacy.length > 0) {
    format = legacy.some((l) => l["layer"] !== undefined) ? "V0" : "V1";
    entries = legacy;
  }
  const layers = entries.map((entry, index) => {
    const holder = format === "V0" && entry["layer"] !== undefined ? (entry["layer"] as BoundMessage) : entry;
    return readLayer(entry, index, format, blobsOf.get(holder) ?? []);
  });
  const model: Caffemodel = { name: typeof net["name"] === "string" ? net["name"] : null, format, layers, diagnostics: out, bytes };
  if (options.ownBytes) model.decodedBlobs = new Map();
  return model;
}
