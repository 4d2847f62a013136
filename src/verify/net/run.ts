/**
 * `verify --net`: the Caffe executor's forward of the net (the reference, independent of the
 * converter) against a PyTorch side — our executor of the emitted graph, the real model.py, or a
 * recording — compared layer by layer, with the first divergent layer explained.
 */
import { DATA_LAYER_TYPES } from "../../caffe/input-shapes.js";
import type { NetLayer, NetModel } from "../../caffe/net.js";
import type { TorchGraph } from "../../convert/torch-graph.js";
import { executeNet, netSteps, type ExecuteFailure, type ExecuteResult, type LayerRecord } from "../../execute/net.js";
import { executorOf } from "../../execute/registry.js";
import { torchGraphSteps } from "../../execute/torch/index.js";
import type { Blob, LayerExecutor } from "../../execute/types.js";
import { FloatPool, releaseFloats, retainFloats } from "../../numeric/float-pool.js";
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayerCheck, NetVerification } from "../net-types.js";
import { likelyCause } from "./causes.js";
import { firstDivergent, LayerComparer, type ReferenceLayer } from "./compare.js";
import { caffeParameters, torchDescription } from "./describe.js";
import { executeFailureMessage } from "./messages.js";
import { isFull, type LayerTops, type ReferenceTop, type SideFailure, type SideRecords, type TopValues } from "./records.js";

/**
 * The PyTorch side as a function: `executeTorchGraph(graph, state, inputs)` of src/execute/torch,
 * or a stand-in (tests inject deliberately wrong ones).
 */
export type TorchSide = (graph: TorchGraph, state: ReadonlyMap<string, Blob>, inputs: ReadonlyMap<string, Blob>) => ExecuteResult;

/** A forward one layer at a time: each record as it is produced, then the result. */
export type ForwardSteps = Generator<LayerRecord, ExecuteResult, void>;

/** A PyTorch side run one layer at a time (what {@link verifyNetStreaming} compares as it goes). */
export type TorchSteps = (graph: TorchGraph, state: ReadonlyMap<string, Blob>, inputs: ReadonlyMap<string, Blob>) => ForwardSteps;

/** Our executor of the emitted graph, one layer at a time, keeping nothing it has handed out. */
export const defaultTorchSteps: TorchSteps = (graph, state, inputs) => torchGraphSteps(graph, state, inputs, { keep: false });

/** A whole-result side as steps (a stand-in's records, handed out one by one). */
export function stepsOf(side: TorchSide): TorchSteps {
  return function* (graph, state, inputs) {
    const result = side(graph, state, inputs);
    yield* result.layers;
    return result;
  };
}

/** Everything both sides are built from. */
export interface NetSetup {
  /** The net file as the user named it. */
  source: string;
  /** The prototxt text and its source map (for the Caffe parameters of a divergent layer). */
  text: string;
  sourceMap: SourceMap;
  /** The Caffe side's net model, built from the prototxt itself. */
  model: NetModel;
  graph: TorchGraph;
  /** Each layer's Caffe blobs by layer name (a decoded caffemodel). */
  caffeWeights: ReadonlyMap<string, readonly Blob[]>;
  /** The emitted model's state_dict by key (what exportState writes), as float32. */
  state: ReadonlyMap<string, Blob>;
  inputs: ReadonlyMap<string, Blob>;
  tolerance: number;
}

/** A forward that stopped: the layer (with its source position) and why. */
export interface ForwardFailure {
  layer: string;
  type: string;
  line: number;
  column: number;
  message: string;
}

/** Data layers (Data, ImageData, …) take their tops from the fed inputs, as an Input layer does. */
function dataLayersAsInputs(): ReadonlyMap<string, LayerExecutor> {
  const input = executorOf("Input")!;
  return new Map([...DATA_LAYER_TYPES].map((t) => [t, { types: [t], forward: input.forward }]));
}

/** Where a layer is in the prototxt (1-based; 0:0 without a location), from the graph's nodes. */
function positionOf(setup: NetSetup, layer: string): { line: number; column: number } {
  const node = setup.graph.nodes.find((n) => n.layer === layer);
  return node ? { line: node.line, column: node.column } : { line: 0, column: 0 };
}

/** An executor's result as a side's records. */
export function recordsOf(result: ExecuteResult): SideRecords {
  return {
    layers: result.layers.map((l) => ({ name: l.name, tops: l.tops.map((t) => ({ shape: t.shape, data: t.data })) })),
    error: result.error ? { layer: result.error.layer, message: executeFailureMessage(result.error.code, result.error.data) } : null,
  };
}

const referenceLayer = (l: LayerRecord): ReferenceLayer => ({ name: l.name, type: l.type, tops: l.tops.map((t): TopValues => ({ shape: t.shape, data: t.data })) });

