import { describe, expect, it } from "vitest";
import { graphOf, netWith, nodeOf, refusalOf } from "./snippet.js";

const argmax = (param: string): string => netWith([2, 3, 4, 5], `layer { name: "am" type: "ArgMax" bottom: "data" top: "am" ${param} }`);
const moduleOf = (prototxt: string) => nodeOf(graphOf(prototxt), "am");

describe("ArgMax", () => {
  it("uses the ArgMax helper, writing only what differs from Caffe's defaults", () => {
    const node = moduleOf(argmax(""));
    expect(node.module).toEqual({ cls: "ArgMax", args: [], kwargs: {} });
    expect(node.helpers).toEqual(["ArgMax"]);
    expect(node.call).toEqual({ kind: "module" });
  });
  it("passes a canonical axis, top_k and out_max_val", () => {
    expect(moduleOf(argmax("argmax_param { axis: -1 top_k: 3 out_max_val: true }")).module).toEqual({ cls: "ArgMax", args: [], kwargs: { top_k: 3, axis: 3, out_max_val: true } });
    expect(moduleOf(argmax("argmax_param { axis: 1 }")).module?.kwargs).toEqual({ axis: 1 });
  });
  it("refuses a top_k above the size it ranks, as ArgMaxLayer::LayerSetUp does", () => {
    expect(refusalOf(argmax("argmax_param { axis: 1 top_k: 4 }"), "am")).toBe("argmax-top-k");
    expect(refusalOf(argmax("argmax_param { top_k: 61 }"), "am")).toBe("argmax-top-k");
    expect(refusalOf(argmax("argmax_param { axis: 4 }"), "am")).toBe("axis-out-of-range");
  });
});
