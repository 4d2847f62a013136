/**
 * Checking one block's caffemodel layers against the net, as Net::CopyTrainedLayersFrom does
 * (same number of blobs, each of the shape the layer set up), and taking the values out.
 *
 * BVLC's BatchNormLayer sets up blobs [C], [C], [1]; ScaleLayer [C] (+ [C] with bias_term) for a
 * channel-wise Scale; BiasLayer [C]. Caffe's Blob::ShapeEquals also accepts legacy 4-D protos
 * (num/channels/height/width) padded with 1s at the front, and some converters store per-channel
 * blobs as [1, C, 1, 1]; we read any blob whose dims are all 1 but one as a vector (with a note),
 * since the values are laid out the same.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diagnostic } from "../diagnostics/diagnostic.js";
import type { Range } from "../diagnostics/range.js";
import { decodeBlobs, formatShape, shapeCount, type Caffemodel, type WeightBlob, type WeightLayer } from "./caffemodel.js";

/** Which layer of a block a caffemodel layer stands for. */
export type BlockRole = "BatchNorm" | "Scale" | "Bias";

/** The values of one block, checked. */
export interface BlockBlobs {
  channels: number;
  meanSum: Float32Array;
  varSum: Float32Array;
  scaleFactor: number;
  /** null without a Scale. */
  gamma: Float32Array | null;
  /** null without a Scale bias_term or Bias layer. */
  beta: Float32Array | null;
  /** The first non-[C] vector shape seen (e.g. [1, C, 1, 1]), or null. */
  legacyShape: number[] | null;
}

/** One layer of the block as the net declares it. */
export interface BlockLayerSpec {
  role: BlockRole;
  name: string;
  /** Blobs the net's layer has (BatchNorm 3, Scale 1 or 2, Bias 1). */
  blobs: number;
  /** Where to point a diagnostic in the prototxt. */
  range: Range | undefined;
}

/** The length of a blob read as a vector (all dims 1 but at most one), or null when it is not one. */
export function vectorLength(shape: readonly number[]): number | null {
  if (shape.length === 0) return null;
  return shape.filter((d) => d !== 1).length <= 1 ? shapeCount(shape) : null;
}

/** Checks and decodes one block's layers; the diagnostics are errors whenever the values are unusable. */
export function readBlockBlobs(
  specs: readonly BlockLayerSpec[],
  model: Caffemodel,
  sources: ReadonlyMap<string, WeightLayer>,
  expectedChannels: number | null,
): { blobs: BlockBlobs | null; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const found = new Map<BlockRole, WeightBlob[]>();
  for (const spec of specs) {
    const source = sources.get(spec.name);
    if (source === undefined) {
      diagnostics.push(diagnostic("weights-layer-missing", "error", spec.range, { layer: spec.name, role: spec.role }));
      continue;
    }
    if (source.blobs.length !== spec.blobs) {
      diagnostics.push(
        diagnostic("weights-blob-count", "error", spec.range, { layer: spec.name, role: spec.role, expected: spec.blobs, actual: source.blobs.length }),
      );
      continue;
    }
    const decoded = decodeBlobs(model, source);
    diagnostics.push(...decoded.diagnostics.filter((d) => d.severity === "error"));
    found.set(spec.role, decoded.blobs);
  }
  if (diagnostics.length > 0) return { blobs: null, diagnostics };

  let channels = expectedChannels;
  let legacyShape: number[] | null = null;
  const specOf = (role: BlockRole): BlockLayerSpec => specs.find((s) => s.role === role)!;
  /** Blob `index` of `role`: one value, or C values (C fixed by the first vector when the net does not give it). */
  const take = (role: BlockRole, index: number, scalar: boolean): Float32Array | null => {
    const spec = specOf(role);
    const blob = found.get(role)![index] as WeightBlob;
    const data = { layer: spec.name, role, blob: index };
    if (blob.data.length !== shapeCount(blob.shape)) {
      diagnostics.push(diagnostic("weights-blob-data-count", "error", spec.range, { ...data, shape: formatShape(blob.shape), values: blob.data.length }));
      return null;
    }
    const length = vectorLength(blob.shape);
    const want = scalar ? 1 : channels;
    if (length === null || (want !== null && length !== want)) {
      const expected = want === null ? "[C]" : formatShape([want]);
      diagnostics.push(diagnostic("weights-shape-mismatch", "error", spec.range, { ...data, expected, actual: formatShape(blob.shape) }));
      return null;
    }
    if (!scalar) {
      channels ??= length;
      if (blob.shape.length !== 1 && legacyShape === null) legacyShape = [...blob.shape];
    }
    return blob.data;
  };

  const meanSum = take("BatchNorm", 0, false);
  const varSum = take("BatchNorm", 1, false);
  const scale = take("BatchNorm", 2, true);
  let gamma: Float32Array | null = null;
  let beta: Float32Array | null = null;
  const scaleSpec = specs.find((s) => s.role === "Scale");
  if (scaleSpec) {
    gamma = take("Scale", 0, false);
    if (scaleSpec.blobs > 1) beta = take("Scale", 1, false);
  }
  if (specs.some((s) => s.role === "Bias")) beta = take("Bias", 0, false);
  if (diagnostics.length > 0 || meanSum === null || varSum === null || scale === null || channels === null) {
    return { blobs: null, diagnostics };
  }
  return {
    blobs: { channels, meanSum, varSum, scaleFactor: scale[0] as number, gamma, beta, legacyShape },
    diagnostics,
  };
}
