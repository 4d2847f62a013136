/**
 * Exports a golden case in-process (the graph and state `caffe2torch export --weights` writes) and
 * runs it through the PyTorch-semantics executor, compared with BVLC Caffe's recording.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildTorchGraph } from "../../../src/convert/graph.js";
import type { TorchGraph } from "../../../src/convert/torch-graph.js";
import { executeTorchGraph, type TorchExecuteOptions } from "../../../src/execute/torch/index.js";
import type { Blob } from "../../../src/execute/types.js";
import { readNet } from "../../../src/schema/read.js";
import { exportState } from "../../../src/weights/export-state.js";
import { compareRecorded, loadCase, NETS_DIR, type CaseComparison, type GoldenCase } from "../golden.js";

/** A golden case with its exported graph and state. */
export interface ExportedCase {
  c: GoldenCase;
  graph: TorchGraph;
  state: Map<string, Blob>;
}

/** The TEST graph of a case's prototxt and the state its caffemodel fills (float32 tensors). */
export function exportedCase(name: string): ExportedCase {
  const dir = join(NETS_DIR, name);
  const read = readNet(readFileSync(join(dir, "net.prototxt"), "utf8"), { allowUnknown: true, upgrade: true });
  const { graph } = buildTorchGraph(read, { phase: "TEST", source: join(dir, "net.prototxt") });
  if (graph.unsupported.length > 0) throw new Error(`${name} does not export: ${JSON.stringify(graph.unsupported)}`);
  const exported = exportState(graph, readFileSync(join(dir, "weights.caffemodel")));
  const errors = exported.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`weights of ${name}: ${JSON.stringify(errors)}`);
  const state = new Map<string, Blob>();
  for (const [key, t] of exported.tensors) if (t.dtype === "F32") state.set(key, { shape: t.shape, data: t.data });
  return { c: loadCase(name), graph, state };
}

/** Runs the exported case through executeTorchGraph (with `graph` in place of its own when given) and compares. */
export function compareTorchCase(e: ExportedCase, options: TorchExecuteOptions = {}, graph: TorchGraph = e.graph): CaseComparison {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = executeTorchGraph(graph, e.state, e.c.inputs, options);
  const forwardCpuMs = process.cpuUsage(cpu).user / 1000;
  const forwardMs = performance.now() - start;
  return { ...compareRecorded(e.c, result), forwardMs, forwardCpuMs };
}
