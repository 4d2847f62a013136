/**
 * Tensor layers that zoo_tensor does not reach, exported and run under real PyTorch: ArgMax on
 * inputs full of equal values against argmax_layer.cpp's loop written out in Python, a Parameter
 * layer and an Embed without bias.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import { graphOf } from "../convert/layers/snippet.js";
import { requireTorch, runPythonJson, skipWithoutTorch, writeTempFile } from "../helpers/python.js";

const CHECKER = fileURLToPath(new URL("./check_argmax.py", import.meta.url));

/** Each ArgMax layer: its bottom and parameters (axis null: none written). */
const ARGMAX: Record<string, { bottom: string; axis: number | null; top_k: number; out_max_val: boolean }> = {
  am_c: { bottom: "data", axis: 1, top_k: 2, out_max_val: false },
  am_last: { bottom: "data", axis: -1, top_k: 3, out_max_val: true },
  am_flat: { bottom: "data", axis: null, top_k: 4, out_max_val: true },
  am_flat1: { bottom: "data", axis: null, top_k: 1, out_max_val: false },
  am_vec: { bottom: "vec", axis: null, top_k: 2, out_max_val: true },
  am_axis0: { bottom: "vec", axis: 0, top_k: 2, out_max_val: false },
};

const input = (name: string, dims: number[]): string => `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${dims.map((d) => `dim: ${d}`).join(" ")} } } }`;

const NET = [
  input("data", [2, 3, 4, 5]),
  input("vec", [3, 6]),
  ...Object.entries(ARGMAX).map(([name, a]) => {
    const fields = [a.axis === null ? "" : `axis: ${a.axis}`, `top_k: ${a.top_k}`, a.out_max_val ? "out_max_val: true" : ""].filter((f) => f !== "");
    return `layer { name: "${name}" type: "ArgMax" bottom: "${a.bottom}" top: "${name}" argmax_param { ${fields.join(" ")} } }`;
  }),
  `layer { name: "emb" type: "Embed" bottom: "vec" top: "emb" embed_param { input_dim: 3 num_output: 2 bias_term: false } }`,
  `layer { name: "p" type: "Parameter" top: "p" parameter_param { shape { dim: 3 dim: 4 } } }`,
].join("\n");

interface Run {
  argmax: Record<string, { shape: number[]; expected_shape: number[]; equal: boolean }>;
  tops: Record<string, [number[], number][]>;
}

function run(): Run {
  const graph = graphOf(NET);
  expect(graph.unsupported).toEqual([]);
  const model = writeTempFile("model.py", emitNetModule(graph));
  const spec = writeTempFile("spec.json", JSON.stringify({ inputs: { data: [2, 3, 4, 5], vec: [3, 6] }, layers: ARGMAX }));
  return runPythonJson<Run>(CHECKER, [model, spec]);
}

describe("tensor layers under PyTorch", () => {
  it.skipIf(skipWithoutTorch)("ArgMax gives Caffe's tops exactly on ties: equal values ranked larger index first", () => {
    requireTorch();
    const r = run();
    for (const name of Object.keys(ARGMAX)) {
      expect(r.argmax[name]!.shape, name).toEqual(r.argmax[name]!.expected_shape);
      expect(r.argmax[name]!.equal, name).toBe(true);
    }
    // Without axis: [N, 1 + out_max_val, top_k] padded with 1s to the input's rank, at least 3.
    expect(r.argmax["am_flat"]!.shape).toEqual([2, 2, 4, 1]);
    expect(r.argmax["am_flat1"]!.shape).toEqual([2, 1, 1, 1]);
    expect(r.argmax["am_vec"]!.shape).toEqual([3, 2, 2]);
    // Parameter returns its zero blob (no weights loaded); Embed looks the float ids up.
    expect(r.tops["p"]).toEqual([[[3, 4], 0]]);
    expect(r.tops["emb"]![0]![0]).toEqual([3, 6, 2]);
  });
});
