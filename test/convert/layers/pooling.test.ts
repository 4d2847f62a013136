/**
 * Pooling's conversion where Caffe's rounding and PyTorch's ceil_mode part ways.
 */
import { describe, expect, it } from "vitest";
import { graphOf, netWith, nodeOf, refusalOf } from "./snippet.js";

const net = (size: [number, number], param: string): string =>
  `layer { name: "x" type: "Input" top: "x" input_param { shape { dim: 1 dim: 1 dim: ${size[0]} dim: ${size[1]} } } }
layer { name: "pool" type: "Pooling" bottom: "x" top: "pool" pooling_param { ${param} } }`;

describe("Pooling with a kernel smaller than its stride and no padding", () => {
  it("is refused where Caffe's last window starts at the input's end (kernel 1, stride 2, size 8: 5 windows, the last empty)", () => {
    // PoolingLayer::Reshape: ceil((8 − 1)/2) + 1 = 5, and without padding the fifth window (start 8) is kept.
    expect(refusalOf(net([7, 8], "pool: MAX kernel_size: 1 stride: 2"), "pool")).toBe("pool-empty-window");
    expect(refusalOf(net([9, 6], "pool: AVE kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3"), "pool")).toBe("pool-empty-window");
  });

  it("converts where every window meets the input, or with round_mode FLOOR", () => {
    expect(refusalOf(net([7, 9], "pool: MAX kernel_size: 1 stride: 2"), "pool")).toBeNull();
    expect(refusalOf(net([7, 8], "pool: MAX kernel_size: 1 stride: 2 round_mode: FLOOR"), "pool")).toBeNull();
    expect(refusalOf(net([8, 8], "pool: MAX kernel_size: 3 stride: 2"), "pool")).toBeNull();
  });
});


const pool = (fields: string) =>
  netWith([1, 2, 7, 7], `layer { name: "pool" type: "Pooling" bottom: "data" top: "pool" pooling_param { pool: MAX kernel_size: 3 stride: 2 ${fields} } }`);

describe("the Pooling converter", () => {
  it("rounds pooled sizes up by default, as Caffe's round_mode CEIL does", () => {
    expect(nodeOf(graphOf(pool("")), "pool").module?.kwargs["ceil_mode"]).toBe(true);
  });

  it("floors with round_mode FLOOR", () => {
    expect(nodeOf(graphOf(pool("round_mode: FLOOR")), "pool").module?.kwargs["ceil_mode"]).toBeUndefined();
  });

  it("floors with the fork field ceil_mode: false, as the shape rule does (shicai's DenseNet)", () => {
    const graph = graphOf(pool("ceil_mode: false"));
    expect(nodeOf(graph, "pool").module?.kwargs["ceil_mode"]).toBeUndefined();
    expect(graph.nodes.find((n) => n.layer === "pool")).toBeDefined();
  });

  it("keeps rounding up with ceil_mode: true", () => {
    expect(nodeOf(graphOf(pool("ceil_mode: true")), "pool").module?.kwargs["ceil_mode"]).toBe(true);
  });
});
