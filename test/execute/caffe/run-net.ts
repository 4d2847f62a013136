/**
 * Runs a small prototxt through the Caffe executor with the source map its fork layers read their
 * parameters from, for the hand-worked cases of the fork layers.
 */
import { buildNet } from "../../../src/caffe/net.js";
import { executeNet, type ExecuteResult } from "../../../src/execute/net.js";
import type { Blob } from "../../../src/execute/types.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import { readNet } from "../../../src/schema/read.js";

/** A blob from a shape and values (zeros when none are given). */
export const blob = (shape: number[], values?: readonly number[]): Blob => ({ shape, data: values ? Float32Array.from(values) : new Float32Array(shape.reduce((a, b) => a * b, 1)) });

/** An Input layer line for blob `name` of shape `dims`. */
export const input = (name: string, dims: readonly number[]): string => `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${dims.map((d) => `dim: ${d}`).join(" ")} } } }`;

/** A layer line (one top named after the layer unless `tops` says otherwise). */
export const layer = (name: string, type: string, bottoms: string[], body = "", tops = [name]): string =>
  `layer { name: "${name}" type: "${type}" ${bottoms.map((b) => `bottom: "${b}"`).join(" ")} ${tops.map((t) => `top: "${t}"`).join(" ")} ${body} }`;

/** Runs `lines` (Input layers for every key of `inputs` are added in front) in `phase`. */
export function run(
  lines: readonly string[],
  inputs: Record<string, Blob>,
  weights: Record<string, Blob[]> = {},
  phase: "TEST" | "TRAIN" = "TEST",
): ExecuteResult & { top: (layer: string, i?: number) => Blob } {
  const text = [...Object.entries(inputs).map(([n, b]) => input(n, b.shape)), ...lines].join("\n");
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const model = buildNet(read.net as NetParameter, { phase }, read.sourceMap);
  const result = executeNet(model, new Map(Object.entries(inputs)), new Map(Object.entries(weights)), { sourceMap: read.sourceMap });
  const top = (name: string, i = 0): Blob => {
    const l = result.layers.find((x) => x.name === name);
    if (!l) throw new Error(`${name} did not run: ${JSON.stringify(result.error)}`);
    return { shape: l.tops[i]!.shape, data: l.tops[i]!.data };
  };
  return { ...result, top };
}

/** The values of a blob as plain numbers. */
export const values = (b: Blob): number[] => Array.from(b.data);
