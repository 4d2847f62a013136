/**
 * Exports a golden case in-process (what `caffe2torch export --weights` writes, without the
 * built CLI) and compares it with BVLC Caffe's recording through check_golden.py.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

const CHECKER = fileURLToPath(new URL("./check_golden.py", import.meta.url));

/** One top as check_golden.py reports it. */
export interface GoldenTop {
  blob: string;
  shape: number[];
  expected_shape: number[];
  ok?: boolean;
  reason?: string;
  max_abs_error?: number;
  scaled_error?: number;
  full?: boolean;
}

/** One layer as check_golden.py reports it. */
export interface GoldenLayer {
  name: string;
  type: string;
  tops: GoldenTop[];
  missing?: boolean;
  top_count?: [number, number];
}

/** check_golden.py's report of one case. */
export interface GoldenReport {
  case: string;
  layers: GoldenLayer[];
  outputs: string[];
  expected_outputs: string[];
  forward_matches_layers: boolean;
}

/** An exported case: the folder with model.py and model.safetensors, and the graph. */
export interface ExportedCase {
  dir: string;
  graph: TorchGraph;
  modelPath: string;
}

/** Writes model.py and model.safetensors for `caseDir` (net.prototxt + weights.caffemodel) in a fresh folder. */
export function exportGoldenCase(caseDir: string): ExportedCase {
  const read = readNet(readFileSync(join(caseDir, "net.prototxt"), "utf8"), { allowUnknown: true, upgrade: true });
  const { graph } = buildTorchGraph(read, { phase: "TEST", source: "net.prototxt" });
  if (graph.unsupported.length > 0) throw new Error(`cannot export: ${JSON.stringify(graph.unsupported)}`);
  const state = exportState(graph, readFileSync(join(caseDir, "weights.caffemodel")));
  const errors = state.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`weights: ${JSON.stringify(errors)}`);
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-golden-"));
  writeFileSync(join(dir, "model.safetensors"), safetensorsBytes(state.tensors));
  const modelPath = join(dir, "model.py");
  writeFileSync(modelPath, emitNetModule(graph), "utf8");
  return { dir, graph, modelPath };
}

/** Runs check_golden.py on (case, export folder) pairs. */
export function compareGolden(cases: readonly { case: string; export: string }[]): GoldenReport[] {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-cases-"));
  const list = join(dir, "cases.json");
  writeFileSync(list, JSON.stringify(cases), "utf8");
  return runPythonJson<GoldenReport[]>(CHECKER, [list]);
}

/** A top's failure against the bound `tolerance · max(1, max |ref|)`, or null when it passes. */
export function topFailure(top: GoldenTop, tolerance: number): string | null {
  if (top.reason !== undefined) return top.reason;
  if (top.full !== true) return "not stored in full";
  return (top.scaled_error ?? Infinity) <= tolerance ? null : `scaled error ${String(top.scaled_error)}`;
}

/** Names of the layers (in net order) with a missing result, a wrong top count or a top out of bound. */
export function failingLayers(report: GoldenReport, tolerance: (layer: GoldenLayer) => number): string[] {
  return report.layers
    .filter((l) => l.missing === true || l.top_count !== undefined || l.tops.some((t) => topFailure(t, tolerance(l)) !== null))
    .map((l) => l.name);
}
