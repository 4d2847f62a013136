import { describe, expect, it } from "vitest";
import { buildNet } from "../../../src/caffe/net.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import { readNet } from "../../../src/schema/read.js";
import { analyzeNet } from "../../../src/caffe/analyze.js";
import { InputFileError, inputShapeProblems, labelClasses, matchInputs, readInputFile, seededInputs, unknownInputs } from "../../../src/verify/net/inputs.js";
import { safetensorsBytes } from "../../../src/weights/safetensors.js";

const net = (text: string) => buildNet(readNet(text, { allowUnknown: true, upgrade: true }).net as NetParameter, { phase: "TEST" });
const EMBED = `
layer { name: "in" type: "Input" top: "x" top: "ids" input_param { shape { dim: 2 dim: 3 } shape { dim: 2 dim: 4 } } }
layer { name: "e" type: "Embed" bottom: "ids" top: "e" embed_param { input_dim: 5 num_output: 2 } }`;

describe("seededInputs", () => {
  it("draws the same standard normal values for the same seed, other values for another", () => {
    const specs = [{ blob: "x", shape: [2, 3] }];
    const a = seededInputs(specs, net(EMBED), 0).get("x")!;
    expect(a.shape).toEqual([2, 3]);
    expect(seededInputs(specs, net(EMBED), 0).get("x")!.data).toEqual(a.data);
    expect(seededInputs(specs, net(EMBED), 1).get("x")!.data).not.toEqual(a.data);
  });

  it("draws integer ids in [0, input_dim) for a blob an Embed layer reads", () => {
    const ids = seededInputs([{ blob: "ids", shape: [2, 4] }], net(EMBED), 3).get("ids")!;
    expect([...ids.data].every((v) => Number.isInteger(v) && v >= 0 && v < 5)).toBe(true);
  });

  it("draws class indices in [0, classes) for the labels a classification loss or Accuracy reads", () => {
    const text = `
layer { name: "in" type: "Input" top: "x" top: "label" input_param { shape { dim: 4 dim: 6 } shape { dim: 4 } } }
layer { name: "ip" type: "InnerProduct" bottom: "x" top: "score" inner_product_param { num_output: 7 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "score" bottom: "label" top: "loss" }
layer { name: "acc" type: "Accuracy" bottom: "score" bottom: "label" top: "acc" }`;
    const read = readNet(text, { allowUnknown: true, upgrade: true });
    const analysis = analyzeNet(read.net as NetParameter, { phase: "TRAIN" }, read.sourceMap);
    const classes = labelClasses(analysis);
    expect([...classes]).toEqual([["label", 7]]);
    const label = seededInputs([{ blob: "x", shape: [4, 6] }, { blob: "label", shape: [4] }], analysis.model, 5, classes).get("label")!;
    expect([...label.data].every((v) => Number.isInteger(v) && v >= 0 && v < 7)).toBe(true);
    expect(new Set(label.data).size).toBeGreaterThan(1);
  });

  it("lists the inputs whose shape is unknown", () => {
    expect(unknownInputs([{ blob: "a", shape: [1, 2] }, { blob: "b", shape: [null, 3] }, { blob: "c", shape: null }])).toEqual(["b", "c"]);
  });
});

describe("input files", () => {
  const st = safetensorsBytes(new Map([["input/data", { dtype: "F32" as const, shape: [1, 2], data: Float32Array.of(1, 2) }], ["w", { dtype: "F32" as const, shape: [2], data: Float32Array.of(3, 4) }]]));

  it("matches safetensors tensors by blob name, or by input/<blob> as the recordings name them", () => {
    const found = readInputFile(st, "in.safetensors");
    const m = matchInputs(found, ["data", "w"]);
    expect([...m.get("data")!.data]).toEqual([1, 2]);
    expect(m.get("w")!.shape).toEqual([2]);
  });

  it("names the blobs a file lacks and what it has", () => {
    expect(() => matchInputs(readInputFile(st, "in.safetensors"), ["data", "label"])).toThrow(/no tensor for input blob label \(the file has input\/data, w;/);
  });

  it("refuses a .npy file for a net with several inputs", () => {
    const found = new Map([["", { shape: [1], data: Float32Array.of(1) }]]);
    expect(() => matchInputs(found, ["a", "b"])).toThrow(/a \.npy file holds one array, and this net has 2 inputs \(a, b\)/);
    expect(matchInputs(found, ["a"]).get("a")!.data[0]).toBe(1);
  });

  it("refuses other file kinds and unreadable safetensors with InputFileError", () => {
    expect(() => readInputFile(st, "in.bin")).toThrow(InputFileError);
    expect(() => readInputFile(new Uint8Array(4), "in.safetensors")).toThrow(/not a safetensors file we can read/);
  });

  it("says when an input's shape differs from the net's", () => {
    const problems = inputShapeProblems(new Map([["x", { shape: [2, 4], data: new Float32Array(8) }]]), [{ blob: "x", shape: [2, 3] }]);
    expect(problems).toEqual(["input x has shape [2, 4], the net declares [2, 3] (give --input-shape to change the net's)"]);
  });
});
