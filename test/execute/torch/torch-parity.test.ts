/**
 * The executor against real PyTorch on nets the golden recordings do not cover (fork layers, helper
 * modules, module options): each net is exported in-process with seeded state and inputs, its
 * model.py runs `forward_layers` in ONE Python process (run_forward_layers.py), and every top the
 * executor records must agree within 1e-5·max(1, max |torch|), shapes exactly.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { TorchGraph } from "../../../src/convert/torch-graph.js";
import { emitNetModule } from "../../../src/emit/python/net-module.js";
import type { ExecuteResult } from "../../../src/execute/net.js";
import { executeTorchGraph, moduleOf, type ModuleImpl } from "../../../src/execute/torch/index.js";
import type { Blob } from "../../../src/execute/types.js";
import { createRng, type Rng } from "../../../src/numeric/rng.js";
import { parseSafetensors, safetensorsBytes, type SafetensorsTensor } from "../../../src/weights/safetensors.js";
import { graphOf } from "../../export/support.js";
import { requireTorch, runPythonJsonAsync, skipWithoutTorch } from "../../helpers/python.js";
import { PARITY_NETS, type ParityNet } from "./parity-nets.js";

const SCRIPT = fileURLToPath(new URL("./run_forward_layers.py", import.meta.url));
const BOUND = 1e-5;

const normal = (rng: Rng): number => rng.nextNormal();
const filled = (shape: readonly number[], f: () => number): Float32Array => Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, f);

/** Seeded state for every bound key of the graph (variances positive), and the graph's constants. */
function stateOf(graph: TorchGraph, rng: Rng): Map<string, Blob> {
  const state = new Map<string, Blob>();
  for (const node of graph.nodes) {
    for (const p of node.params) {
      if (p.key === null || p.shape === null) continue;
      const positive = p.key.endsWith("running_var");
      state.set(p.key, { shape: p.shape, data: filled(p.shape, () => (positive ? 0.5 + 1.5 * rng.nextFloat() : 0.5 * normal(rng))) });
    }
    for (const c of node.constants ?? []) if (c.dtype !== "I64") state.set(c.key, { shape: c.shape, data: filled(c.shape, () => c.value) });
  }
  return state;
}

interface Prepared {
  net: ParityNet;
  dir: string;
  graph: TorchGraph;
  result: ExecuteResult;
}

function prepare(net: ParityNet, root: string, index: number, modules?: ReadonlyMap<string, ModuleImpl>): Prepared {
  const graph = graphOf(net.prototxt, { phase: net.phase ?? "TEST" });
  if (graph.unsupported.length > 0) throw new Error(`${net.name} does not export: ${JSON.stringify(graph.unsupported)}`);
  const rng = createRng(1000 + index);
  const state = stateOf(graph, rng);
  const inputs = new Map<string, Blob>(
    graph.inputs.map((i) => {
      const shape = i.shape as number[];
      const given = net.inputs?.[i.blob];
      return [i.blob, { shape, data: given ? Float32Array.from(given) : filled(shape, () => normal(rng)) }];
    }),
  );
  const dir = join(root, net.name);
  mkdirSync(dir, { recursive: true });
  const tensors = (m: ReadonlyMap<string, Blob>): Map<string, SafetensorsTensor> => new Map([...m].map(([k, b]) => [k, { dtype: "F32", shape: b.shape, data: b.data }]));
  writeFileSync(join(dir, "state.safetensors"), safetensorsBytes(tensors(state)));
  writeFileSync(join(dir, "inputs.safetensors"), safetensorsBytes(tensors(inputs)));
  writeFileSync(join(dir, "model.py"), emitNetModule(graph));
  return { net, dir, graph, result: executeTorchGraph(graph, state, inputs, modules ? { modules } : {}) };
}

interface PythonReport {
  error: string | null;
  tops: [string, number, string][];
}

/** Per recorded top of the torch run: the executor's scaled error (Infinity on a shape mismatch or a missing top). */
function compare(p: Prepared, report: PythonReport): { layer: string; k: number; scaled: number }[] {
  const torch = parseSafetensors(readFileSync(join(p.dir, "tops.safetensors"))).tensors;
  const ours = new Map(p.result.layers.map((l) => [l.name, l]));
  return report.tops.map(([layer, k, name]) => {
    const ref = torch.get(name)!;
    const got = ours.get(layer)?.tops[k];
    if (!got || got.shape.length !== ref.shape.length || got.shape.some((d, i) => d !== ref.shape[i])) return { layer, k, scaled: Infinity };
    const r = ref.data as Float32Array;
    let scale = 1;
    for (const v of r) scale = Math.max(scale, Math.abs(v));
    let worst = 0;
    for (let i = 0; i < r.length; i++) {
      const d = Math.abs(got.data[i]! - r[i]!);
      worst = Number.isNaN(d) ? (Number.isNaN(got.data[i]!) && Number.isNaN(r[i]!) ? worst : Infinity) : Math.max(worst, d);
    }
    return { layer, k, scaled: worst / scale };
  });
}

describe.skipIf(skipWithoutTorch)("the executor against real PyTorch on nets the golden recordings do not cover", () => {
  const prepared: Prepared[] = [];
  let reports: PythonReport[] = [];
  let mutated: Prepared;

  beforeAll(async () => {
    requireTorch();
    const root = mkdtempSync(join(tmpdir(), "caffe2torch-parity-"));
    PARITY_NETS.forEach((net, i) => prepared.push(prepare(net, root, i)));
    // The same net with Normalize's scale left out, to prove the comparison sees a wrong module.
    const spatial = PARITY_NETS.findIndex((n) => n.name === "forks-spatial");
    const real = moduleOf("Normalize")!;
    const unscaled: ModuleImpl = { ...real, forward: (ctx, inputs, kw) => real.forward({ ...ctx, param: (name, shape) => ({ ...ctx.param(name, shape), data: ctx.param(name, shape).data.map(() => 1) }) }, inputs, kw) };
    mutated = prepare({ ...PARITY_NETS[spatial]!, name: "forks-spatial-mutated" }, root, spatial, new Map([["Normalize", unscaled]]));
    const list = join(root, "cases.json");
    writeFileSync(list, JSON.stringify([...prepared, mutated].map((p) => ({ dir: p.dir }))));
    reports = await runPythonJsonAsync<PythonReport[]>(SCRIPT, [list]);
  }, 300_000);

  it.each(PARITY_NETS.map((n, i) => [n.name, i] as const))("%s: every layer's tops agree with torch's forward_layers", (name, i) => {
    const p = prepared[i]!;
    const report = reports[i]!;
    expect(report.error).toBeNull();
    expect(p.result.error).toBeNull();
    // Every node with tops was recorded by both (Silence records nothing in either).
    const recorded = new Set(report.tops.map(([layer]) => layer));
    expect(p.result.layers.filter((l) => l.tops.length > 0).map((l) => l.name).filter((l) => !recorded.has(l))).toEqual([]);
    for (const layer of p.net.covers) expect(recorded.has(layer), `${name} covers ${layer}`).toBe(true);
    const bad = compare(p, report).filter((c) => !(c.scaled <= BOUND));
    expect(bad).toEqual([]);
  });

  it("a Normalize that drops its scale is named by the comparison, and nothing else", () => {
    const bad = compare(mutated, reports[prepared.length]!).filter((c) => !(c.scaled <= BOUND));
    expect([...new Set(bad.map((c) => c.layer))]).toEqual(["norm_across", "norm_channels"]);
  });
});
