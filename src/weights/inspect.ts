/**
 * `caffe2torch inspect`: what a trained .caffemodel holds, per layer: its blobs' shapes and, for a
 * BVLC BatchNorm, the scale factor and the range of the statistics Caffe uses at TEST time
 * (sums times fround(1/s)). Pure: bytes in, a report and its text out.
 */
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { decodeBlobs, readCaffemodel, shapeCount, type CaffemodelFormat, type WeightBlob, type WeightLayer } from "./caffemodel.js";
import { formatSignificant } from "./messages.js";
import { effectiveStatistics, estimateUpdates, range } from "./statistics.js";

/** One blob of a layer. */
export interface InspectedBlob {
  shape: number[];
  /** How many values the file holds (equals the shape's count in a sound file). */
  values: number;
  /** The shape came from the legacy num/channels/height/width fields. */
  legacy: boolean;
  /** The values came from `double_data`. */
  double: boolean;
}

/** The statistics summary of a BVLC BatchNorm layer (three blobs: [C], [C], [1]). */
export interface InspectedBatchNorm {
  scale_factor: number;
  /** Range of mean_sum·fround(1/s); null when empty or not finite. */
  mean_min: number | null;
  mean_max: number | null;
  /** Range of var_sum·fround(1/s); null when empty or not finite. */
  var_min: number | null;
  var_max: number | null;
  /** The layer's moving_average_fraction as saved in the caffemodel, else Caffe's default 0.999. */
  moving_average_fraction: number;
  /** Training updates s implies with that fraction; null when s no longer tells. */
  updates: number | null;
}

/** One layer of the caffemodel. */
export interface InspectedLayer {
  name: string;
  type: string;
  blobs: InspectedBlob[];
  /** Present for BatchNorm layers with the BVLC blob layout. */
  batchnorm?: InspectedBatchNorm;
}

/** The `inspect --json` document. */
export interface InspectReport {
  file: string;
  net: string | null;
  format: CaffemodelFormat;
  layers: InspectedLayer[];
  /** Sum of the blobs' value counts. */
  values: number;
}

/** caffe.proto's default moving_average_fraction. */
const DEFAULT_FRACTION = 0.999;

/** The BatchNorm summary when `layer` has BVLC's three-blob layout, else undefined. */
function batchNormSummary(layer: WeightLayer, blobs: readonly WeightBlob[]): InspectedBatchNorm | undefined {
  if (layer.type !== "BatchNorm" || blobs.length !== 3) return undefined;
  const [mean, variance, scale] = blobs as [WeightBlob, WeightBlob, WeightBlob];
  if (scale.data.length !== 1 || mean.data.length !== variance.data.length) return undefined;
  const s = scale.data[0] as number;
  const fraction = layer.movingAverageFraction ?? DEFAULT_FRACTION;
  const stats = effectiveStatistics(mean.data, variance.data, s);
  const m = range(stats.mean);
  const v = range(stats.variance);
  return {
    scale_factor: s,
    mean_min: m?.min ?? null,
    mean_max: m?.max ?? null,
    var_min: v?.min ?? null,
    var_max: v?.max ?? null,
    moving_average_fraction: fraction,
    updates: estimateUpdates(s, fraction),
  };
}

/** Reads a caffemodel into a report. Errors in `diagnostics` mean the file is malformed. */
export function inspectCaffemodel(bytes: Uint8Array, file: string): { report: InspectReport; diagnostics: Diagnostic[] } {
  const model = readCaffemodel(bytes);
  const diagnostics = [...model.diagnostics];
  let values = 0;
  // One layer's blobs are decoded at a time and dropped after their summary.
  const layers = model.layers.map((layer): InspectedLayer => {
    const decoded = decodeBlobs(model, layer);
    diagnostics.push(...decoded.diagnostics);
    const blobs = decoded.blobs.map((b) => {
      values += b.data.length;
      return { shape: b.shape, values: b.data.length, legacy: b.legacy, double: b.double };
    });
    const batchnorm = hasErrors(diagnostics) ? undefined : batchNormSummary(layer, decoded.blobs);
    return batchnorm ? { name: layer.name, type: layer.type, blobs, batchnorm } : { name: layer.name, type: layer.type, blobs };
  });
  return { report: { file, net: model.name, format: model.format, layers, values }, diagnostics };
}

const g = (x: number | null): string => (x === null ? "?" : formatSignificant(x));

function blobText(b: InspectedBlob): string {
  const shape = `[${b.shape.join(", ")}]`;
  const flags = [b.legacy ? "legacy" : "", b.double ? "double" : "", b.values !== shapeCount(b.shape) ? `${b.values} values!` : ""].filter(Boolean);
  return flags.length > 0 ? `${shape}(${flags.join(", ")})` : shape;
}

/**
 * The text report: a heading, then one line per layer (name, type, blob shapes, and for a
 * BatchNorm its scale factor and the ranges of the effective mean and variance).
 */
export function formatInspectText(report: InspectReport): string {
  const bn = report.layers.filter((l) => l.batchnorm !== undefined).length;
  const net = report.net === null ? "" : ` net "${report.net}",`;
  const head = `${report.file}:${net} ${report.layers.length} layers (${report.format}), ${report.values} values, ${bn} BatchNorm`;
  const rows = report.layers.map((l) => [l.name, l.type, l.blobs.length === 0 ? "-" : l.blobs.map(blobText).join(" "), statsText(l.batchnorm)]);
  const widths = [0, 1, 2].map((i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < 3 && r[i + 1] !== "" ? cell.padEnd(widths[i]!) : cell)).join("  ").trimEnd());
  return `${head}\n${lines.map((line) => `  ${line}`).join("\n")}${lines.length > 0 ? "\n" : ""}`;
}

function statsText(b: InspectedBatchNorm | undefined): string {
  if (b === undefined) return "";
  const updates = b.updates === null ? "" : ` (${b.updates} updates)`;
  return `scale factor ${g(b.scale_factor)}${updates}  mean ${g(b.mean_min)} .. ${g(b.mean_max)}  var ${g(b.var_min)} .. ${g(b.var_max)}`;
}
