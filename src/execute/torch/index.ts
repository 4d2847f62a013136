/**
 * The PyTorch-semantics executor: runs the module graph `export` emits (its modules, helper modules
 * and forward expressions, with PyTorch's formulas and parameter layout) without Python.
 *
 * Placeholder for the interface other modules build against; the implementation replaces it.
 */
import type { TorchGraph } from "../../convert/torch-graph.js";
import type { ExecuteOptions, ExecuteResult } from "../net.js";
import type { Blob } from "../types.js";

/**
 * Runs `graph` forward as the emitted `Net.forward_layers` does and records every Caffe top (named
 * by Caffe blob name, layers by Caffe layer name) right after its layer ran.
 *
 * @param state the emitted model's `state_dict()` by key (what `exportState` writes), torch layout
 * @param inputs the values of the net's input blobs, by Caffe blob name
 */
export function executeTorchGraph(
  graph: TorchGraph,
  state: ReadonlyMap<string, Blob>,
  inputs: ReadonlyMap<string, Blob>,
  options: Pick<ExecuteOptions, "onLayer" | "keep"> = {},
): ExecuteResult {
  void graph; void state; void inputs; void options;
  throw new Error("executeTorchGraph: not implemented yet");
}
