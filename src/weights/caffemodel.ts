/**
 * A trained .caffemodel as a list of named layers with their blobs, whatever layer format it was
 * saved in: the current `layer` field, legacy V1 `layers`, or V0 `layers { layer { … } }`. Caffe
 * reads all three (ReadNetParamsFromBinaryFileOrDie upgrades V0/V1 first) and then copies blobs by
 * layer name only (Net::CopyTrainedLayersFrom), so the name, the type and the blobs are all that
 * matter here. Blob values stay Float32Array views over the file's bytes where the decoder can.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BoundMessage } from "../schema/bind.js";
import { decodeNet } from "../schema/net-binary.js";
import { V0_LAYER_TYPES } from "../schema/upgrade-v0-fields.js";
import { V1_LAYER_TYPES } from "../schema/upgrade-v1.js";

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

/** One layer of the caffemodel. */
export interface WeightLayer {
  /** Position in the file's layer list. */
  index: number;
  name: string;
  /** The V2 type string (V1 enum and V0 names are translated as Caffe's upgrade does). */
  type: string;
  blobs: WeightBlob[];
}

/** Which layer field the caffemodel uses. */
export type CaffemodelFormat = "layer" | "V1" | "V0" | "empty";

/** A decoded caffemodel. */
export interface Caffemodel {
  /** The NetParameter's name, or null. */
  name: string | null;
  format: CaffemodelFormat;
  layers: WeightLayer[];
  /**
   * Decoding faults (the decoder's codes, errors) and `weights-mixed-layer-formats` (error: Caffe's
   * UpgradeV1Net refuses a file with both `layer` and `layers`).
   */
  diagnostics: Diagnostic[];
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
 * one counts as its default 0); otherwise `shape.dim`.
 */
export function readBlob(proto: BoundMessage): WeightBlob {
  const legacyFields = ["num", "channels", "height", "width"] as const;
  const legacy = legacyFields.some((f) => proto[f] !== undefined);
  const dims = ((proto["shape"] as BoundMessage | undefined)?.["dim"] as unknown[] | undefined) ?? [];
  const shape = legacy ? legacyFields.map((f) => toNumber(proto[f])) : dims.map(toNumber);
  const doubles = proto["double_data"] as Float64Array | undefined;
  // FromProto takes double_data when it is non-empty, data otherwise.
  if (doubles !== undefined && doubles.length > 0) {
    return { shape, legacy, data: Float32Array.from(doubles), double: true };
  }
  const data = (proto["data"] as Float32Array | undefined) ?? new Float32Array(0);
  return { shape, legacy, data, double: false };
}

const lookup = (table: Readonly<Record<string, string>>, key: string): string | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

/** The layer name, type and blobs of one entry of `layer` or `layers`. */
function readLayer(entry: BoundMessage, index: number, format: CaffemodelFormat): WeightLayer {
  // V0 nests everything in `layers { layer { … } }`; V1 holds it in `layers` directly.
  const inner = format === "V0" && entry["layer"] !== undefined ? (entry["layer"] as BoundMessage) : entry;
  const rawType = inner["type"];
  let type = typeof rawType === "string" ? rawType : "";
  if (format === "V1") type = lookup(V1_LAYER_TYPES, type) ?? type;
  if (format === "V0") type = lookup(V1_LAYER_TYPES, lookup(V0_LAYER_TYPES, type) ?? "") || type;
  const blobs = ((inner["blobs"] as BoundMessage[] | undefined) ?? []).map(readBlob);
  return { index, name: typeof inner["name"] === "string" ? inner["name"] : "", type, blobs };
}

/**
 * Decodes caffemodel bytes. Never throws on malformed input: decoding faults come back as error
 * diagnostics with the layers read before the fault.
 */
export function readCaffemodel(bytes: Uint8Array): Caffemodel {
  const { net, diagnostics } = decodeNet(bytes);
  const current = (net["layer"] as BoundMessage[] | undefined) ?? [];
  const legacy = (net["layers"] as BoundMessage[] | undefined) ?? [];
  const out: Diagnostic[] = [...diagnostics];
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
  return {
    name: typeof net["name"] === "string" ? net["name"] : null,
    format,
    layers: entries.map((entry, index) => readLayer(entry, index, format)),
    diagnostics: out,
  };
}
