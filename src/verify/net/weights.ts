/**
 * Both sides' parameters from one caffemodel: the Caffe executor's blobs by layer name (as
 * Net::CopyTrainedLayersFrom matches them), and the emitted model's state (exportState, the
 * converter's layouts) as float32 blobs.
 */
import type { TorchGraph } from "../../convert/torch-graph.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Blob } from "../../execute/types.js";
import { decodeBlobs, readCaffemodel } from "../../weights/caffemodel.js";
import { exportState } from "../../weights/export-state.js";
import type { SafetensorsTensor } from "../../weights/safetensors.js";

/** The two sides' parameters, and what was wrong with the file. */
export interface NetWeights {
  caffe: Map<string, Blob[]>;
  /** The state_dict tensors as export writes them (model.safetensors). */
  tensors: Map<string, SafetensorsTensor>;
  /** The same state as float32 blobs (int64 counters converted), for our PyTorch executor. */
  state: Map<string, Blob>;
  /** Errors and warnings of reading the file and laying out the state (codes `weights-*`, decoding). */
  diagnostics: Diagnostic[];
}

/**
 * Reads `bytes` (a caffemodel) for both sides of `graph`. The values are views into `bytes`, shared
 * by both sides where the layouts agree: the bytes are taken over (not a caffemodel afterwards).
 */
export function netWeights(graph: TorchGraph, bytes: Uint8Array): NetWeights {
  const model = readCaffemodel(bytes, { ownBytes: true });
  const diagnostics: Diagnostic[] = [...model.diagnostics];
  const caffe = new Map<string, Blob[]>();
  for (const layer of model.layers) {
    const { blobs, diagnostics: found } = decodeBlobs(model, layer);
    diagnostics.push(...found);
    // The first layer of a name wins, as Net::CopyTrainedLayersFrom copies into every layer of that name once.
    if (blobs.length > 0 && !caffe.has(layer.name)) caffe.set(layer.name, blobs.map((b) => ({ shape: b.shape, data: b.data, legacy: b.legacy })));
  }
  const exported = exportState(graph, model);
  diagnostics.push(...exported.diagnostics);
  const state = new Map<string, Blob>();
  for (const [key, t] of exported.tensors) state.set(key, { shape: [...t.shape], data: t.dtype === "F32" ? t.data : Float32Array.from(t.data, (v) => Number(v)) });
  // exportState repeats the file's diagnostics and the blobs' (decoded once: the same objects): each once.
  return { caffe, tensors: exported.tensors, state, diagnostics: [...new Set(diagnostics)] };
}
