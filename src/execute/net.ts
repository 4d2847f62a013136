/**
 * A Caffe-semantics forward of a whole net: every layer of the net model in Caffe's order, each by
 * its executor (registry.ts), reading its own parameters from the net and its blobs from the
 * caffemodel values the caller decoded.
 */
import { lossWeightsOf } from "../caffe/layers/loss-weights.js";
import type { NetLayer, NetModel } from "../caffe/net.js";
import type { SourceMap } from "../schema/locations.js";
import { lastReads, Recycler } from "./lifetimes.js";
import { executorOf } from "./registry.js";
import { ExecuteError, type Blob, type LayerExecutor, type Phase } from "./types.js";

/** One top right after its layer ran. */
export interface TopRecord {
  blob: string;
  shape: number[];
  /** The values (never written again: a later in-place layer produces a new buffer). */
  data: Float32Array;
}

/** One layer that ran. */
export interface LayerRecord {
  name: string;
  type: string;
  /** Position in `model.layers`. */
  position: number;
  tops: TopRecord[];
  /** The layer's parameter blobs after its forward, when the forward wrote them (BatchNorm with batch statistics). */
  params?: Blob[];
  /** What the layer adds to the net's loss (Σ loss_weight · top), when some top has a loss weight. */
  loss?: number;
}

/** Why the forward stopped. */
export interface ExecuteFailure {
  layer: string;
  type: string;
  position: number;
  code: string;
  data: Readonly<Record<string, unknown>>;
}

/** The layers run, in order, up to the first failure (if any). */
export interface ExecuteResult {
  layers: LayerRecord[];
  error: ExecuteFailure | null;
  /** The last version of every blob. */
  blobs: Map<string, Blob>;
  /**
   * The net's loss as Net::Forward returns it: each layer's Σ loss_weight·top added in float32, in
   * layer order (up to a failure). Set by executeNet.
   */
  loss?: number;
  /** The parameter blobs a forward wrote, by layer name (BatchNorm's running sums). Set by executeNet. */
  updatedParams?: Map<string, Blob[]>;
}

export interface ExecuteOptions {
  /** Replacement executors by type (e.g. a deliberately wrong one, to prove a comparison sees it). */
  executors?: ReadonlyMap<string, LayerExecutor>;
  /** Called after each layer with its record. */
  onLayer?: (record: LayerRecord) => void;
  /** Keep each layer's record in the result (default true; false keeps only the last blob versions). */
  keep?: boolean;
  /** The source map of the read net (readNet's), from which fork layers read their parameters. */
  sourceMap?: SourceMap;
}

/**
 * Runs the net model forward in its phase (`model.state.phase`).
 *
 * @param inputs the values of the net's input blobs, by blob name (the tops of Input layers)
 * @param weights each layer's parameter blobs by layer name, in blob order (a decoded caffemodel)
 */
export function executeNet(
  model: NetModel,
  inputs: ReadonlyMap<string, Blob>,
  weights: ReadonlyMap<string, readonly Blob[]>,
  options: ExecuteOptions = {},
): ExecuteResult {
  return runToEnd(netSteps(model, inputs, weights, options));
}

/** Runs a forward's steps to the end (each record goes to `onLayer` and `keep` as the steps say) and returns its result. */
export function runToEnd(steps: Generator<LayerRecord, ExecuteResult, void>): ExecuteResult {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * {@link executeNet} one layer at a time: yields each layer's record as it is produced (after
 * `onLayer`), and returns the result. A caller that compares records as they come and drops them
 * (with `keep: false`) holds only the blobs the net still reads.
 */
export function* netSteps(
  model: NetModel,
  inputs: ReadonlyMap<string, Blob>,
  weights: ReadonlyMap<string, readonly Blob[]>,
  options: ExecuteOptions = {},
): Generator<LayerRecord, ExecuteResult, void> {
  const phase: Phase = model.state.phase === "TRAIN" ? "TRAIN" : "TEST";
  const blobs = new Map<string, Blob>();
  const layers: LayerRecord[] = [];
  const keep = options.keep ?? true;
  const updatedParams = new Map<string, Blob[]>();
  // Recycling (a running pool, nothing kept) leaves in the result's `blobs` only the blobs read to
  // the end, and the net's outputs.
  const live = new Recycler(blobs, keep, () => lastReads(model.layers, (l) => l.bottoms));
  let loss = 0;
  for (let position = 0; position < model.layers.length; position++) {
    const layer = model.layers[position]!;
    const failure = (code: string, data: Readonly<Record<string, unknown>>): ExecuteResult => ({
      layers,
      error: { layer: layer.name, type: layer.type, position, code, data },
      blobs,
      loss,
      updatedParams,
    });
    const executor = options.executors?.get(layer.type) ?? executorOf(layer.type);
    if (!executor) return failure("unsupported-type", { type: layer.type });
    const bottoms: Blob[] = [];
    for (const name of layer.bottoms) {
      const blob = blobs.get(name);
      if (!blob) return failure("unknown-bottom", { blob: name });
      bottoms.push(blob);
    }
    let tops: Blob[];
    let params: Blob[] | undefined;
    const updateParams = (written: Blob[]): void => void (params = written);
    try {
      tops = executor.forward({ layer, bottoms, params: weights.get(layer.name) ?? [], phase, inputs, updateParams, sourceMap: options.sourceMap });
    } catch (e) {
      if (e instanceof ExecuteError) return failure(e.code, e.data);
      throw e;
    }
    if (tops.length !== layer.tops.length) return failure("top-count", { expected: layer.tops.length, actual: tops.length });
    const layerLoss = lossOf(layer, tops);
    if (layerLoss === "count-mismatch") return failure("loss-weight-count", { weights: layer.param.loss_weight ?? [], tops: layer.tops.length });
    const record: LayerRecord = { name: layer.name, type: layer.type, position, tops: [] };
    layer.tops.forEach((name, i) => {
      const top = tops[i]!;
      live.set(name, top);
      record.tops.push({ blob: name, shape: [...top.shape], data: top.data });
    });
    live.endStep(position, layer.bottoms, layer.tops);
    if (params) {
      record.params = params;
      updatedParams.set(layer.name, params);
    }
    if (layerLoss !== null) {
      record.loss = layerLoss;
      // Net::ForwardFromTo: `loss += layer_loss` in Dtype.
      loss = Math.fround(loss + layerLoss);
    }
    options.onLayer?.(record);
    if (keep) layers.push(record);
    yield record;
  }
  return { layers, error: null, blobs, loss, updatedParams };
}

/**
 * What Layer::Forward adds to the loss: for each top with a loss weight, caffe_cpu_dot of the top
 * with its diff (SetLossWeights fills it with the weight), added in Dtype; null when no top has a
 * weight. The dot is summed in double and rounded once (a loss top has one value: one product).
 */
function lossOf(layer: NetLayer, tops: readonly Blob[]): number | null | "count-mismatch" {
  const { weights, countMismatch } = lossWeightsOf(layer);
  // Layer::SetLossWeights: CHECK_EQ(top.size(), loss_weight_size()).
  if (countMismatch) return "count-mismatch";
  if (weights.every((w) => w === 0)) return null;
  let loss = 0;
  weights.forEach((w, i) => {
    if (w === 0) return;
    const weight = Math.fround(w);
    let dot = 0;
    for (const v of tops[i]!.data) dot += v * weight;
    loss = Math.fround(loss + Math.fround(dot));
  });
  return loss;
}
