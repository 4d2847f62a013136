/**
 * Runs a net through the Caffe executor and, exported as `export` writes it, through the emitted
 * model's forward_layers in real PyTorch (run_forward_layers.py, one process for every net), with
 * the same seeded inputs and weights, and compares every top layer by layer.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DATA_LAYER_TYPES } from "../../../src/caffe/input-shapes.js";
import { buildNet, type NetModel } from "../../../src/caffe/net.js";
import { buildTorchGraph } from "../../../src/convert/graph.js";
import type { TorchGraph } from "../../../src/convert/torch-graph.js";
import { emitNetModule } from "../../../src/emit/python/net-module.js";
import { executeNet, type ExecuteOptions, type ExecuteResult } from "../../../src/execute/net.js";
import { executorOf } from "../../../src/execute/registry.js";
import type { Blob } from "../../../src/execute/types.js";
import type { BoundMessage } from "../../../src/schema/bind.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import { readNet, type ReadResult } from "../../../src/schema/read.js";
import { exportState } from "../../../src/weights/export-state.js";
import { parseSafetensors, safetensorsBytes, type SafetensorsTensor } from "../../../src/weights/safetensors.js";
import { runPythonJsonAsync } from "../../helpers/python.js";
import { blob as blobProto, encodeCaffemodel } from "../../weights/support.js";

/** How one net input is filled. */
export type InputFill =
  | { values: number[] }
  /** Seeded uniform values in [lo, hi) (default [-1, 1)). */
  | { seed: number; lo?: number; hi?: number; int?: boolean }
  /** `count` valid ROIs [batch, x1, y1, x2, y2] inside an image of [h, w] with `batches` images. */
  | { rois: { batches: number; image: [number, number]; seed: number } };

/** One net of the cross-check. */
export interface CrossNet {
  id: string;
  text: string;
  phase: "TEST" | "TRAIN";
  /** Every net input: its shape and values. Blobs produced by data layers become inputs too. */
  inputs: Record<string, { shape: number[]; fill: InputFill }>;
  /** Layers left out of both sides (e.g. Python layers whose tops are given as inputs). */
  exclude?: string[];
  /** Values for a layer's blobs instead of the seeded ones. */
  blobs?: Record<string, number[][]>;
  /** Values by the emitted model's state_dict key (same values in Caffe's layout), instead of the seeded ones. */
  state?: Record<string, number[]>;
}

/** A seeded generator of float32 values in [lo, hi) (an LCG: reproducible on both sides). */
export function seeded(seed: number, n: number, lo = -1, hi = 1, int = false): number[] {
  let s = (seed * 2654435761) >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = lo + ((hi - lo) * s) / 2 ** 32;
    return Math.fround(int ? Math.floor(v) : v);
  });
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function inputValues(shape: number[], fill: InputFill): Float32Array {
  if ("values" in fill) return Float32Array.from(fill.values);
  if ("rois" in fill) {
    const { batches, image, seed } = fill.rois;
    const r = seeded(seed, shape[0]! * 4, 0, 1);
    const rows: number[] = [];
    for (let i = 0; i < shape[0]!; i++) {
      const x1 = r[4 * i]! * image[1] * 0.8;
      const y1 = r[4 * i + 1]! * image[0] * 0.8;
      rows.push(i % batches, x1, y1, x1 + r[4 * i + 2]! * (image[1] - x1), y1 + r[4 * i + 3]! * (image[0] - y1));
    }
    return Float32Array.from(rows);
  }
  return Float32Array.from(seeded(fill.seed, count(shape), fill.lo ?? -1, fill.hi ?? 1, fill.int ?? false));
}

/**
 * The net as both sides read it: the layers in `exclude` and the data layers whose tops are given
 * as inputs removed, and one Input layer in front giving every input blob no layer produces.
 */
