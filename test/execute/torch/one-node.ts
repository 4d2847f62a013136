/** One-node TorchGraphs for module and expression tests: inputs `x0`, `x1`, … then the node under test. */
import type { CallForm, ModuleSpec, PyValue, TorchGraph, TorchNode } from "../../../src/convert/torch-graph.js";
import { executeTorchGraph, type TorchExecuteOptions } from "../../../src/execute/torch/index.js";
import type { ExecuteFailure } from "../../../src/execute/net.js";
import type { Blob } from "../../../src/execute/types.js";

/** A tensor literal: shape and values (row-major). */
export const t = (shape: number[], values: number[]): Blob => ({ shape, data: Float32Array.from(values) });

const base = (layer: string, position: number): Omit<TorchNode, "module" | "call" | "bottoms" | "tops"> => ({
  layer,
  type: "Test",
  position,
  line: 0,
  column: 0,
  attr: layer,
  helpers: [],
  params: [],
  notes: [],
});

/** What running a one-node graph gave: the node's tops (values and shapes), or the failure. */
export interface NodeRun {
  tops: { shape: number[]; values: number[] }[];
  error: ExecuteFailure | null;
}

/** Runs `call` (with `module` as node `m`) on inputs x0, x1, … and the state under `m.`. */
export function runNode(
  call: CallForm,
  inputs: readonly Blob[],
  options: { module?: ModuleSpec; state?: Record<string, Blob>; tops?: number; constants?: TorchNode["constants"]; evalWhileTraining?: boolean } & TorchExecuteOptions = {},
): NodeRun {
  const names = inputs.map((_, i) => `x${i}`);
  const tops = Array.from({ length: options.tops ?? 1 }, (_, i) => `y${i}`);
  const graph: TorchGraph = {
    net: "test",
    phase: "TEST",
    source: "test",
    inputs: names.map((blob) => ({ blob, variable: blob, shape: null, layer: "input" })),
    outputs: tops,
    nodes: [
      { ...base("input", 0), attr: null, module: null, call: { kind: "input" }, bottoms: [], tops: names },
      {
        ...base("m", 1),
        module: options.module ?? null,
        call,
        bottoms: names,
        tops,
        ...(options.constants ? { constants: options.constants } : {}),
        ...(options.evalWhileTraining ? { evalWhileTraining: true } : {}),
      },
    ],
    variables: Object.fromEntries([...names, ...tops].map((n) => [n, n])),
    unsupported: [],
  };
  const state = new Map(Object.entries(options.state ?? {}).map(([k, v]) => [`m.${k}`, v]));
  const result = executeTorchGraph(graph, state, new Map(inputs.map((b, i) => [names[i]!, b])), options);
  const node = result.layers.find((l) => l.name === "m");
  return { tops: node ? node.tops.map((x) => ({ shape: x.shape, values: [...x.data] })) : [], error: result.error };
}

/** Runs module `cls(*args, **kwargs)` on the inputs. */
export function runModule(cls: string, args: PyValue[], kwargs: Record<string, PyValue>, inputs: readonly Blob[], options: Parameters<typeof runNode>[2] = {}): NodeRun {
  return runNode({ kind: "module" }, inputs, { ...options, module: { cls, args, kwargs } });
}

/** Evaluates a forward expression on the inputs ({0}, {1}, …). */
export function runExpr(expr: string, inputs: readonly Blob[], options: Parameters<typeof runNode>[2] = {}): NodeRun {
  return runNode({ kind: "expr", expr }, inputs, options);
}

/** Values rounded to float32 (what a Float32Array holds), for expectations written as decimals. */
export const f32 = (values: number[]): number[] => values.map(Math.fround);
