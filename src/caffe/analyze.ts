import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { NetParameter } from "../schema/caffe-types.js";
import type { SourceMap } from "../schema/locations.js";
import { buildBlobGraph, type BlobGraph } from "./blobs.js";
import { buildNet, type NetModel } from "./net.js";
import { pairBatchNorms, type BnPairing } from "./pairing.js";
import type { NetStateOptions } from "./phase.js";
import { checkInputShapes } from "./input-shape-check.js";
import { resolveInputShapes, type InputShape } from "./input-shapes.js";
import { inferShapes } from "./shapes.js";
import type { Shape } from "./shape-util.js";

/** A net analysed in one state: model, data flow, shapes and BatchNorm blocks. */
export interface NetAnalysis {
  model: NetModel;
  graph: BlobGraph;
  /** Shape of every blob version, by version id. */
  shapes: Shape[];
  /** One entry per BatchNorm-type layer, in file order. */
  pairings: BnPairing[];
  /** Findings of the model and the blob graph. */
  diagnostics: Diagnostic[];
}

/** Options of {@link analyzeNet}. */
export interface AnalyzeOptions {
  /**
   * Shapes for the net's input blobs from outside the prototxt (`--input-shape`): shape inference
   * starts from them as from an Input layer's. Mistakes are errors among the diagnostics.
   */
  inputShapes?: readonly InputShape[];
}

/** Runs the whole net model over a bound NetParameter. */
export function analyzeNet(net: NetParameter, state: NetStateOptions = {}, sourceMap?: SourceMap, options: AnalyzeOptions = {}): NetAnalysis {
  const model = buildNet(net, state, sourceMap);
  const graph = buildBlobGraph(model, sourceMap);
  const given = resolveInputShapes(model, graph, options.inputShapes ?? []);
  const shapes = inferShapes(model, graph, sourceMap, given.versions);
  const checks = checkInputShapes(model, graph, shapes, given.versions, sourceMap);
  const pairings = pairBatchNorms(model, graph, shapes, sourceMap);
  return { model, graph, shapes, pairings, diagnostics: [...model.diagnostics, ...graph.diagnostics, ...given.diagnostics, ...checks] };
}
