import { computesLoss } from "../caffe/layers/loss-weights.js";
import { buildBlobGraph, type BlobGraph } from "../caffe/blobs.js";
import { buildNet, netLayerOf, type NetLayer, type NetModel } from "../caffe/net.js";
import { pairBatchNorms, type BnPairing } from "../caffe/pairing.js";
import { inferShapes, type Shape } from "../caffe/shapes.js";
import type { LayerParameter, NetParameter, Phase } from "../schema/caffe-types.js";
import type { ReadResult } from "../schema/read.js";
import type { LintPhase } from "./rule.js";

/** Everything phase rules read about the net in one phase, computed once per file and phase. */
export interface PhaseAnalysis {
  phase: LintPhase;
  model: NetModel;
  graph: BlobGraph;
  /** Shape of each blob version (index = version id). */
  shapes: Shape[];
  pairings: BnPairing[];
  /**
   * Whether the net can be trained as written in this phase: some active layer computes a loss
   * (a type ending in `Loss`, or a `loss_weight`). Caffe's solver needs one; a deploy net has none,
   * so TRAIN-only advice (frozen statistics, batch of one) is not about such a file.
   */
  trainable: boolean;
  /**
   * Whether anything feeds the net in this phase: some active layer makes tops from no bottoms
   * (a data or Input layer, or top-level inputs). A train-only file (its data layer included in
   * TRAIN only) is not meant to run in TEST, where every layer would report an unknown bottom.
   */
  runnable: boolean;
}

/** Caffe's name of a lint phase. */
export function caffePhase(phase: LintPhase): Phase {
  return phase === "train" ? "TRAIN" : "TEST";
}

/** Builds the net model, blob graph, shapes and BatchNorm pairings of one phase. */
export function analyzePhase(read: ReadResult, phase: LintPhase): PhaseAnalysis {
  const net = read.net as NetParameter;
  const model = buildNet(net, { phase: caffePhase(phase) }, read.sourceMap);
  const graph = buildBlobGraph(model, read.sourceMap);
  const shapes = inferShapes(model, graph, read.sourceMap);
  const pairings = pairBatchNorms(model, graph, shapes, read.sourceMap);
  const runnable = model.layers.some((layer) => layer.bottoms.length === 0 && layer.tops.length > 0);
  return { phase, model, graph, shapes, pairings, trainable: model.layers.some(computesLoss), runnable };
}

/**
 * Analyses for each requested phase. When no layer has include/exclude rules (and the file sets
 * no state), every phase instantiates the same layers, so the model, graph, shapes and pairings
 * of the first phase serve the others: lint time on deploy files halves.
 */
export function analyzePhases(read: ReadResult, phases: readonly LintPhase[]): PhaseAnalysis[] {
  const net = read.net as NetParameter;
  const filtered = net.state !== undefined || (net.layer ?? []).some((l) => (l.include?.length ?? 0) > 0 || (l.exclude?.length ?? 0) > 0);
  if (filtered || phases.length < 2) return phases.map((phase) => analyzePhase(read, phase));
  const first = analyzePhase(read, phases[0]!);
  return phases.map((phase, i) => (i === 0 ? first : { ...first, phase }));
}

const fileLayersOf = new WeakMap<ReadResult, readonly NetLayer[]>();

/**
 * Every `layer` of the file in file order, whatever its phase (file-scope rules read these).
 * Made once per read: half a dozen rules walk them, and a cold lint of a large net felt each walk.
 */
export function fileLayers(read: ReadResult): readonly NetLayer[] {
  let layers = fileLayersOf.get(read);
  if (!layers) {
    layers = (((read.net as NetParameter).layer ?? []) as LayerParameter[]).map(netLayerOf);
    fileLayersOf.set(read, layers);
  }
  return layers;
}

/** The file layer whose text contains `offset`, if any (layers never nest). */
export function layerAt(read: ReadResult, layers: readonly NetLayer[], offset: number): NetLayer | undefined {
  return layers.find((layer) => {
    const range = read.sourceMap.get(layer.param)?.range;
    return range !== undefined && range.offset <= offset && offset < range.offset + range.length;
  });
}
