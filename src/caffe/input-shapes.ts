/**
 * Shapes given from outside the prototxt for a net's input blobs (the CLI's `--input-shape`): which
 * blobs are inputs, and which blob version each given shape sets. Shape inference then starts from
 * them exactly as from an `Input` layer's declared shape (shapes.ts), so every layer downstream gets
 * the shape Caffe's Net::Init would compute for that input.
 */
import { LAYERS } from "./layers/index.js";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BlobGraph } from "./blobs.js";
import type { NetModel } from "./net.js";
import { hasShapeRule } from "./shapes.js";

/** A shape given for one blob; `blob: null` means the net's single input. */
export interface InputShape {
  readonly blob: string | null;
  readonly dims: readonly number[];
}

/**
 * Layer types that bring data into the net: the catalogue's data layers (Caffe's, and forks' such
 * as SSD's AnnotatedData and SegNet's DenseImageData). The layer made from top-level `input`
 * fields has type Input.
 */
export const DATA_LAYER_TYPES: ReadonlySet<string> = new Set(LAYERS.filter((l) => l.role === "data").map((l) => l.type));

/** One input blob of the net. */
export interface InputBlob {
  blob: string;
  /** The version id a given shape sets. */
  version: number;
  /** Position of the data layer writing it; null for a blob read but never written. */
  layer: number | null;
  /**
   * Whether the unnamed form may mean it: the first top of a data layer (the others are labels or
   * side inputs such as im_info), each top-level `input` (each is declared on its own), a blob
   * nothing writes. The unnamed form needs exactly one such blob.
   */
  primary: boolean;
}

/**
 * The net's input blobs in data-flow order: the tops of data layers and the blobs read but never
 * written (Caffe refuses those, "Unknown bottom blob"; a legacy `input` without a shape is one).
 */
export function inputBlobs(model: NetModel, graph: BlobGraph): InputBlob[] {
  const out: InputBlob[] = [];
  const seen = new Set<string>();
  for (const v of graph.versions) {
    if (seen.has(v.blob)) continue;
    let entry: InputBlob;
    if (v.producer === null) entry = { blob: v.blob, version: v.id, layer: null, primary: true };
    else {
      const layer = model.layers[v.producer.layer]!;
      if (!DATA_LAYER_TYPES.has(layer.type)) continue;
      entry = { blob: v.blob, version: v.id, layer: v.producer.layer, primary: layer.synthetic || v.producer.top === 0 };
    }
    seen.add(v.blob);
    out.push(entry);
  }
  return out;
}

/**
 * Blobs written by a layer without a shape rule (a Python layer, most fork layers) and read by a
 * later layer: nothing in the prototxt tells their shape, so a given shape may set them as it sets
 * an input. (A top nobody reads, such as Accuracy's, can shape nothing.)
 */
export function unruledTops(model: NetModel, graph: BlobGraph): { blob: string; version: number }[] {
  const out: { blob: string; version: number }[] = [];
  const seen = new Set<string>();
  model.layers.forEach((layer, position) => {
    if (hasShapeRule(layer.type)) return;
    graph.tops[position]!.forEach((version) => {
      const { blob, consumers } = graph.versions[version]!;
      if (seen.has(blob) || consumers.length === 0) return;
      seen.add(blob);
      out.push({ blob, version });
    });
  });
  return out;
}

/** The given shapes by blob version id, and what was wrong with the request. */
export interface ResolvedInputShapes {
  versions: Map<number, readonly number[]>;
  diagnostics: Diagnostic[];
}

/** Codes of the diagnostics about given input shapes (all but `input-shape-declared` are errors). */
export const INPUT_SHAPE_CODES: ReadonlySet<string> = new Set([
  "input-shape-ambiguous",
  "input-shape-no-input",
  "input-shape-unknown-blob",
  "input-shape-repeated",
  "input-shape-rank",
  "input-shape-values",
  "input-shape-declared",
]);

/** A list of names as diagnostic data (data values are scalars; formatters parse it back). */
const names = (list: readonly string[]): string => JSON.stringify(list);

/**
 * Which blob version each given shape sets. The unnamed form means the net's only primary input; a
 * name must be an input blob or the top of a layer without a shape rule. Each mistake is an error
 * naming the blobs that could be meant; the shapes that resolve are kept.
 */
export function resolveInputShapes(model: NetModel, graph: BlobGraph, given: readonly InputShape[]): ResolvedInputShapes {
  const versions = new Map<number, readonly number[]>();
  const diagnostics: Diagnostic[] = [];
  if (given.length === 0) return { versions, diagnostics };
  const inputs = inputBlobs(model, graph);
  const unruled = unruledTops(model, graph);
  const inputNames = names(inputs.map((i) => i.blob));
  for (const spec of given) {
    let version: number | undefined;
    if (spec.blob === null) {
      const primary = inputs.filter((i) => i.primary);
      if (primary.length === 1) version = primary[0]!.version;
      else if (primary.length === 0) diagnostics.push(diagnostic("input-shape-no-input", "error", undefined, { others: names(unruled.map((u) => u.blob)) }));
      else diagnostics.push(diagnostic("input-shape-ambiguous", "error", undefined, { inputs: inputNames }));
    } else {
      version = (inputs.find((i) => i.blob === spec.blob) ?? unruled.find((u) => u.blob === spec.blob))?.version;
      if (version === undefined) {
        diagnostics.push(diagnostic("input-shape-unknown-blob", "error", undefined, { blob: spec.blob, inputs: inputNames, others: names(unruled.map((u) => u.blob)) }));
      }
    }
    if (version === undefined) continue;
    if (versions.has(version)) {
      diagnostics.push(diagnostic("input-shape-repeated", "error", undefined, { blob: graph.versions[version]!.blob }));
      continue;
    }
    versions.set(version, [...spec.dims]);
  }
  return { versions, diagnostics };
}
