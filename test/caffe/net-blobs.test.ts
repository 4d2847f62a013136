import { describe, expect, it } from "vitest";
import { buildBlobGraph, isInPlace } from "../../src/caffe/blobs.js";
import { buildNet } from "../../src/caffe/net.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";

describe("net model", () => {
  it("names layers and blobs whose strings are not UTF-8 with text, U+FFFD for the bad bytes", () => {
    // The binder keeps such strings as bytes (encode writes them back exactly); the model needs text.
    const read = readNet('layer { name: "a\\377" type: "Concat" "\\xff" bottom: "x\\300" top: "y" }');
    const net = read.net as NetParameter;
    expect(net.layer![0]!.type).toBeInstanceOf(Uint8Array);
    const [layer] = buildNet(net).layers;
    expect(layer).toMatchObject({ name: "a\ufffd", type: "Concat\ufffd", bottoms: ["x\ufffd"], tops: ["y"] });
  });
  it("turns top-level input + input_dim into a first Input layer, four dims per input", () => {
    const model = buildNet({ input: ["data", "im_info"], input_dim: [1, 3, 224, 224, 1, 3, 1, 1], layer: [{ name: "c", type: "ReLU", bottom: ["data"], top: ["data"] }] });
    expect(model.layers.map((l) => l.name)).toEqual(["input", "c"]);
    expect(model.layers[0]!.inputShapes).toEqual([[1, 3, 224, 224], [1, 3, 1, 1]]);
  });
  it("takes input_shape in preference and drops inputs without any shape, as UpgradeNetInput does", () => {
    expect(buildNet({ input: ["data"], input_shape: [{ dim: [2, 3] }] }).layers[0]!.inputShapes).toEqual([[2, 3]]);
    const bare = buildNet({ input: ["data"] });
    expect(bare.layers).toEqual([]);
    expect(bare.diagnostics.map((d) => d.code)).toEqual(["input-without-shape"]);
  });
  it("leaves the shape unknown when input_dim is short and says so", () => {
    const model = buildNet({ input: ["a", "b"], input_dim: [1, 3, 8, 8, 1] });
    expect(model.layers[0]!.inputShapes).toEqual([[1, 3, 8, 8], null]);
    expect(model.diagnostics.map((d) => d.code)).toEqual(["input-dim-count"]);
  });
  it("filters layers by phase and reports include+exclude as an error", () => {
    const net: NetParameter = {
      layer: [
        { name: "train", type: "Data", top: ["data"], include: [{ phase: "TRAIN" }] },
        { name: "test", type: "Data", top: ["data"], include: [{ phase: "TEST" }] },
        { name: "both", type: "ReLU", include: [{ phase: "TEST" }], exclude: [{ phase: "TRAIN" }] },
      ],
    };
    const test = buildNet(net, { phase: "TEST" });
    expect(test.layers.map((l) => l.name)).toEqual(["test", "both"]);
    expect(test.filtered.map((l) => l.name)).toEqual(["train"]);
    expect(test.diagnostics.map((d) => [d.code, d.severity])).toEqual([["include-and-exclude", "error"]]);
    expect(buildNet(net, { phase: "TRAIN" }).layers.map((l) => l.name)).toEqual(["train"]);
  });
});

describe("blob graph", () => {
  const net: NetParameter = {
    layer: [
      { name: "in", type: "Input", top: ["x"] },
      { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["x"] },
      { name: "sc", type: "Scale", bottom: ["x"], top: ["x"] },
      { name: "a", type: "ReLU", bottom: ["x"], top: ["y"] },
      { name: "b", type: "ReLU", bottom: ["x"], top: ["z"] },
    ],
  };
  const model = buildNet(net);
  const graph = buildBlobGraph(model);

  it("gives each in-place write a new version of the blob", () => {
    expect(graph.versions.filter((v) => v.blob === "x").map((v) => v.version)).toEqual([0, 1, 2]);
    expect(isInPlace(graph, 1)).toBe(true);
    expect(isInPlace(graph, 3)).toBe(false);
  });
  it("lets every bottom read the version current at that point", () => {
    const read = graph.bottoms.map((ids) => ids.map((id) => `${graph.versions[id]!.blob}@${graph.versions[id]!.version}`));
    expect(read).toEqual([[], ["x@0"], ["x@1"], ["x@2"], ["x@2"]]);
  });
  it("records the producer and all consumers of each version", () => {
    const x2 = graph.versions.find((v) => v.blob === "x" && v.version === 2)!;
    expect(x2.producer).toEqual({ layer: 2, top: 0 });
    expect(x2.consumers).toEqual([{ layer: 3, bottom: 0 }, { layer: 4, bottom: 0 }]);
  });
  it("reports a bottom nobody produced and still builds the graph", () => {
    const g = buildBlobGraph(buildNet({ layer: [{ name: "r", type: "ReLU", bottom: ["ghost"], top: ["out"] }] }));
    expect(g.diagnostics.map((d) => [d.code, d.data["blob"]])).toEqual([["unknown-bottom", "ghost"]]);
    expect(g.versions[0]!.producer).toBeNull();
  });
  it("treats a top only as in place when it names the bottom at the same index, as Net::AppendTop does", () => {
    const g = buildBlobGraph(
      buildNet({ layer: [{ name: "i", type: "Input", top: ["a", "b"] }, { name: "s", type: "Slice", bottom: ["a"], top: ["b", "a"] }] }),
    );
    expect(g.diagnostics.map((d) => d.code)).toEqual(["duplicate-top", "duplicate-top"]);
  });
});
