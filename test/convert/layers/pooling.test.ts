import { describe, expect, it } from "vitest";
import { graphOf, netWith, nodeOf } from "./snippet.js";

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
