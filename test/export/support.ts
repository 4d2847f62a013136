/**
 * Shared pieces of the export tests: whole nets exported in-process (what `caffe2torch export`
 * writes, without a process per net) and run_models.py, which runs many exported models in one
 * Python process.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTorchGraph } from "../../src/convert/graph.js";
import type { TorchGraph } from "../../src/convert/torch-graph.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import type { Phase } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { exportState } from "../../src/weights/export-state.js";
import { safetensorsBytes } from "../../src/weights/safetensors.js";
import { runPythonAsync } from "../helpers/python.js";

/** The eight golden whole-net cases every layer of which exports today (EXPORT_ARCH.md). */
export const EXPORTED_GOLDEN_CASES = ["lenet", "cifar10_bn", "mtcnn_det1", "squeezenet_v1_1", "mobilenet_v2", "zoo_conv", "zoo_pool", "zoo_act"] as const;

/** A net read and turned into its graph, as `export` does (lenient reading, legacy upgrade). */
export function graphOf(text: string, options: { phase?: Phase; source?: string; stubs?: boolean } = {}): TorchGraph {
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  return buildTorchGraph(read, { phase: options.phase ?? "TEST", source: options.source ?? "net.prototxt", stubs: options.stubs ?? false }).graph;
}

/**
 * Writes DIR/model.py (and DIR/model.safetensors from `caffemodel`) for `graph`, as `export`
 * does; throws when the weights do not fit. Returns the module's path.
 */
export function writeExport(graph: TorchGraph, dir: string, caffemodel?: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  if (caffemodel) {
    const state = exportState(graph, caffemodel);
    const errors = state.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) throw new Error(`${graph.source}: ${errors.map((d) => d.code).join(", ")}`);
    writeFileSync(join(dir, "model.safetensors"), safetensorsBytes(state.tensors, { format: "pt" }));
  }
  const path = join(dir, "model.py");
  writeFileSync(path, emitNetModule(graph), "utf8");
  return path;
}

/** One model for run_models.py. */
export interface ModelRun {
  id: string;
  path: string;
  weights?: boolean;
  trace?: boolean;
  onnx?: boolean;
  /** A Python file whose STAND_INS replace the model's CaffeLayerStubs (replace_stubs). */
  stand_ins?: string;
  /** Values of input blobs (flat, in the blob's shape) instead of noise. */
  values?: Record<string, number[]>;
}

/** What run_models.py reports for one model. */
export type ModelResult =
  | {
      ok: true;
      training: boolean;
      parameters: number;
      outputs: number[][];
      finite: boolean;
      output_names: string[];
      trace_max_diff?: number;
      trace_equal?: boolean;
      onnx_bytes?: number;
      onnx_names_present?: boolean;
      seconds?: number;
      cpu_seconds?: number;
    }
  | { ok: false; stage: string; error: string; seconds?: number; cpu_seconds?: number };

/** run_models.py's whole report. */
export interface ModelsReport {
  torch: string;
  onnx_package: boolean;
  results: Record<string, ModelResult>;
}

const RUNNER = fileURLToPath(new URL("./run_models.py", import.meta.url));

/**
 * Runs every model in one Python process (files go to `dir`), without blocking the test worker's
 * event loop: whole nets under PyTorch take long on a busy machine.
 */
export async function runModels(models: readonly ModelRun[], dir: string): Promise<ModelsReport> {
  const list = join(dir, "models.json");
  const out = join(dir, "results.json");
  writeFileSync(list, JSON.stringify(models), "utf8");
  const run = await runPythonAsync(RUNNER, [list, out], 900_000);
  if (run.status !== 0) throw new Error(`${RUNNER} exited with ${String(run.status)}:\n${run.stderr}`);
  return JSON.parse(readFileSync(out, "utf8")) as ModelsReport;
}
