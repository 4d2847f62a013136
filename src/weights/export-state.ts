import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BlobLayout, ConstantState, ParamBinding, TorchGraph, TorchNode } from "../convert/torch-graph.js";
import { decodeBlobs, formatShape, readCaffemodel, shapeCount, type Caffemodel, type WeightBlob, type WeightLayer } from "./caffemodel.js";
import type { SafetensorsTensor } from "./safetensors.js";
import { estimateUpdates } from "./statistics.js";

/** The state_dict of the exported net, from a caffemodel. */
export interface ExportState {
  tensors: Map<string, SafetensorsTensor>;
  /** Caffemodel layers matching no layer of the net (Caffe ignores them). */
  unused: string[];
  /** Errors (codes `weights-*`) name the layer and both shapes; nothing is written when any. */
  diagnostics: Diagnostic[];
}

const fround = Math.fround;

/**
 * Caffe's Blob::ShapeEquals: equal shapes, or, for a blob saved with the legacy
 * num/channels/height/width fields, the target's shape seen as 4-D with leading 1s.
 */
function shapeMatches(blob: WeightBlob, expected: readonly number[]): boolean {
  if (blob.shape.length === expected.length && blob.shape.every((d, i) => d === expected[i])) return true;
  if (!blob.legacy || expected.length > 4) return false;
  const padded = [...Array<number>(4 - expected.length).fill(1), ...expected];
  return padded.every((d, i) => d === blob.shape[i]);
}

/** The tensor a binding's layout makes of a blob, in the PyTorch shape. */
function laidOut(layout: BlobLayout, blob: WeightBlob, blobs: readonly WeightBlob[], shape: readonly number[]): SafetensorsTensor {
  switch (layout.kind) {
    case "same":
    case "reshape":
    case "bn-scale-factor":
      return { dtype: "F32", shape: [...shape], data: blob.data };
    case "transpose": {
      // Caffe's [K, N] to Linear's [N, K].
      const [n, k] = shape as [number, number];
      const out = new Float32Array(n * k);
      for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) out[j * k + i] = blob.data[i * n + j]!;
      return { dtype: "F32", shape: [n, k], data: out };
    }
    case "bn-statistic": {
      // BatchNormLayer::Forward_cpu: sum · fround(1/s) in float32, 0 when s is 0.
      const s = blobs[layout.scaleBlob]?.data[0] ?? 0;
      const factor = s === 0 ? 0 : fround(1 / s);
      const out = new Float32Array(blob.data.length);
      for (let i = 0; i < out.length; i++) out[i] = blob.data[i]! * factor;
      return { dtype: "F32", shape: [...shape], data: out };
    }
    case "bn-batches": {
      const updates = estimateUpdates(blob.data[0] ?? 0, layout.fraction) ?? 0;
      return { dtype: "I64", shape: [], data: BigInt64Array.of(BigInt(updates)) };
    }
  }
}

/** The tensor of a constant (float32, or int64 for counters). */
function constantTensor(c: ConstantState): SafetensorsTensor {
  const count = shapeCount(c.shape);
  if (c.dtype === "I64") return { dtype: "I64", shape: c.shape, data: new BigInt64Array(count).fill(BigInt(c.value)) };
  return { dtype: "F32", shape: c.shape, data: new Float32Array(count).fill(c.value) };
}

/** The blob shape a binding expects from the caffemodel. */
const expectedShape = (b: ParamBinding): number[] | null => b.caffeShape ?? b.shape;

function nodeState(node: TorchNode, source: WeightLayer, blobs: WeightBlob[], out: Map<string, SafetensorsTensor>, diagnostics: Diagnostic[]): void {
  const count = Math.max(...node.params.map((p) => p.blob)) + 1;
  if (blobs.length !== count) {
    diagnostics.push(diagnostic("weights-blob-count", "error", undefined, { layer: node.layer, role: node.type, expected: count, actual: blobs.length }));
    return;
  }
  for (const binding of node.params) {
    const blob = blobs[binding.blob]!;
    const expected = expectedShape(binding);
    const shapeOk = expected === null ? true : shapeMatches(blob, expected);
    if (!shapeOk || (binding.shape !== null && shapeCount(binding.shape) !== blob.data.length)) {
      diagnostics.push(
        diagnostic("weights-shape-mismatch", "error", undefined, {
          layer: node.layer,
          role: node.type,
          blob: binding.blob,
          expected: expected === null ? "?" : formatShape(expected),
          actual: formatShape(blob.shape),
        }),
      );
      continue;
    }
    const shape = binding.shape ?? blob.shape;
    if (binding.key !== null) out.set(binding.key, laidOut(binding.layout, blob, blobs, shape));
    if (binding.derived) out.set(binding.derived.key, laidOut(binding.derived.layout, blob, blobs, shape));
  }
  void source;
}

/**
 * Every blob of the caffemodel to its PyTorch tensor, matching layers by name as Caffe's
 * Net::CopyTrainedLayersFrom does. A layer of the net with blobs that the caffemodel lacks, a wrong
 * blob count or a wrong shape is an error naming the layer (and both shapes). `caffemodel` is its bytes,
 * or the file as readCaffemodel read it.
 */
export function exportState(graph: TorchGraph, caffemodel: Uint8Array | Caffemodel): ExportState {
  // An already-read caffemodel is taken as it is (verify --net reads it once for both sides).
  const model = caffemodel instanceof Uint8Array ? readCaffemodel(caffemodel) : caffemodel;
  const diagnostics: Diagnostic[] = [...model.diagnostics];
  const tensors = new Map<string, SafetensorsTensor>();
  const byName = new Map<string, WeightLayer>();
  for (const layer of model.layers) if (!byName.has(layer.name)) byName.set(layer.name, layer);
  const netNames = new Set(graph.nodes.map((n) => n.layer));
  const unused = [...byName.keys()].filter((n) => !netNames.has(n));
  if (diagnostics.some((d) => d.severity === "error")) return { tensors, unused, diagnostics };
  for (const node of graph.nodes) {
    // A stub (--allow-stubs) has no tensors to fill: its trained blobs are not written, and the user is told.
    const stubBlobs = node.stub ? byName.get(node.layer)?.blobs.length ?? 0 : 0;
    if (stubBlobs > 0) diagnostics.push(diagnostic("weights-stub-blobs", "warning", undefined, { layer: node.layer, count: stubBlobs }));
    if (node.params.length === 0) continue;
    const source = byName.get(node.layer);
    if (!source) {
      const expected = node.params.map((b) => {
        const shape = expectedShape(b);
        return shape === null ? "?" : formatShape(shape);
      });
      diagnostics.push(diagnostic("weights-net-layer-missing", "error", undefined, { layer: node.layer, type: node.type, expected: expected.join(" and ") }));
      continue;
    }
    const decoded = decodeBlobs(model, source);
    diagnostics.push(...decoded.diagnostics);
    if (decoded.diagnostics.some((d) => d.severity === "error")) continue;
    nodeState(node, source, decoded.blobs, tensors, diagnostics);
  }
  for (const node of graph.nodes) {
    for (const c of node.constants ?? []) tensors.set(c.key, constantTensor(c));
  }
  return { tensors, unused, diagnostics };
}
