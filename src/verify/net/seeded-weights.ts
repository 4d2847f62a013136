/**
 * Weights for `verify --net` without `--weights`: every parameter blob of the net drawn from a
 * seeded generator, written as a caffemodel so that both sides read them the way they read a real
 * one (the Caffe executor by layer name, the PyTorch state through `exportState`).
 *
 * The prototxt's fillers are not used: Caffe's default filler is the constant 0, which makes most
 * layers output their bias and agree whatever the mapping. The draws follow the golden recordings'
 * recipe (../shared/golden/nets/README.md, "Parameters and inputs"): He-normal weights, small
 * biases, BatchNorm sums with a scale factor s ≠ 1, gamma around 1, PReLU slopes in (0.05, 0.4).
 */
import type { TorchGraph, TorchNode } from "../../convert/torch-graph.js";
import { createRng, type Rng } from "../../numeric/rng.js";
import { encodeMessage } from "../../schema/encode.js";
import { loadCaffeSchema } from "../../schema/load.js";
import { writeCaffemodel, type LayerToWrite } from "./caffemodel-writer.js";

/** A layer whose blob shapes the graph does not know (the caller asks for --input-shape or --weights). */
export interface UnknownBlobShape {
  layer: string;
  type: string;
  blob: number;
}

const count = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/** Where blob i's n values go (a view into the caffemodel being written, or a new array). */
type Alloc = (blob: number, n: number) => Float32Array;

const newArrays: Alloc = (_blob, n) => new Float32Array(n);

/** The blobs of one layer, drawn in blob order. */
function drawBlobs(node: TorchNode, shapes: readonly number[][], rng: Rng, alloc: Alloc = newArrays): Float32Array[] {
  const n = shapes.map(count);
  // Each draw fills the array alloc gives for the blob that is drawn next.
  let next = 0;
  const normal = (k: number, std: number): Float32Array => {
    const out = alloc(next++, k);
    for (let i = 0; i < k; i++) out[i] = std * rng.nextNormal();
    return out;
  };
  const uniform = (k: number, lo: number, hi: number): Float32Array => {
    const out = alloc(next++, k);
    for (let i = 0; i < k; i++) out[i] = lo + (hi - lo) * rng.nextFloat();
    return out;
  };
  switch (node.type) {
    case "Convolution":
    case "Deconvolution":
    case "InnerProduct":
    case "Embed": {
      // fan_in = the blob's size without axis 0, taken literally as the recordings do.
      const fanIn = Math.max(1, count(shapes[0]!.slice(1)));
      return n.map((k, i) => (i === 0 ? normal(k, Math.sqrt(2 / fanIn)) : normal(k, 0.1)));
    }
    case "BatchNorm": {
      // Sums, not statistics: Caffe divides blobs 0 and 1 by the scale factor (blob 2).
      const s = 2 + 18 * rng.nextFloat();
      const mean = normal(n[0] ?? 0, 0.5).map((m) => m * s);
      const variance = uniform(n[1] ?? 0, 0.5, 2).map((v) => v * s);
      return [mean, variance, Float32Array.of(s)].slice(0, n.length);
    }
    case "Scale":
      // A two-bottom Scale has one blob, its beta.
      if (node.bottoms.length > 1) return n.map((k) => normal(k, 0.2));
      return n.map((k, i) => (i === 0 ? uniform(k, 0.5, 1.5) : normal(k, 0.2)));
    case "Bias":
      return n.map((k) => normal(k, 0.2));
    case "PReLU":
      return n.map((k) => uniform(k, 0.05, 0.4));
    default:
      return forkBatchNormBlobs(node, n, normal, uniform) ?? n.map((k) => normal(k, 0.1));
  }
}

/**
 * The fork BatchNorm layers (PSPNet's and SegNet's `BN`, NVIDIA's BatchNorm with five blobs), by
 * what the converter binds each blob to: a variance must be positive (a negative one is NaN on both
 * sides, and NaN hides every later difference), a scale near 1; null for a layer without statistics.
 */