export function prepare(net: CrossNet): { read: ReadResult; model: NetModel } {
  const read = readNet(net.text, { allowUnknown: true, upgrade: true });
  const param = read.net as NetParameter;
  const given = new Set(Object.keys(net.inputs));
  const layers = (param.layer ?? []).filter((l) => !(net.exclude ?? []).includes(l.name ?? "") && !(DATA_LAYER_TYPES.has(l.type ?? "") && (l.top ?? []).some((t) => given.has(t))));
  const produced = new Set(layers.flatMap((l) => l.top ?? []));
  const declared = new Set(param.input ?? []);
  const missing = [...given].filter((b) => !produced.has(b) && !declared.has(b));
  if (missing.length > 0) {
    const input = { name: "cross_inputs", type: "Input", top: missing, input_param: { shape: missing.map((b) => ({ dim: net.inputs[b]!.shape })) } };
    layers.unshift(input as unknown as (typeof layers)[0]);
  }
  param.layer = layers;
  return { read, model: buildNet(param, { phase: net.phase }, read.sourceMap) };
}

/** Seeded Caffe blobs for every layer of the graph that has them, with the values BatchNorm statistics need. */
export function weightsFor(graph: TorchGraph, net: CrossNet): Map<string, Blob[]> {
  const out = new Map<string, Blob[]>();
  graph.nodes.forEach((node, k) => {
    if (node.params.length === 0) return;
    const given = net.blobs?.[node.layer];
    const blobs = [...node.params].sort((a, b) => a.blob - b.blob).map((p, i): Blob => {
      const shape = p.caffeShape ?? p.shape ?? [];
      const n = count(shape);
      if (given?.[i]) return { shape, data: Float32Array.from(given[i]) };
      if (p.key !== null && net.state?.[p.key]) return { shape, data: Float32Array.from(net.state[p.key]) };
      const seed = 1000 + 37 * k + i;
      // Variances positive, BVLC's scale factor 1, weights scaled by their fan-in so deep nets stay finite.
      const variance = (node.type === "BN" && i === 3) || (node.type === "BatchNorm" && i === 1);
      if (variance) return { shape, data: Float32Array.from(seeded(seed, n, 0.5, 2)) };
      if (node.type === "BatchNorm" && i === 2 && n === 1) return { shape, data: Float32Array.of(1) };
      const fanIn = shape.length >= 2 ? count(shape.slice(1)) : 1;
      const bound = shape.length >= 2 ? Math.sqrt(3 / fanIn) : 0.5;
      const centre = (node.type === "Scale" || node.type === "BN") && i === 0 ? 1 : 0;
      return { shape, data: Float32Array.from(seeded(seed, n, centre - bound, centre + bound)) };
    });
    out.set(node.layer, blobs);
  });
  return out;
}

/** A prepared net with everything both sides need. */
export interface Prepared {
  net: CrossNet;
  model: NetModel;
  read: ReadResult;
  graph: TorchGraph;
  inputs: Map<string, Blob>;
  weights: Map<string, Blob[]>;
}

/** Reads, converts and fills one net. */
export function prepareAll(net: CrossNet): Prepared {
  const { read, model } = prepare(net);
  const { graph } = buildTorchGraph(read, { phase: net.phase, source: `${net.id}.prototxt` });
  const inputs = new Map(Object.entries(net.inputs).map(([name, i]) => [name, { shape: i.shape, data: inputValues(i.shape, i.fill) }]));
  return { net, model, read, graph, inputs, weights: weightsFor(graph, net) };
}

/** The Caffe executor's forward of a prepared net. */
export function executePrepared(p: Prepared, options: ExecuteOptions = {}): ExecuteResult {
  return executeNet(p.model, p.inputs, p.weights, { sourceMap: p.read.sourceMap, ...options });
}

const RUNNER = fileURLToPath(new URL("./run_forward_layers.py", import.meta.url));

/** Every top PyTorch computed, by "<layer>/<top index>", or the error of the net. */
export interface TorchTops {
  tops: Map<string, { shape: number[]; data: Float32Array }>;
  error: string | null;
}

