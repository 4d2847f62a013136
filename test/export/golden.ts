/**
 * Exporting a net in-process (as `caffe2torch export` does: graph, model.py, model.safetensors)
 * and comparing the exported model with a golden recording through check_golden.py.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTorchGraph } from "../../src/convert/graph.js";
import type { TorchGraph } from "../../src/convert/torch-graph.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import { readNet } from "../../src/schema/read.js";
import { exportState } from "../../src/weights/export-state.js";
import { safetensorsBytes } from "../../src/weights/safetensors.js";
import { runPythonJson } from "../helpers/python.js";
import { GOLDEN_DIR } from "../helpers/paths.js";

const CHECKER = fileURLToPath(new URL("./check_golden.py", import.meta.url));

/** The folder of golden case `name` (../shared/golden/nets/<name>). */
export const goldenCase = (name: string): string => join(GOLDEN_DIR, "nets", name);

/** The TEST-phase graph of a prototxt text (what `export` builds). */
export function graphOf(text: string, source = "net.prototxt"): TorchGraph {
  return buildTorchGraph(readNet(text, { allowUnknown: true, upgrade: true }), { phase: "TEST", source }).graph;
}

/**
 * Writes model.py (and model.safetensors from `caffemodel`) of `text` into a fresh folder and
 * returns it with the model's source. Throws when a layer cannot be exported or the weights do
 * not fit, naming them.
 */
export function exportNet(text: string, caffemodel: Uint8Array | null): { dir: string; source: string; graph: TorchGraph } {
  const graph = graphOf(text);
  if (graph.unsupported.length > 0) throw new Error(`cannot export: ${graph.unsupported.map((u) => `${u.layer} (${u.type}): ${u.reason}`).join("; ")}`);
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-export-"));
  mkdirSync(dir, { recursive: true });
  if (caffemodel) {
    const state = exportState(graph, caffemodel);
    const errors = state.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) throw new Error(`weights: ${errors.map((d) => d.code).join(", ")}`);
    writeFileSync(join(dir, "model.safetensors"), safetensorsBytes(state.tensors));
  }
  const source = emitNetModule(graph);
  writeFileSync(join(dir, "model.py"), source, "utf8");
  return { dir, source, graph };
}

/** check_golden.py's report of one top. */
export interface TopReport {
  blob: string;
  shape: number[];
  expected_shape: number[];
  ok?: boolean;
  reason?: string;
  max_abs_error?: number;
  scaled_error?: number;
  full?: boolean;
}

/** check_golden.py's report of one recorded layer. */
export interface LayerReport {
  name: string;
  type: string;
  tops: TopReport[];
  missing?: boolean;
  top_count?: [number, number];
}

/** check_golden.py's report of one case. */
export interface CaseReport {
  case: string;
  layers: LayerReport[];
  outputs: string[];
  expected_outputs: string[];
  forward_matches_layers: boolean;
}

/** Runs the exported model in `exportDir` on the recording of `caseDir`, layer by layer. */
export function compareGolden(caseDir: string, exportDir: string): CaseReport {
  const cases = join(exportDir, "cases.json");
  writeFileSync(cases, JSON.stringify([{ case: caseDir, export: exportDir }]), "utf8");
  return runPythonJson<CaseReport[]>(CHECKER, [cases])[0]!;
}

/**
 * The golden README's bound: each top within `bound · max(1, max |reference|)`, shapes exact.
 * Returns the names of the recorded layers the model has and gets wrong.
 */
export function failingLayers(report: CaseReport, bound: number): string[] {
  const wrong = (t: TopReport): boolean => t.reason !== undefined || t.scaled_error === undefined || !(t.scaled_error <= bound);
  return report.layers.filter((l) => !l.missing && (l.top_count !== undefined || l.tops.some(wrong))).map((l) => l.name);
}

/** The largest scaled error of each recorded layer the model has. */
export function scaledErrors(report: CaseReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of report.layers) if (!l.missing) out[l.name] = Math.max(...l.tops.map((t) => t.scaled_error ?? Infinity));
  return out;
}
