import { describe, expect, it } from "vitest";
import { graphOf, nodeOf, refusalOf, forwardOf } from "./snippet.js";

const ids = (layers: string): string => `layer { name: "ids" type: "Input" top: "ids" input_param { shape { dim: 2 dim: 5 } } }\n${layers}`;
const embed = (param: string): string => ids(`layer { name: "emb" type: "Embed" bottom: "ids" top: "emb" embed_param { ${param} } }`);
const parameter = (dims: string): string => `layer { name: "p" type: "Parameter" top: "p" parameter_param { shape { ${dims} } } }`;

describe("Embed", () => {
  it("adds its bias (bias_term defaults to true) with the Embed helper, on the ids as integers", () => {
    const text = embed("input_dim: 10 num_output: 4");
    const node = nodeOf(graphOf(text), "emb");
    expect(node.module).toEqual({ cls: "Embed", args: [10, 4], kwargs: {} });
    expect(node.helpers).toEqual(["Embed"]);
    expect(forwardOf(text, "emb")).toBe("emb = self.emb(ids.long())");
  });
  it("keeps Caffe's weight [input_dim, num_output], which is nn.Embedding's layout, and the bias [num_output]", () => {
    const node = nodeOf(graphOf(embed("input_dim: 10 num_output: 4")), "emb");
    expect(node.params.map((p) => [p.blob, p.key, p.shape, p.caffeShape, p.layout.kind])).toEqual([
      [0, "emb.weight", [10, 4], [10, 4], "same"],
      [1, "emb.bias", [4], [4], "same"],
    ]);
  });
  it("is a plain nn.Embedding without bias_term", () => {
    const node = nodeOf(graphOf(embed("input_dim: 3 num_output: 2 bias_term: false")), "emb");
    expect(node.module).toEqual({ cls: "nn.Embedding", args: [3, 2], kwargs: {} });
    expect(node.helpers).toEqual([]);
    expect(node.params.map((p) => p.key)).toEqual(["emb.weight"]);
  });
  it("gives its top the ids' shape plus num_output, so a layer after it knows its input", () => {
    const text = embed("input_dim: 10 num_output: 4") + `\nlayer { name: "ip" type: "InnerProduct" bottom: "emb" top: "ip" inner_product_param { num_output: 3 axis: 2 } }`;
    expect(nodeOf(graphOf(text), "ip").module).toEqual({ cls: "nn.Linear", args: [4, 3], kwargs: {} });
  });
  it("refuses a missing input_dim or num_output", () => {
    expect(refusalOf(embed("num_output: 4"), "emb")).toBe("embed-size");
  });
});

describe("Parameter", () => {
  it("holds its blob, shaped by parameter_param.shape, in the Parameter helper and returns it", () => {
    const text = parameter("dim: 3 dim: 4");
    const node = nodeOf(graphOf(text), "p");
    expect(node.module).toEqual({ cls: "Parameter", args: [{ tuple: [3, 4] }], kwargs: {} });
    expect(node.helpers).toEqual(["Parameter"]);
    expect(forwardOf(text, "p")).toBe("p = self.p()");
    expect(node.params.map((p) => [p.blob, p.key, p.shape, p.caffeShape])).toEqual([[0, "p.weight", [3, 4], [3, 4]]]);
    // ParameterLayer fills nothing: a fresh Caffe blob is zeros.
    expect(node.params[0]!.filler).toMatchObject({ type: "constant", value: 0 });
  });
});