/** Exports every net into `dir` and runs them all in one Python process. */
export async function runTorch(nets: readonly Prepared[], dir: string): Promise<Map<string, TorchTops>> {
  const spec = nets.map((p) => {
    const d = join(dir, p.net.id);
    mkdirSync(d, { recursive: true });
    if (p.graph.unsupported.length > 0) throw new Error(`${p.net.id}: ${JSON.stringify(p.graph.unsupported)}`);
    writeFileSync(join(d, "model.py"), emitNetModule(p.graph));
    const layers: BoundMessage[] = [...p.weights].map(([name, blobs]) => ({ name, blobs: blobs.map((b) => blobProto([...b.shape], b.data)) }));
    const state = exportState(p.graph, encodeCaffemodel({ name: p.net.id, layer: layers }));
    const errors = state.diagnostics.filter((x) => x.severity === "error");
    if (errors.length > 0) throw new Error(`${p.net.id}: ${JSON.stringify(errors)}`);
    writeFileSync(join(d, "model.safetensors"), safetensorsBytes(state.tensors));
    const inputs = new Map<string, SafetensorsTensor>([...p.inputs].map(([k, b]) => [k, { dtype: "F32", shape: b.shape, data: b.data }]));
    writeFileSync(join(d, "inputs.safetensors"), safetensorsBytes(inputs));
    return { id: p.net.id, model: join(d, "model.py"), weights: join(d, "model.safetensors"), inputs: join(d, "inputs.safetensors"), out: join(d, "tops.safetensors") };
  });
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
  const report = await runPythonJsonAsync<{ results: Record<string, { ok: boolean; error?: string }> }>(RUNNER, [join(dir, "spec.json")], 600_000);
  const out = new Map<string, TorchTops>();
  for (const s of spec) {
    const r = report.results[s.id]!;
    const tops = new Map<string, { shape: number[]; data: Float32Array }>();
    try {
      for (const [k, t] of parseSafetensors(readFileSync(s.out)).tensors) if (t.dtype === "F32") tops.set(k, { shape: [...t.shape], data: t.data });
    } catch {
      // No file: the model failed before any layer ran; the error says why.
    }
    out.set(s.id, { tops, error: r.ok ? null : (r.error ?? "failed") });
  }
  return out;
}

/** One top of the executor against PyTorch's. */
export interface TopDiff {
  layer: string;
  type: string;
  top: number;
  /** Whether PyTorch has the top and the shapes are equal. */
  shape: boolean;
  /** max |Δ| / max(1, max |PyTorch|), Infinity for a missing top or another shape. */
  scaled: number;
}

function diffOf(base: Omit<TopDiff, "shape" | "scaled">, got: { shape: readonly number[]; data: Float32Array }, ref: { shape: number[]; data: Float32Array } | undefined): TopDiff {
  const same = ref !== undefined && ref.shape.length === got.shape.length && ref.shape.every((d, k) => d === got.shape[k]);
  if (!same) return { ...base, shape: false, scaled: Infinity };
  let worst = 0;
  let scale = 1;
  for (let k = 0; k < ref.data.length; k++) {
    scale = Math.max(scale, Math.abs(ref.data[k]!));
    const d = Math.abs(got.data[k]! - ref.data[k]!);
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return { ...base, shape: true, scaled: worst / scale };
}

/**
 * Each layer of `types` run alone on PyTorch's values of its bottoms, against PyTorch's tops: what a layer
 * does, without the rounding of the layers before it (which batch-statistics BatchNorm layers on
 * small planes amplify along a deep net).
 */
export function compareAlone(p: Prepared, torch: TorchTops, types: ReadonlySet<string>): TopDiff[] {
  const producer = new Map<string, string>();
  const out: TopDiff[] = [];
  for (const layer of p.model.layers) {
    const bottoms = layer.bottoms.map((b) => torch.tops.get(producer.get(b) ?? ""));
    const executor = executorOf(layer.type);
    if (types.has(layer.type) && executor && bottoms.every((b) => b !== undefined)) {
      const tops = executor.forward({ layer, bottoms: bottoms as Blob[], params: p.weights.get(layer.name) ?? [], phase: p.net.phase, inputs: p.inputs, sourceMap: p.read.sourceMap });
      tops.forEach((t, i) => out.push(diffOf({ layer: layer.name, type: layer.type, top: i }, t, torch.tops.get(`${layer.name}/${i}`))));
    }
    layer.tops.forEach((t, i) => producer.set(t, `${layer.name}/${i}`));
  }
  return out;
}

/** Compares every top the executor recorded with PyTorch's. */
export function compareTops(result: ExecuteResult, torch: TorchTops): TopDiff[] {
  return result.layers.flatMap((l) => l.tops.map((t, i) => diffOf({ layer: l.name, type: l.type, top: i }, t, torch.tops.get(`${l.name}/${i}`))));
}
