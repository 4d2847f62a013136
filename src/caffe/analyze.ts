import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { NetParameter } from "../schema/caffe-types.js";
import type { SourceMap } from "../schema/locations.js";
import { buildBlobGraph, type BlobGraph } from "./blobs.js";
import { buildNet, type NetModel } from "./net.js";
import { pairBatchNorms, type BnPairing } from "./pairing.js";
import type { NetStateOptions } from "./phase.js";
import { inferShapes, type InputShapes } from "./shapes.js";
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

/** Runs the whole net model over a bound NetParameter. */
export function analyzeNet(net: NetParameter, state: NetStateOptions = {}, sourceMap?: SourceMap, inputShapes?: InputShapes): NetAnalysis {
  const model = buildNet(net, state, sourceMap);
  const graph = buildBlobGraph(model, sourceMap);
  const shapes = inferShapes(model, graph, sourceMap, inputShapes);
  const pairings = pairBatchNorms(model, graph, shapes, sourceMap);
  return { model, graph, shapes, pairings, diagnostics: [...model.diagnostics, ...graph.diagnostics] };
}