function forkBatchNormBlobs(
  node: TorchNode,
  n: readonly number[],
  normal: (k: number, std: number) => Float32Array,
  uniform: (k: number, lo: number, hi: number) => Float32Array,
): Float32Array[] | null {
  const keys = n.map((_, blob) => node.params.find((p) => p.blob === blob)?.key ?? "");
  if (!keys.some((k) => k.endsWith(".running_var"))) return null;
  return n.map((k, blob) => {
    const key = keys[blob]!;
    if (key.endsWith(".running_var")) return uniform(k, 0.5, 2);
    if (key.endsWith(".running_mean")) return normal(k, 0.5);
    if (key.endsWith(".weight")) return uniform(k, 0.5, 1.5);
    return normal(k, 0.2);
  });
}

/** The Caffe shape of each blob of `node`, in blob order (null entries: unknown). */
function blobShapes(node: TorchNode): (number[] | null)[] {
  const size = node.params.length === 0 ? 0 : Math.max(...node.params.map((p) => p.blob)) + 1;
  const shapes: (number[] | null)[] = new Array<number[] | null>(size).fill(null);
  for (const p of node.params) shapes[p.blob] = p.caffeShape ?? p.shape;
  return shapes;
}

/** The layers whose blob shapes are unknown, so that no weights can be drawn for them. */
export function unknownBlobShapes(graph: TorchGraph): UnknownBlobShape[] {
  const out: UnknownBlobShape[] = [];
  for (const node of graph.nodes) {
    blobShapes(node).forEach((s, blob) => {
      if (s === null || s.some((d) => !Number.isSafeInteger(d) || d < 0)) out.push({ layer: node.layer, type: node.type, blob });
    });
  }
  return out;
}

/** How many values the parameter blobs of `graph` hold (blobs of unknown shape count 0). */
export function parameterCount(graph: TorchGraph): number {
  let n = 0;
  for (const node of graph.nodes) for (const s of blobShapes(node)) if (s !== null) n += s.reduce((p, d) => p * d, 1);
  return n;
}

/**
 * A caffemodel (NetParameter bytes) holding seeded blobs for every layer of `graph` that has
 * parameters, in layer order, as pycaffe's Net.save writes one (`layer` with `blobs`, shapes in
 * `shape.dim`). Call {@link unknownBlobShapes} first: a layer with an unknown shape throws.
 */
export function seededCaffemodel(graph: TorchGraph, seed: number, options: { shared?: boolean } = {}): Uint8Array {
  const rng = createRng(seed ^ 0x5eed);
  const layers: LayerToWrite[] = [];
  for (const node of graph.nodes) {
    const shapes = blobShapes(node);
    if (shapes.length === 0) continue;
    if (shapes.some((s) => s === null)) throw new Error(`blob shape of ${node.layer} unknown`);
    // Drawn as the writer reaches the layer, in layer order: the generator's sequence is the layers'.
    layers.push({ name: node.layer, type: node.type, shapes: shapes as number[][], fill: (alloc) => drawBlobs(node, shapes as number[][], rng, alloc) });
  }
  return writeCaffemodel(graph.net ?? "net", layers, options.shared);
}

/**
 * The same caffemodel through the general encoder (blobs drawn into arrays first): what
 * {@link seededCaffemodel} writes byte for byte (a test holds it to that).
 */
export function seededCaffemodelEncoded(graph: TorchGraph, seed: number): Uint8Array {
  const rng = createRng(seed ^ 0x5eed);
  const layers: Record<string, unknown>[] = [];
  for (const node of graph.nodes) {
    const shapes = blobShapes(node);
    if (shapes.length === 0) continue;
    if (shapes.some((s) => s === null)) throw new Error(`blob shape of ${node.layer} unknown`);
    const values = drawBlobs(node, shapes as number[][], rng);
    layers.push({ name: node.layer, type: node.type, blobs: values.map((data, i) => ({ shape: { dim: shapes[i]! }, data })) });
  }
  return encodeMessage(loadCaffeSchema().message("caffe.NetParameter"), { name: graph.net ?? "net", layer: layers });
}