function forwardFailure(setup: NetSetup, e: ExecuteFailure | null): ForwardFailure | null {
  return e && { layer: e.layer, type: e.type, ...positionOf(setup, e.layer), message: executeFailureMessage(e.code, e.data) };
}

/** The Caffe executor's forward: the reference layers, or where it stopped. */
export function runCaffeSide(setup: NetSetup, executors?: ReadonlyMap<string, LayerExecutor>): { reference: ReferenceLayer[]; failure: ForwardFailure | null } {
  const overrides = new Map([...dataLayersAsInputs(), ...(executors ?? [])]);
  const result = executeNet(setup.model, setup.inputs, setup.caffeWeights, { executors: overrides, sourceMap: setup.sourceMap });
  return { reference: result.layers.map(referenceLayer), failure: forwardFailure(setup, result.error) };
}

/** The PyTorch side through `torchSide`, as records; a thrown error becomes a failure at no layer. */
export function runTorchSide(setup: NetSetup, torchSide: TorchSide): SideRecords {
  return recordsOf(torchSide(setup.graph, setup.state, setup.inputs));
}

/** Options of {@link verifyLayers}. */
export interface VerifyLayersOptions {
  against: NetVerification["against"];
  /** For the cause: the state the candidate ran with (null for a recording or the Caffe executor). */
  state?: ReadonlyMap<string, Blob> | null;
  /** The candidate is our Caffe executor (replaying a recording): the cause then points at it. */
  candidateIsCaffeExecutor?: boolean;
}

/** What the comparison keeps of the first divergent layer, for its cause. */
interface Divergence {
  layer: string;
  referenceShape: readonly number[] | null;
  /** Null when the candidate recorded no tops for it. */
  candidateShape: readonly number[] | null;
  recorded: boolean;
}

/**
 * Pairs reference layers with the candidate's layers of the same name as both come, comparing each
 * pair at once; a candidate layer that comes early waits for its reference. Returns the checks, the
 * first divergence and where the candidate stopped.
 */
function compareStreams(
  setup: NetSetup,
  reference: Iterable<ReferenceLayer>,
  candidate: Iterator<LayerTops, SideFailure | null>,
): { checks: NetLayerCheck[]; divergence: Divergence | null; candidateError: SideFailure | null } {
  const comparer = new LayerComparer(setup.tolerance);
  const nodes = new Map(setup.graph.nodes.map((n) => [n.layer, n]));
  const waiting = new Map<string, LayerTops[]>();
  let candidateError: SideFailure | null = null;
  let candidateDone = false;
  let divergence: Divergence | null = null;
  // Both sides' tops are held while compared (a running pool may hand a buffer out again once freed).
  const hold = (layer: LayerTops<ReferenceTop>): void => layer.tops.forEach((t) => isFull(t) && retainFloats(t.data));
  const free = (layer: LayerTops<ReferenceTop> | undefined): void => layer?.tops.forEach((t) => isFull(t) && releaseFloats(t.data));
  const next = (name: string): LayerTops | undefined => {
    const queue = waiting.get(name);
    if (queue) {
      const got = queue.shift();
      if (queue.length === 0) waiting.delete(name);
      return got;
    }
    while (!candidateDone) {
      const step = candidate.next();
      if (step.done) {
        candidateDone = true;
        candidateError = step.value;
        break;
      }
      hold(step.value);
      if (step.value.name === name) return step.value;
      waiting.set(step.value.name, [...(waiting.get(step.value.name) ?? []), step.value]);
    }
    return undefined;
  };
  for (const layer of reference) {
    hold(layer);
    const got = layer.tops.length === 0 ? undefined : next(layer.name);
    const check = comparer.add(layer, got, candidateError);
    free(layer);
    free(got);
    const node = nodes.get(check.name);
    if (node) check.torch = torchDescription(node, setup.graph);
    if (divergence === null && check.status === "diverged") {
      divergence = { layer: layer.name, referenceShape: layer.tops[0]?.shape ?? null, candidateShape: got?.tops[0]?.shape ?? null, recorded: got !== undefined };
    }
  }
  return { checks: comparer.checks, divergence, candidateError };
}

/** The candidate's records handed out one by one, then where it stopped. */
function* recordSteps(records: SideRecords): Generator<LayerTops, SideFailure | null, void> {
  yield* records.layers;
  return records.error;
}

/** A forward's steps as candidate layers, then where it stopped (its failure in words). */
function* candidateSteps(steps: ForwardSteps): Generator<LayerTops, SideFailure | null, void> {
  for (;;) {
    const step = steps.next();
    if (step.done) {
      const e = step.value.error;
      return e ? { layer: e.layer, message: executeFailureMessage(e.code, e.data) } : null;
    }
    yield step.value;
  }
}

