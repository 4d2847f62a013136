/**
 * Reshape and Flatten → PyTorch expressions, pinned on small nets.
 */
import { describe, expect, it } from "vitest";
import type { TorchGraph } from "../../../src/convert/torch-graph.js";
import { emitNetModule } from "../../../src/emit/python/net-module.js";
import { graphOf } from "./snippet.js";

const net = (layer: string): string => `name: "n"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 6 dim: 13 dim: 11 } } }
${layer}
`;

function exprOf(graph: TorchGraph, name: string): string {
  const n = graph.nodes.find((x) => x.layer === name);
  if (!n) throw new Error(`no node ${name}; unsupported: ${JSON.stringify(graph.unsupported)}`);
  expect(n.module).toBeNull();
  if (n.call.kind !== "expr") throw new Error(`${name} is ${n.call.kind}`);
  return n.call.expr;
}

const reshape = (param: string): TorchGraph => graphOf(net(`layer { name: "r" type: "Reshape" bottom: "data" top: "r" reshape_param { ${param} } }`));
const flatten = (param: string): TorchGraph => graphOf(net(`layer { name: "f" type: "Flatten" bottom: "data" top: "f" ${param} }`));

describe("Reshape", () => {
  it("copies the axes written 0 from the bottom at run time, so the batch stays dynamic, and leaves -1 to PyTorch", () => {
    const g = reshape("shape { dim: 0 dim: 0 dim: -1 }");
    expect(exprOf(g, "r")).toBe("{0}.reshape({0}.shape[0], {0}.shape[1], -1)");
    expect(emitNetModule(g)).toContain('        r = data.reshape(data.shape[0], data.shape[1], -1)  # Reshape "r"\n');
  });

  it("writes constant dims as numbers", () => {
    expect(exprOf(reshape("shape { dim: 0 dim: 2 dim: -1 dim: 11 }"), "r")).toBe("{0}.reshape({0}.shape[0], 2, -1, 11)");
    expect(exprOf(reshape("shape { dim: 2 dim: -1 }"), "r")).toBe("{0}.reshape(2, -1)");
  });

  it("replaces only the axes [axis, axis + num_axes) and keeps the others from the bottom", () => {
    expect(exprOf(reshape("shape { dim: 3 dim: 2 } axis: 1 num_axes: 1"), "r")).toBe("{0}.reshape({0}.shape[0], 3, 2, {0}.shape[2], {0}.shape[3])");
    // axis -1 is the position after the last axis (ReshapeLayer: rank + axis + 1).
    expect(exprOf(reshape("shape { dim: 1 } axis: -1 num_axes: 0"), "r")).toBe("{0}.reshape({0}.shape[0], {0}.shape[1], {0}.shape[2], {0}.shape[3], 1)");
    expect(exprOf(reshape("shape { dim: 0 dim: -1 } axis: 2"), "r")).toBe("{0}.reshape({0}.shape[0], {0}.shape[1], {0}.shape[2], -1)");
  });

  it("refuses two inferred dims, as Caffe does", () => {
    expect(reshape("shape { dim: -1 dim: -1 }").unsupported).toEqual([expect.objectContaining({ layer: "r", reason: "reshape-two-inferred" })]);
  });

  it("refuses a 0 with no bottom axis to copy", () => {
    expect(reshape("shape { dim: 0 dim: 0 } axis: 3").unsupported).toEqual([expect.objectContaining({ layer: "r", reason: "reshape-copy-beyond-rank" })]);
  });
});

describe("Flatten", () => {
  it("is torch.flatten from axis 1 to the end by default, as Caffe's FlattenParameter", () => {
    const g = flatten("");
    expect(exprOf(g, "f")).toBe("torch.flatten({0}, 1)");
    expect(emitNetModule(g)).toContain('        f = torch.flatten(data, 1)  # Flatten "f"\n');
  });

  it("passes axis and a canonical end_axis before the last", () => {
    expect(exprOf(flatten("flatten_param { axis: 2 }"), "f")).toBe("torch.flatten({0}, 2)");
    expect(exprOf(flatten("flatten_param { axis: 1 end_axis: 2 }"), "f")).toBe("torch.flatten({0}, 1, 2)");
    expect(exprOf(flatten("flatten_param { axis: -3 end_axis: -2 }"), "f")).toBe("torch.flatten({0}, 1, 2)");
  });

  it("refuses an end_axis before axis", () => {
    expect(flatten("flatten_param { axis: 2 end_axis: 1 }").unsupported).toEqual([expect.objectContaining({ layer: "f", reason: "flatten-end-before-start" })]);
  });
});
