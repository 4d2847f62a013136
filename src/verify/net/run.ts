/**
 * `verify --net`: the Caffe executor's forward of the net (the reference, independent of the
 * converter) against a PyTorch side — our executor of the emitted graph, the real model.py, or a
 * recording — compared layer by layer, with the first divergent layer explained.
 */
import { DATA_LAYER_TYPES } from "../../caffe/input-shapes.js";
import type { NetLayer, NetModel } from "../../caffe/net.js";
import type { TorchGraph } from "../../convert/torch-graph.js";
import { executeNet, type ExecuteResult } from "../../execute/net.js";
import { executorOf } from "../../execute/registry.js";
import { executeTorchGraph } from "../../execute/torch/index.js";
import type { Blob, LayerExecutor } from "../../execute/types.js";
import type { SourceMap } from "../../schema/locations.js";
import type { NetVerification } from "../net-types.js";
import { likelyCause } from "./causes.js";
import { compareLayers, firstDivergent, type ReferenceLayer } from "./compare.js";
import { caffeParameters, torchDescription } from "./describe.js";
import { executeFailureMessage } from "./messages.js";
import type { SideRecords, TopValues } from "./records.js";

/**
 * The PyTorch side as a function: `executeTorchGraph(graph, state, inputs)` of src/execute/torch,
 * or a stand-in (tests inject deliberately wrong ones).
 */
export type TorchSide = (graph: TorchGraph, state: ReadonlyMap<string, Blob>, inputs: ReadonlyMap<string, Blob>) => ExecuteResult;

/** The PyTorch side `verify --net` runs by default: our executor of the emitted graph. */
export const defaultTorchSide: TorchSide = executeTorchGraph;

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

/** The Caffe executor's forward: the reference layers, or where it stopped. */
export function runCaffeSide(setup: NetSetup, executors?: ReadonlyMap<string, LayerExecutor>): { reference: ReferenceLayer[]; failure: ForwardFailure | null } {
  const overrides = new Map([...dataLayersAsInputs(), ...(executors ?? [])]);
  const result = executeNet(setup.model, setup.inputs, setup.caffeWeights, { executors: overrides, sourceMap: setup.sourceMap });
  const reference = result.layers.map((l) => ({ name: l.name, type: l.type, tops: l.tops.map((t): TopValues => ({ shape: t.shape, data: t.data })) }));
  if (!result.error) return { reference, failure: null };
  const e = result.error;
  return { reference, failure: { layer: e.layer, type: e.type, ...positionOf(setup, e.layer), message: executeFailureMessage(e.code, e.data) } };
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

/**
 * Compares `candidate` with `reference` layer by layer and explains the first divergent layer: its
 * Caffe parameters, the PyTorch module it became and a likely cause.
 */
export function verifyLayers(setup: NetSetup, reference: readonly ReferenceLayer[], candidate: SideRecords, options: VerifyLayersOptions): NetVerification {
  const checks = compareLayers(reference, candidate, setup.tolerance);
  const nodes = new Map(setup.graph.nodes.map((n) => [n.layer, n]));
  for (const check of checks) {
    const node = nodes.get(check.name);
    if (node) check.torch = torchDescription(node, setup.graph);
  }
  const first = firstDivergent(checks);
  let cause: NetVerification["cause"] = null;
  if (first !== null) {
    const layer: NetLayer | undefined = setup.model.layers.find((l) => l.name === first);
    const node = nodes.get(first);
    const ref = reference.find((l) => l.name === first);
    const got = candidate.layers.find((l) => l.name === first);
    const shapeDiffers = !!(ref?.tops[0] && got?.tops[0]) && (ref.tops[0].shape.length !== got.tops[0].shape.length || ref.tops[0].shape.some((d, i) => d !== got.tops[0]!.shape[i]));
    const failed = candidate.error && !got ? candidate.error : null;
    let likely: string | null;
    if (failed !== null) likely = `the ${options.candidateIsCaffeExecutor ? "Caffe executor" : "PyTorch side"} stopped ${failed.layer === first ? "here" : `at layer "${failed.layer}"`}: ${failed.message}`;
    else if (!got) likely = "the PyTorch side records no tops for this layer";
    else if (options.candidateIsCaffeExecutor) likely = "the Caffe executor differs from the recording here: a case our executor of this type does not reproduce, or a recording from another Caffe build (a fork)";
    else likely = layer ? likelyCause({ layer, node, shapeDiffers, caffeBlobs: setup.caffeWeights.get(first) ?? [], state: options.state ?? null }) : null;
    if (shapeDiffers && got?.tops[0] && ref?.tops[0]) {
      const shapes = `shape [${ref.tops[0].shape.join(", ")}] in Caffe, [${got.tops[0].shape.join(", ")}] in PyTorch`;
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
