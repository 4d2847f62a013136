import { describe, expect, it } from "vitest";
import { forwardOf, graphOf, netWith, nodeOf } from "./snippet.js";

describe("data layers become inputs of forward", () => {
  it.each([
    ["ImageData", 'image_data_param { batch_size: 4 new_height: 8 new_width: 8 } transform_param { crop_size: 6 }', [4, 3, 6, 6]],
    ["WindowData", "window_data_param { batch_size: 4 } transform_param { crop_size: 6 }", [4, null, 6, 6]],
    ["AnnotatedData", "data_param { batch_size: 4 } transform_param { crop_size: 6 }", [4, null, 6, 6]],
  ] as const)("%s: its data top is an input with the shape the layer produces", (type, params, shape) => {
    const g = graphOf(`layer { name: "d" type: "${type}" top: "data" top: "label" ${params} }\n`);
    expect(nodeOf(g, "d").call.kind).toBe("input");
    expect(g.inputs.map((i) => i.blob)).toEqual(["data", "label"]);
    expect(g.inputs[0]!.shape).toEqual(shape);
  });
});

describe("layers that only move blobs", () => {
  it('Split: every top is the bottom itself ("a = data")', () => {
    const net = netWith([1, 2, 3, 3], 'layer { name: "s" type: "Split" bottom: "data" top: "a" top: "b" }\n');
    expect(nodeOf(graphOf(net), "s").call.kind).toBe("alias");
    expect(forwardOf(net, "s")).toBe("a = data\nb = data");
  });

  it("Silence: nothing runs and nothing is written", () => {
    const net = netWith([1, 2, 3, 3], 'layer { name: "q" type: "Silence" bottom: "data" }\n');
    expect(nodeOf(graphOf(net), "q").call.kind).toBe("none");
    expect(forwardOf(net, "q")).toBe("");
  });
});
