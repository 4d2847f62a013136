/** The Scale, Bias and InnerProduct forms zoo_tensor uses, pinned as export writes them. */
import { describe, expect, it } from "vitest";
import { forwardOf, graphOf, nodeOf } from "./snippet.js";

const NET = `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 4 dim: 13 dim: 11 } } }
layer { name: "w" type: "Input" top: "w" input_param { shape { dim: 2 dim: 4 } } }
layer { name: "se" type: "Scale" bottom: "data" bottom: "w" top: "se" scale_param { axis: 0 } }
layer { name: "se_b" type: "Scale" bottom: "data" bottom: "w" top: "se_b" scale_param { axis: 0 bias_term: true } }
layer { name: "scalar" type: "Scale" bottom: "data" top: "scalar" scale_param { num_axes: 0 } }
layer { name: "b2" type: "Bias" bottom: "data" bottom: "w" top: "b2" bias_param { axis: 0 } }
layer { name: "ip_ax2" type: "InnerProduct" bottom: "data" top: "ip_ax2" inner_product_param { num_output: 6 axis: 2 } }
layer { name: "ip_t" type: "InnerProduct" bottom: "data" top: "ip_t" inner_product_param { num_output: 3 transpose: true bias_term: false } }`;

const node = (layer: string) => nodeOf(graphOf(NET), layer);

describe("Scale and Bias with a second bottom (axis 0: the squeeze-excitation form)", () => {
  it("multiplies by the second bottom broadcast from axis 0, learning no blob without bias_term", () => {
    expect(node("se").module).toEqual({ cls: "Scale", args: [null], kwargs: { axis: 0 } });
    expect(node("se").params).toEqual([]);
    expect(forwardOf(NET, "se")).toBe("se = self.se(data, w)");
  });
  it("learns only the bias, shaped like the second bottom, with bias_term", () => {
    expect(node("se_b").module).toEqual({ cls: "Scale", args: [null], kwargs: { axis: 0, bias: true, bias_shape: { tuple: [2, 4] } } });
    expect(node("se_b").params.map((p) => [p.blob, p.key, p.shape])).toEqual([[0, "se_b.bias", [2, 4]]]);
  });
  it("adds the second bottom for Bias", () => {
    expect(node("b2").module).toEqual({ cls: "Bias", args: [null], kwargs: { axis: 0 } });
    expect(forwardOf(NET, "b2")).toBe("b2 = self.b2(data, w)");
  });
});

describe("Scale num_axes: 0", () => {
  it("learns one 0-D gamma, the shape Caffe stores it in", () => {
    expect(node("scalar").module).toEqual({ cls: "Scale", args: [{ tuple: [] }], kwargs: {} });
    expect(node("scalar").params.map((p) => [p.shape, p.caffeShape])).toEqual([[[], []]]);
  });
});

describe("InnerProduct", () => {
  it("flattens from axis 2 and keeps the axes before it", () => {
    expect(node("ip_ax2").module).toEqual({ cls: "nn.Linear", args: [143, 6], kwargs: {} });
    expect(forwardOf(NET, "ip_ax2")).toBe("ip_ax2 = self.ip_ax2(torch.flatten(data, 2))");
  });
  it("transposes Caffe's [K, N] weight of transpose: true into Linear's [N, K]", () => {
    expect(node("ip_t").params.map((p) => [p.shape, p.caffeShape, p.layout.kind])).toEqual([[[3, 572], [572, 3], "transpose"]]);
    expect(node("ip_t").module).toEqual({ cls: "nn.Linear", args: [572, 3], kwargs: { bias: false } });
  });
});
