/**
 * A golden case of ../shared/golden/nets set up for `verify --net` in-process: the graph export
 * builds, both sides' weights from the case's caffemodel, the recorded inputs — with an optional
 * mutation of the graph or the state, to prove the comparison names a broken mapping.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildNet } from "../../../src/caffe/net.js";
import { buildTorchGraph } from "../../../src/convert/graph.js";
import type { TorchGraph, TorchNode } from "../../../src/convert/torch-graph.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import { readNet } from "../../../src/schema/read.js";
import { readRecording, type Recording } from "../../../src/verify/net/record.js";
import type { NetSetup } from "../../../src/verify/net/run.js";
import { DEFAULT_NET_TOLERANCE } from "../../../src/verify/net/tolerance.js";
import { labelClasses, seededInputs } from "../../../src/verify/net/inputs.js";
import { seededCaffemodel } from "../../../src/verify/net/seeded-weights.js";
import { netWeights, type NetWeights } from "../../../src/verify/net/weights.js";
import { GOLDEN_DIR } from "../../helpers/paths.js";

export const NETS_DIR = join(GOLDEN_DIR, "nets");

/** Changes to an export before it runs: its graph (before the state is laid out), then its state. */
export interface GraphMutation {
  graph?: (graph: TorchGraph) => void;
  state?: (weights: NetWeights, graph: TorchGraph) => void;
}

/** A case ready for verifyLayers: the setup, its weights, and its recording. */
export interface GoldenNet {
  setup: NetSetup;
  weights: NetWeights;
  recording: Recording;
}

/** The node of `layer` (throws when the graph has none). */
export function nodeOf(graph: TorchGraph, layer: string): TorchNode {
  const node = graph.nodes.find((n) => n.layer === layer);
  if (!node) throw new Error(`no layer ${layer}`);
  return node;
}

/** Loads case `name` (optionally mutated) as `verify --net --weights` would set it up. */
export function goldenNet(name: string, mutation: GraphMutation = {}): GoldenNet {
  const dir = join(NETS_DIR, name);
  const source = join(dir, "net.prototxt");
  const read = readNet(readFileSync(source, "utf8"), { allowUnknown: true, upgrade: true });
  const { graph } = buildTorchGraph(read, { phase: "TEST", source });
  mutation.graph?.(graph);
  const weights = netWeights(graph, readFileSync(join(dir, "weights.caffemodel")));
  mutation.state?.(weights, graph);
  const recording = readRecording(readFileSync(join(dir, "record.json"), "utf8"), readFileSync(join(dir, "record.safetensors")));
  return { setup: setupOf(source, read, graph, weights, recording.inputs), weights, recording };
}

/** The setup of `verify --net` (TEST phase, default tolerance) from its parts. */
function setupOf(source: string, read: ReturnType<typeof readNet>, graph: TorchGraph, weights: NetWeights, inputs: NetSetup["inputs"]): NetSetup {
  return {
    source,
    text: read.text,
    sourceMap: read.sourceMap,
    model: buildNet(read.net as NetParameter, { phase: "TEST" }, read.sourceMap),
    graph,
    caffeWeights: weights.caffe,
    state: weights.state,
    inputs,
    tolerance: DEFAULT_NET_TOLERANCE,
  };
}

/** A net given as prototxt text with seeded weights and inputs, set up as `verify --net` would. */
export function seededNet(text: string, seed = 0): Omit<GoldenNet, "recording"> {
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const { graph, convert } = buildTorchGraph(read, { phase: "TEST", source: "net.prototxt" });
  const weights = netWeights(graph, seededCaffemodel(graph, seed));
  const inputs = seededInputs(graph.inputs, convert.analysis.model, seed, labelClasses(convert.analysis));
  return { setup: setupOf("net.prototxt", read, graph, weights, inputs), weights };
}

/** Replaces a state tensor (float32) in both forms the sides read: the blob map and the export tensors. */
export function setState(weights: NetWeights, key: string, data: Float32Array): void {
  const old = weights.state.get(key);
  if (!old) throw new Error(`no state ${key}`);
  weights.state.set(key, { shape: old.shape, data });
  weights.tensors.set(key, { dtype: "F32", shape: [...old.shape], data });
}

/** Each kernel of a [.., .., kh, kw] weight rotated by 180° (a flipped convolution kernel). */
export function flipKernels(shape: readonly number[], data: Float32Array): Float32Array {
  const spatial = shape.slice(2).reduce((a, d) => a * d, 1);
  const out = new Float32Array(data.length);
  for (let s = 0; s < data.length; s += spatial) for (let i = 0; i < spatial; i++) out[s + i] = data[s + spatial - 1 - i]!;
  return out;
}
