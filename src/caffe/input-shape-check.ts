/**
 * What a given input shape (input-shapes.ts) cannot be: a rank the layers reading it refuse, a count
 * of values a Reshape cannot take. Only blobs whose shape follows from a given shape are checked —
 * the prototxt's own shapes are lint's business — so that a mistyped `--input-shape` is an error
 * that says why instead of unknown shapes further down. A given shape that differs from what an
 * Input layer declares is used (the caller asked for it), with a warning.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceMap } from "../schema/locations.js";
import type { BlobGraph } from "./blobs.js";
import type { NetLayer, NetModel } from "./net.js";
import { inputShape } from "./shapes-data.js";
import { convSpatialAxes } from "./shapes-spatial.js";
import { isComplete, product, type Shape } from "./shape-util.js";

/** The ranks a layer accepts on bottom 0: `min`…`max` (null: no bound); `usual` names the common one. */
export interface RankNeed {
  min: number;
  max: number | null;
  usual: number | null;
}

const CONVOLUTIONS = new Set(["Convolution", "Deconvolution", "DepthwiseConvolution", "ConvolutionDepthwise"]);

/**
 * The ranks Caffe lets a layer read, for the layers that check it: a convolution needs its channel
 * axis and at least one spatial axis (exactly as many as its fields list, when they list them —
 * BaseConvolutionLayer::LayerSetUp); Pooling and LRN need 4 axes (their Reshape checks it);
 * InnerProduct needs its axis to exist. Null for layers that take any rank.
 */
export function rankNeed(layer: NetLayer): RankNeed | null {
  if (CONVOLUTIONS.has(layer.type)) {
    const p = layer.param.convolution_param ?? {};
    const axis = p.axis ?? 1;
    if (axis < 0) return null;
    const spatial = convSpatialAxes(p);
    if (spatial !== null) return { min: axis + 1 + spatial, max: axis + 1 + spatial, usual: null };
    return { min: axis + 2, max: null, usual: axis + 3 };
  }
  if (layer.type === "Pooling" || layer.type === "LRN") return { min: 4, max: 4, usual: null };
  if (layer.type === "InnerProduct") {
    const axis = layer.param.inner_product_param?.axis ?? 1;
    return { min: axis >= 0 ? axis + 1 : -axis, max: null, usual: null };
  }
  return null;
}

const dimsText = (dims: readonly (number | null)[]): string => dims.map((d) => (d === null ? "?" : String(d))).join(",");

/** The warning for a given shape an Input layer declares otherwise. */
function declaredDiffers(model: NetModel, graph: BlobGraph, version: number, dims: readonly number[], sourceMap?: SourceMap): Diagnostic | null {
  const producer = graph.versions[version]!.producer;
  if (producer === null) return null;
  const layer = model.layers[producer.layer]!;
  if (layer.type !== "Input") return null;
  const declared = inputShape({ layer, inputs: [] })?.[producer.top] ?? null;
  if (declared === null || (declared.length === dims.length && declared.every((d, i) => d === dims[i]))) return null;
  const range = layer.synthetic ? sourceMap?.rangeOf(model.source, "input", producer.top) : sourceMap?.rangeOf(layer.param);
  return diagnostic("input-shape-declared", "warning", range, {
    blob: graph.versions[version]!.blob,
    // null for the top-level `input` fields, which no layer of the file declares.
    layer: layer.synthetic ? null : layer.name,
    declared: dimsText(declared),
    given: dimsText(dims),
  });
}

/** A Reshape whose input (from a given shape) holds a count of values its target cannot take. */
function reshapeMismatch(layer: NetLayer, input: Shape, output: Shape): boolean {
  if (layer.type !== "Reshape" || !isComplete(input) || output === null) return false;
  return !isComplete(output) || product(output) !== product(input);
}

/**
 * What is wrong with the shape the layer at `position` reads on bottom 0 (which follows from a given
 * shape; `direct`: it is the given shape itself): a rank the layer refuses, or a count of values a
 * Reshape cannot take. Null when nothing is.
 */
function layerError(model: NetModel, graph: BlobGraph, shapes: readonly Shape[], position: number, direct: boolean, sourceMap?: SourceMap): Diagnostic | null {
  const layer = model.layers[position]!;
  const first = graph.bottoms[position]![0]!;
  const input = shapes[first] ?? null;
  if (input === null) return null;
  const blob = graph.versions[first]!.blob;
  const range = layer.synthetic ? undefined : sourceMap?.rangeOf(layer.param);
  const need = rankNeed(layer);
  const rank = input.length;
  if (need !== null && (rank < need.min || (need.max !== null && rank > need.max))) {
    return diagnostic("input-shape-rank", "error", range, { layer: layer.name, type: layer.type, blob, rank, min: need.min, max: need.max, usual: need.usual, direct });
  }
  const top = graph.tops[position]![0];
  if (reshapeMismatch(layer, input, top === undefined ? null : shapes[top] ?? null)) {
    const target = (layer.param.reshape_param?.shape?.dim ?? []).join(",");
    return diagnostic("input-shape-values", "error", range, { layer: layer.name, type: layer.type, blob, shape: dimsText(input), target });
  }
  return null;
}

/**
 * Checks every layer whose bottom 0 follows from a given shape (`given`: shapes by version id, as
 * resolved), walking the net in order as the shapes were inferred. Returns errors with the layer, its
 * type and what it needs, and the warnings of Input layers that declare another shape.
 */
export function checkInputShapes(
  model: NetModel,
  graph: BlobGraph,
  shapes: readonly Shape[],
  given: ReadonlyMap<number, readonly number[]>,
  sourceMap?: SourceMap,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (given.size === 0) return diagnostics;
  for (const [version, dims] of given) {
    const warning = declaredDiffers(model, graph, version, dims, sourceMap);
    if (warning) diagnostics.push(warning);
  }
  const derived = new Set(given.keys());
  graph.bottoms.forEach((bottoms, position) => {
    if (!bottoms.some((id) => derived.has(id))) return;
    const first = bottoms[0]!;
    const error = derived.has(first) ? layerError(model, graph, shapes, position, given.has(first), sourceMap) : null;
    // One error per path: what a refused layer computes is not checked again downstream.
    if (error) return void diagnostics.push(error);
    for (const id of graph.tops[position]!) derived.add(id);
  });
  return diagnostics;
}
