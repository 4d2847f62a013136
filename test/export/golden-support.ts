/**
 * Exports golden nets in-process (as `caffe2torch export --weights` does) and runs the emitted
 * models on their recordings in ONE Python process (test/export/check_golden.py), without
 * blocking the test worker's event loop.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTorchGraph } from "../../src/convert/graph.js";
import type { TorchGraph } from "../../src/convert/torch-graph.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import { readNet } from "../../src/schema/read.js";
import { exportState } from "../../src/weights/export-state.js";
import { safetensorsBytes, type SafetensorsTensor } from "../../src/weights/safetensors.js";
import { PYTHON } from "../helpers/python.js";

export const CHECK_GOLDEN = fileURLToPath(new URL("./check_golden.py", import.meta.url));

/** One top's comparison, as check_golden.py reports it. */
export interface TopReport {
  blob: string;
  shape: number[];
  expected_shape: number[];
  reason?: string;
  max_abs_error?: number;
  scaled_error?: number;
  full?: boolean;
}

/** One case's comparison. */
export interface CaseReport {
  case: string;
  layers: { name: string; type: string; tops: TopReport[]; missing?: boolean; top_count?: [number, number] }[];
  outputs: string[];
  expected_outputs: string[];
  forward_matches_layers: boolean;
  /** The exception forward_layers raised (the layers before it are in `layers`), or null. */
  error: string | null;
}

/** Changes made to an export before it is written, to prove that the comparison catches them. */
export interface Mutation {
  graph?: (graph: TorchGraph) => void;
  tensors?: (tensors: Map<string, SafetensorsTensor>) => void;
  /** A text in model.py and what replaces each occurrence (forward and forward_layers alike). */
  text?: [string, string];
}

/** Exports `caseDir` (net.prototxt + weights.caffemodel) into a fresh folder; returns it. */
export function exportCase(caseDir: string, mutation: Mutation = {}): string {
  const read = readNet(readFileSync(join(caseDir, "net.prototxt"), "utf8"), { allowUnknown: true, upgrade: true });
  const { graph } = buildTorchGraph(read, { phase: "TEST", source: join(caseDir, "net.prototxt") });
  if (graph.unsupported.length > 0) throw new Error(`cannot export ${caseDir}: ${graph.unsupported.map((u) => `${u.layer} (${u.type}): ${u.reason}`).join("; ")}`);
  mutation.graph?.(graph);
  const state = exportState(graph, readFileSync(join(caseDir, "weights.caffemodel")));
  const errors = state.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`weights of ${caseDir}: ${JSON.stringify(errors.map((d) => [d.code, d.data]))}`);
  mutation.tensors?.(state.tensors);
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-golden-"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.safetensors"), safetensorsBytes(state.tensors));
  let source = emitNetModule(graph);
  if (mutation.text) {
    const [from, to] = mutation.text;
    if (!source.includes(from)) throw new Error(`model.py of ${caseDir} does not hold ${JSON.stringify(from)}`);
    source = source.split(from).join(to);
  }
  writeFileSync(join(dir, "model.py"), source);
  return dir;
}

/** Runs check_golden.py once over every (case, export) pair. */
export function compareCases(cases: { case: string; export: string }[]): Promise<CaseReport[]> {
  const list = join(mkdtempSync(join(tmpdir(), "caffe2torch-cases-")), "cases.json");
  writeFileSync(list, JSON.stringify(cases));
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [CHECK_GOLDEN, list], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (err += b.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as CaseReport[]) : reject(new Error(`check_golden.py exited ${String(code)}:\n${err}`))));
  });
}

/** The comparison bound of the issue: |Δ| ≤ 1e-4 · max(1, max |reference|) per top. */
export const GOLDEN_BOUND = 1e-4;

/** The first layer (in Caffe's order) whose tops miss the bound, differ in shape, or are absent. */
export function firstDivergent(report: CaseReport, bound = GOLDEN_BOUND): string | null {
  for (const layer of report.layers) {
    if (layer.missing || layer.top_count) return layer.name;
    if (layer.tops.some((t) => t.reason !== undefined || (t.scaled_error ?? Infinity) > bound)) return layer.name;
  }
  return null;
}

/** Every layer whose tops miss the bound, differ in shape, or are absent, in Caffe's order. */
export function divergentLayers(report: CaseReport, bound = GOLDEN_BOUND): string[] {
  return report.layers
    .filter((l) => l.missing || l.top_count || l.tops.some((t) => t.reason !== undefined || (t.scaled_error ?? Infinity) > bound))
    .map((l) => l.name);
}

/** The largest scaled error of a case. */
export function largestError(report: CaseReport): number {
  return Math.max(0, ...report.layers.flatMap((l) => l.tops.map((t) => t.scaled_error ?? Infinity)));
}