/**
 * Compares `candidate` with `reference` layer by layer and explains the first divergent layer: its
 * Caffe parameters, the PyTorch module it became and a likely cause.
 */
export function verifyLayers(setup: NetSetup, reference: readonly ReferenceLayer[], candidate: SideRecords, options: VerifyLayersOptions): NetVerification {
  return verification(setup, compareStreams(setup, reference, recordSteps(candidate)), options);
}

/** Options of {@link verifyNetStreaming}. */
export interface StreamingOptions extends VerifyLayersOptions {
  /** Where to keep the Caffe executor's layers as they pass (another comparison reads them after). */
  keepReference?: ReferenceLayer[];
  /** The pool the two sides take their tops from (a new one by default). */
  pool?: FloatPool;
}

/**
 * The Caffe executor against a PyTorch side run in step: each layer is compared as both sides have
 * produced it, and neither side keeps what was compared (ResNet-50's tops are ~190 MB a side). The
 * Caffe executor's own failure, if any, comes back with the layers compared before it.
 */
export function verifyNetStreaming(setup: NetSetup, torch: TorchSteps, options: StreamingOptions): { verification: NetVerification; failure: ForwardFailure | null } {
  const caffe = netSteps(setup.model, setup.inputs, setup.caffeWeights, { executors: dataLayersAsInputs(), sourceMap: setup.sourceMap, keep: false });
  let caffeResult: ExecuteResult | null = null;
  const keep = options.keepReference;
  const reference = function* (): Generator<ReferenceLayer, void, void> {
    for (;;) {
      const step = caffe.next();
      if (step.done) {
        caffeResult = step.value;
        return;
      }
      const layer = referenceLayer(step.value);
      if (keep) {
        // Kept for a later comparison: held for good, so the pool never hands these buffers out again.
        layer.tops.forEach((t) => isFull(t) && retainFloats(t.data));
        keep.push(layer);
      }
      yield layer;
    }
  };
  // Each buffer back to the pool once both sides are past it: the process touches only the live blobs.
  const compared = (options.pool ?? new FloatPool()).run(() => compareStreams(setup, reference(), candidateSteps(torch(setup.graph, setup.state, setup.inputs))));
  return { verification: verification(setup, compared, options), failure: forwardFailure(setup, (caffeResult as ExecuteResult | null)?.error ?? null) };
}

/** The verification of compared layers: the checks and the first divergent layer's cause. */
function verification(setup: NetSetup, compared: ReturnType<typeof compareStreams>, options: VerifyLayersOptions): NetVerification {
  const { checks, divergence, candidateError } = compared;
  const first = firstDivergent(checks);
  let cause: NetVerification["cause"] = null;
  if (first !== null) {
    const layer: NetLayer | undefined = setup.model.layers.find((l) => l.name === first);
    const node = setup.graph.nodes.find((n) => n.layer === first);
    const ref = divergence?.layer === first ? divergence.referenceShape : null;
    const got = divergence?.layer === first ? divergence.candidateShape : null;
    const recorded = divergence?.layer === first && divergence.recorded;
    const shapeDiffers = !!(ref && got) && (ref.length !== got.length || ref.some((d, i) => d !== got[i]));
    const failed = candidateError && !recorded ? candidateError : null;
    let likely: string | null;
    if (failed !== null) likely = `the ${options.candidateIsCaffeExecutor ? "Caffe executor" : "PyTorch side"} stopped ${failed.layer === first ? "here" : `at layer "${failed.layer}"`}: ${failed.message}`;
    else if (!recorded) likely = "the PyTorch side records no tops for this layer";
    else if (options.candidateIsCaffeExecutor) likely = "the Caffe executor differs from the recording here: a case our executor of this type does not reproduce, or a recording from another Caffe build (a fork)";
    else likely = layer ? likelyCause({ layer, node, shapeDiffers, caffeBlobs: setup.caffeWeights.get(first) ?? [], state: options.state ?? null }) : null;
    if (shapeDiffers && ref && got) {
      const shapes = `shape [${ref.join(", ")}] in Caffe, [${got.join(", ")}] in PyTorch`;
      likely = likely === null ? shapes : `${shapes}: ${likely}`;
    }
    cause = {
      layer: first,
      caffe: layer ? caffeParameters(layer, setup.text, setup.sourceMap) : "",
      torch: node ? torchDescription(node, setup.graph) : "(no PyTorch counterpart)",
      likely_cause: likely,
    };
  }
  return {
    net: setup.source,
    phase: setup.model.state.phase === "TRAIN" ? "TRAIN" : "TEST",
    tolerance: setup.tolerance,
    against: options.against,
    layers: checks,
    first_divergent: first,
    cause,
    ok: first === null && checks.every((c) => c.ok),
  };
}
