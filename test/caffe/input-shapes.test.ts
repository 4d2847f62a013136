/** Shapes given for a net's input blobs (`--input-shape`): which blob each sets, propagation, and what cannot be right. */
import { describe, expect, it } from "vitest";
import { analyzeNet, type NetAnalysis } from "../../src/caffe/analyze.js";
import { inputBlobs, type InputShape } from "../../src/caffe/input-shapes.js";
import { messageOf } from "../../src/render/messages.js";
import type { LayerParameter, NetParameter } from "../../src/schema/caffe-types.js";

const data = (batch = 100): LayerParameter => ({ name: "data", type: "Data", top: ["data", "label"], data_param: { source: "db", batch_size: batch } });
const conv = (name: string, bottom: string, num_output: number, extra = {}): LayerParameter => ({
  name,
  type: "Convolution",
  bottom: [bottom],
  top: [name],
  convolution_param: { num_output, kernel_size: [5], pad: [2], ...extra },
});
const pool = (name: string, bottom: string): LayerParameter => ({ name, type: "Pooling", bottom: [bottom], top: [name], pooling_param: { pool: "MAX", kernel_size: 3, stride: 2 } });
const bn = (name: string, bottom: string): LayerParameter => ({ name, type: "BatchNorm", bottom: [bottom], top: [name] });

/** CIFAR-10 full's start: conv 5×5 pad 2 → pool 3/2 → BatchNorm, twice more down to bn3. */
const CIFAR: NetParameter = {
  layer: [data(), conv("conv1", "data", 32), pool("pool1", "conv1"), bn("bn1", "pool1"), conv("conv2", "bn1", 32), pool("pool2", "conv2"), conv("conv3", "pool2", 64), bn("bn3", "conv3")],
};

function analyse(net: NetParameter, inputShapes: InputShape[]): NetAnalysis {
  return analyzeNet(net, { phase: "TEST" }, undefined, { inputShapes });
}

/** The shape of the blob version `layer` reads on bottom 0. */
function inputOf(a: NetAnalysis, layer: string): (number | null)[] | null {
  const position = a.model.layers.findIndex((l) => l.name === layer);
  return a.shapes[a.graph.bottoms[position]![0]!] ?? null;
}

const codes = (a: NetAnalysis) => a.diagnostics.map((d) => [d.code, d.severity]);

describe("a given input shape", () => {
  it("replaces the Data layer's shape and is propagated through every layer as an Input layer's would be", () => {
    const a = analyse(CIFAR, [{ blob: null, dims: [2, 3, 32, 32] }]);
    expect(inputOf(a, "bn1")).toEqual([2, 32, 16, 16]);
    expect(inputOf(a, "bn3")).toEqual([2, 64, 8, 8]);
    expect(codes(a)).toEqual([]);
  });

  it("without one, the Data layer's batch and the convolutions' channels are all that is known", () => {
    expect(inputOf(analyse(CIFAR, []), "bn1")).toEqual([100, 32, null, null]);
  });

  it("the unnamed form means the first top of the net's one data layer: its label is no candidate", () => {
    const a = analyzeNet(CIFAR, { phase: "TEST" });
    expect(inputBlobs(a.model, a.graph).map((i) => [i.blob, i.primary])).toEqual([
      ["data", true],
      ["label", false],
    ]);
  });

  it("for an Input layer with several tops, the unnamed form means the first; two data layers or top-level inputs are ambiguous", () => {
    const labelled: NetParameter = {
      layer: [{ name: "in", type: "Input", top: ["data", "label"], input_param: { shape: [{ dim: [2, 3, 8, 8] }, { dim: [2] }] } }, conv("conv1", "data", 4), bn("bn1", "conv1")],
    };
    const a = analyse(labelled, [{ blob: null, dims: [5, 3, 8, 8] }]);
    expect(inputOf(a, "bn1")).toEqual([5, 4, 8, 8]);
    const siamese: NetParameter = { layer: [data(), { ...data(), name: "data_p", top: ["data_p", "sim"] }] };
    expect(codes(analyse(siamese, [{ blob: null, dims: [2, 3, 8, 8] }]))).toEqual([["input-shape-ambiguous", "error"]]);
  });

  it("named forms set several inputs; each is propagated from its own blob", () => {
    const net: NetParameter = {
      layer: [
        { name: "input", type: "Input", top: ["data", "im_info"], input_param: { shape: [{ dim: [1, 3, 224, 224] }, { dim: [1, 3] }] } },
        conv("conv1", "data", 8),
        bn("bn1", "conv1"),
        { name: "ip", type: "InnerProduct", bottom: ["im_info"], top: ["ip"], inner_product_param: { num_output: 6 } },
        bn("bn2", "ip"),
      ],
    };
    const a = analyse(net, [
      { blob: "data", dims: [2, 3, 16, 16] },
      { blob: "im_info", dims: [2, 3] },
    ]);
    expect(inputOf(a, "bn1")).toEqual([2, 8, 16, 16]);
    expect(inputOf(a, "bn2")).toEqual([2, 6]);
  });

  it("wins over what an Input layer declares, with a warning that names both shapes", () => {
    const net: NetParameter = { layer: [{ name: "in", type: "Input", top: ["data"], input_param: { shape: [{ dim: [1, 3, 224, 224] }] } }, conv("conv1", "data", 8), bn("bn1", "conv1")] };
    const a = analyse(net, [{ blob: null, dims: [2, 3, 32, 32] }]);
    expect(inputOf(a, "bn1")).toEqual([2, 8, 32, 32]);
    expect(codes(a)).toEqual([["input-shape-declared", "warning"]]);
    expect(messageOf(a.diagnostics[0]!)).toBe("--input-shape gives blob data [2, 3, 32, 32]; Input layer in declares [1, 3, 224, 224]. The given shape is used.");
    expect(codes(analyse(net, [{ blob: null, dims: [1, 3, 224, 224] }]))).toEqual([]);
  });

  it("sets the legacy top-level input that has no shape (a blob read but never written)", () => {
    const a = analyse({ input: ["data"], layer: [conv("conv1", "data", 8), bn("bn1", "conv1")] }, [{ blob: null, dims: [1, 3, 10, 10] }]);
    expect(inputOf(a, "bn1")).toEqual([1, 8, 10, 10]);
  });

  it("may set the top of a layer without a shape rule, which nothing else can tell", () => {
    const net: NetParameter = { layer: [data(), { name: "py", type: "Python", bottom: ["data"], top: ["py"] }, bn("bn_py", "py")] };
    expect(inputOf(analyse(net, []), "bn_py")).toBeNull();
    expect(inputOf(analyse(net, [{ blob: "py", dims: [4, 5, 6] }]), "bn_py")).toEqual([4, 5, 6]);
  });
});

