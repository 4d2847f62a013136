import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { embeddedJson, pageOf, reportOf } from "./support.js";
import { verificationWithWrongWeight } from "./verification.js";

const golden = (name: string) => readFileSync(join(GOLDEN_DIR, "nets", name, "net.prototxt"), "utf8");

const SMALL = `name: "small"
input: "data"
input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }
layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "side" type: "ReLU" bottom: "pool1" top: "side" }
layer { name: "sum" type: "Eltwise" bottom: "pool1" bottom: "side" top: "sum" }
layer { name: "drop" type: "Dropout" bottom: "sum" top: "sum" include { phase: TRAIN } }
`;

describe("report data", () => {
  it("draws a layer with the in-place layers on its top as one node, in Caffe's order", () => {
    const data = reportOf(SMALL);
    const named = data.graph.nodes.map((n) => n.layers.map((i) => data.graph.layers[i]!.name));
    expect(named).toContainEqual(["conv1", "bn1", "scale1", "relu1"]);
    expect(named).toContainEqual(["pool1"]);
    expect(named).toContainEqual(["side"]);
  });

  it("ends a chain where another layer reads the blob before the in-place layer changes it", () => {
    // `tap` reads conv1 as the convolution wrote it; relu1 then rewrites conv1 in place. Drawn in
    // conv1's box, relu1 would make tap's edge leave from the middle of a node.
    const text = `input: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "tap" type: "Sigmoid" bottom: "conv1" top: "tap" }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "drop1" type: "Dropout" bottom: "conv1" top: "conv1" }
`;
    const data = reportOf(text);
    const named = data.graph.nodes.map((n) => n.layers.map((i) => data.graph.layers[i]!.name));
    expect(named).toContainEqual(["conv1"]);
    expect(named).toContainEqual(["relu1", "drop1"]);
    const id = (layer: string) => data.graph.nodes.find((n) => n.layers.some((i) => data.graph.layers[i]!.name === layer))!.id;
    expect(data.graph.edges).toContainEqual(expect.objectContaining({ from: id("conv1"), to: id("tap"), blob: "conv1" }));
    expect(data.graph.edges).toContainEqual(expect.objectContaining({ from: id("conv1"), to: id("relu1"), blob: "conv1" }));
  });

  it("holds every layer active in the phase exactly once, and only those", () => {
    const test = reportOf(SMALL);
    const train = reportOf(SMALL, { phase: "TRAIN" });
    // Every layer drawn, each in one node: the names in the nodes are the phase's layers of SMALL.
    const drawn = (d: typeof test) => d.graph.nodes.flatMap((n) => n.layers).map((i) => d.graph.layers[i]!.name).sort();
    const testLayers = ["input", "conv1", "bn1", "scale1", "relu1", "pool1", "side", "sum"]; // "input": the legacy `input:` field
    expect(drawn(test)).toEqual([...testLayers].sort());
    expect(drawn(train)).toEqual([...testLayers, "drop"].sort());
  });

  it("draws blobs as edges between nodes, marks the net input without a layer and the output", () => {
    const data = reportOf(SMALL);
    const nodeOf = (layer: string) => data.graph.nodes.find((n) => n.layers.some((i) => data.graph.layers[i]!.name === layer))!.id;
    const input = data.graph.nodes.find((n) => n.role === "input")!;
    expect(input.layers.map((i) => data.graph.layers[i]!.name)).toEqual(["input"]);
    expect(data.graph.edges).toContainEqual(expect.objectContaining({ from: nodeOf("pool1"), to: nodeOf("sum"), blob: "pool1", shape: [1, 4, 3, 3] }));
    expect(data.graph.edges).toContainEqual(expect.objectContaining({ from: nodeOf("side"), to: nodeOf("sum"), blob: "side" }));
    const output = data.graph.nodes.find((n) => n.role === "output")!;
    expect(output.blob).toBe("sum");
    expect(data.graph.edges).toContainEqual(expect.objectContaining({ from: nodeOf("sum"), to: output.id }));
  });

  it("says what each layer became in PyTorch, with shapes and parameter counts", () => {
    const data = reportOf(SMALL);
    const conv = data.graph.layers.find((l) => l.name === "conv1")!;
    expect(conv.torch).toBe("nn.Conv2d(3, 4, kernel_size=3)");
    expect(conv.bottomShapes).toEqual([[1, 3, 8, 8]]);
    expect(conv.topShapes).toEqual([[1, 4, 6, 6]]);
    expect(conv.parameters).toBe(4 * 3 * 3 * 3 + 4);
    expect(conv.prototxt).toMatch(/^layer \{ name: "conv1"/);
    const scale = data.graph.layers.find((l) => l.name === "scale1")!;
    expect(scale.call).toBe("fused");
    expect(scale.block).toBe("bn1");
  });

  it("gives each BatchNorm block its mapping", () => {
    const [block] = reportOf(SMALL, { phase: "TRAIN" }).blocks;
    expect(block).toMatchObject({ batchnorm: "bn1", scale: "scale1", module: "BatchNorm2d", numFeatures: 4, mode: "train", affine: true, frozen: false });
    expect(block!.momentum).toBeCloseTo(0.001, 12);
  });

  it("draws one lag plot per moving_average_fraction in TRAIN, and none in TEST", async () => {
    const { lagPlots } = await import("../../src/report/lag-plots.js");
    const { buildTorchGraph } = await import("../../src/convert/graph.js");
    const { readNet } = await import("../../src/schema/read.js");
    const twoBlocks = SMALL.replace('layer { name: "pool1"', 'layer { name: "bn2" type: "BatchNorm" bottom: "conv1" top: "bn2" }\nlayer { name: "pool1"');
    const read = readNet(twoBlocks, { allowUnknown: true, upgrade: true });
    const outcome = (phase: "TEST" | "TRAIN") => buildTorchGraph(read, { phase, source: "n", stubs: true }).convert;
    const train = outcome("TRAIN");
    const plots = lagPlots(train.result, train.analysis.model, "TRAIN", "n");
    expect(plots.map((p) => [p.block, p.movingAverageFraction])).toEqual([["bn1", 0.999]]);
    expect(plots[0]!.svg).toMatch(/^<svg/);
    const test = outcome("TEST");
    expect(lagPlots(test.result, test.analysis.model, "TEST", "n")).toEqual([]);
  });

  it("puts lint findings on the layer whose text they point into", () => {
    // conv1 learns a bias that bn1 then cancels: conv-bias-before-bn, on conv1's line (4), and
    // nothing on the net as a whole.
    const data = reportOf(SMALL);
    const conv = data.graph.layers.find((l) => l.name === "conv1")!;
    expect(conv.lint.map((f) => [f.rule, f.line, f.layer])).toEqual([["conv-bias-before-bn", 4, "conv1"]]);
    expect(data.graph.layers.filter((l) => l.name !== "conv1").flatMap((l) => l.lint)).toEqual([]);
    expect(data.lint.filter((f) => f.layer === null)).toEqual([]);
  });

  it("takes each layer's status and error from a verification, and keeps its top-level keys", () => {
    const verification = verificationWithWrongWeight("squeezenet_v1_1", "fire3/expand3x3");
    const data = reportOf(golden("squeezenet_v1_1"), { verification });
    expect(data.first_divergent).toBe("fire3/expand3x3");
    expect(data.verified).toBe(true);
    expect(data.layers).toEqual(verification.layers);
    const layer = data.graph.layers.find((l) => l.name === "fire3/expand3x3")!;
    expect(layer.status).toBe("diverged");
    expect(layer.scaledError).toBe(verification.layers.find((l) => l.name === "fire3/expand3x3")!.scaled_error);
    expect(layer.scaledError!).toBeGreaterThan(verification.tolerance);
    expect(data.graph.layers.find((l) => l.name === "conv1")!.status).toBe("ok");
  });

  it("marks every layer unchecked without a verification", () => {
    const data = reportOf(golden("lenet"));
    expect(data.verified).toBe(false);
    expect(data.ok).toBeNull();
    expect(new Set(data.graph.layers.map((l) => l.status))).toEqual(new Set(["unchecked"]));
    expect(data.layers.map((l) => l.name)).toEqual(data.graph.layers.map((l) => l.name));
  });
});

describe("the report page", () => {
  it("embeds its data as JSON that parses back to the same data", () => {
    const { data, html } = pageOf(golden("lenet"));
    expect(embeddedJson(html)).toEqual(JSON.parse(JSON.stringify(data)));
  });

  it("keeps a layer name that looks like markup as data (no early end of script, no element)", () => {
    const hostile = SMALL.replaceAll('"side"', '"</script><img src=x onerror=alert(1)>"');
    const { data, html } = pageOf(hostile);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html.includes("<img")).toBe(false);
    expect(embeddedJson(html).graph.layers.map((l) => l.name)).toEqual(data.graph.layers.map((l) => l.name));
  });

  it("loads nothing from outside: a CSP that allows no request, and no URL in src or href", () => {
    const { html } = pageOf(golden("mobilenet_v2"));
    expect(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/.test(html)).toBe(true);
    expect(html.match(/\s(src|href)=["']?(https?:|\/\/)[^"' >]*/gi)).toBeNull();
    expect(html.match(/@import|url\(\s*["']?https?:[^)]*/gi)).toBeNull();
  });

  it("draws the error chart only with a verification, one bar per layer", () => {
    const plain = pageOf(golden("squeezenet_v1_1"));
    expect(plain.html.match(/ data-chart-layer="/g)).toBeNull();
    const verification = verificationWithWrongWeight("squeezenet_v1_1", "fire3/expand3x3");
    const checked = pageOf(golden("squeezenet_v1_1"), { verification });
    expect(checked.html.match(/ data-chart-layer="/g)).toHaveLength(plain.data.graph.layers.length);
  });
});
