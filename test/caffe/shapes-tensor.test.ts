/** Shapes of the tensor layers `export` converts: Reduction, ArgMax, Embed, Parameter. */
import { describe, expect, it } from "vitest";
import { buildBlobGraph } from "../../src/caffe/blobs.js";
import { buildNet } from "../../src/caffe/net.js";
import { inferShapes } from "../../src/caffe/shapes.js";
import type { LayerParameter } from "../../src/schema/caffe-types.js";

/** Shape of the top of `layer` after an Input of `shape`. */
function after(shape: number[], layer: Record<string, unknown>): (number | null)[] | null {
  const all = [
    { name: "in", type: "Input", top: ["in"], input_param: { shape: [{ dim: shape }] } },
    { name: "l", bottom: ["in"], top: ["t"], ...layer },
  ] as LayerParameter[];
  const model = buildNet({ layer: all });
  const graph = buildBlobGraph(model);
  return inferShapes(model, graph)[graph.tops[1]![0]!] ?? null;
}

describe("tensor layer shapes", () => {
  it("keeps the axes before Reduction's axis (axis 0, the default, gives a 0-D top)", () => {
    expect(after([2, 4, 13, 11], { type: "Reduction", reduction_param: { operation: "MEAN", axis: 2 } })).toEqual([2, 4]);
    expect(after([2, 4, 13, 11], { type: "Reduction", reduction_param: { axis: -1 } })).toEqual([2, 4, 13]);
    expect(after([2, 4, 13, 11], { type: "Reduction" })).toEqual([]);
  });
  it("replaces ArgMax's axis by top_k, and without axis gives [N, 1 + out_max_val, top_k] padded to the rank", () => {
    expect(after([2, 4, 13, 11], { type: "ArgMax", argmax_param: { axis: 1 } })).toEqual([2, 1, 13, 11]);
    expect(after([2, 4, 13, 11], { type: "ArgMax", argmax_param: { out_max_val: true, top_k: 2 } })).toEqual([2, 2, 2, 1]);
    expect(after([3, 6], { type: "ArgMax", argmax_param: { top_k: 3 } })).toEqual([3, 1, 3]);
  });
  it("appends num_output to Embed's ids and gives Parameter its declared shape", () => {
    expect(after([2, 5], { type: "Embed", embed_param: { input_dim: 10, num_output: 4 } })).toEqual([2, 5, 4]);
    expect(after([2, 5], { type: "Parameter", bottom: [], parameter_param: { shape: { dim: [3, 4] } } })).toEqual([3, 4]);
  });
});