describe("a given input shape that cannot be right", () => {
  const twoInputs: NetParameter = { input: ["data", "im_info"], input_shape: [{ dim: [1, 3, 8, 8] }, { dim: [1, 3] }], layer: [conv("conv1", "data", 4)] };

  it("unnamed, for a net with several inputs: an error naming them", () => {
    const a = analyse(twoInputs, [{ blob: null, dims: [2, 3, 8, 8] }]);
    expect(codes(a)).toEqual([["input-shape-ambiguous", "error"]]);
    expect(messageOf(a.diagnostics[0]!)).toBe("--input-shape without a blob name needs a net with one input; this one has data, im_info: give BLOB=DIMS.");
  });

  it("naming a blob that is no input: an error listing the input blobs", () => {
    const a = analyse(twoInputs, [{ blob: "conv1", dims: [2, 3, 8, 8] }]);
    expect(codes(a)).toEqual([["input-shape-unknown-blob", "error"]]);
    expect(messageOf(a.diagnostics[0]!)).toBe("--input-shape names blob conv1, which is not an input of the net; its input blobs: data, im_info.");
  });

  it("the same blob twice: an error", () => {
    expect(codes(analyse(CIFAR, [{ blob: null, dims: [2, 3, 32, 32] }, { blob: "data", dims: [2, 3, 32, 32] }]))).toEqual([["input-shape-repeated", "error"]]);
  });

  it("a rank the first Convolution cannot read: an error with the layer, what it needs and the rank given", () => {
    const a = analyse(CIFAR, [{ blob: null, dims: [1, 2] }]);
    expect(codes(a)).toEqual([["input-shape-rank", "error"]]);
    expect(messageOf(a.diagnostics[0]!)).toBe("Convolution conv1 needs a 4-D (or N-D ≥3) input; --input-shape gives rank 2.");
  });

  it("a rank reaching a layer through others: the error names the blob it reads", () => {
    const net: NetParameter = { layer: [data(), { name: "relu", type: "ReLU", bottom: ["data"], top: ["data"] }, pool("pool1", "data")] };
    const a = analyse(net, [{ blob: null, dims: [2, 3, 8] }]);
    expect(messageOf(a.diagnostics[0]!)).toBe("Pooling pool1 needs a 4-D input; its input data has rank 3 from --input-shape.");
    const listed = analyse({ layer: [data(), conv("conv1", "data", 4, { kernel_size: [3, 3, 3] })] }, [{ blob: null, dims: [2, 3, 8, 8] }]);
    expect(messageOf(listed.diagnostics[0]!)).toBe("Convolution conv1 needs a 5-D input; --input-shape gives rank 4.");
  });

  it("a count of values a Reshape cannot take: an error with both shapes", () => {
    const net: NetParameter = { layer: [data(), { name: "r", type: "Reshape", bottom: ["data"], top: ["r"], reshape_param: { shape: { dim: [0, -1, 5] } } }] };
    const a = analyse(net, [{ blob: null, dims: [2, 3, 4, 4] }]);
    expect(codes(a)).toEqual([["input-shape-values", "error"]]);
    expect(messageOf(a.diagnostics[0]!)).toBe("Reshape r cannot reshape its input data [2, 3, 4, 4] (from --input-shape) to [0, -1, 5]: the number of values does not fit.");
    expect(codes(analyse(net, [{ blob: null, dims: [2, 3, 5, 4] }]))).toEqual([]);
  });

  it("the prototxt's own shapes are not checked here (lint's business)", () => {
    const net: NetParameter = { layer: [{ name: "in", type: "Input", top: ["x"], input_param: { shape: [{ dim: [1, 2] }] } }, conv("conv1", "x", 4)] };
    expect(codes(analyzeNet(net, { phase: "TEST" }))).toEqual([]);
  });
});
