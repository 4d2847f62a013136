/**
 * What `export` makes of the layers a training net adds: loss layers (their parameters read with
 * Caffe's defaults and legacy fields), loss weights as Caffe assigns them, Net.loss, data layers
 * (shapes, transform_param, --input-shape), DummyData fills, and the notes on Caffe behaviours
 * PyTorch does not share.
 */
import { describe, expect, it } from "vitest";
import { lossWeightsOf } from "../../src/caffe/layers/loss-weights.js";
import { layerParams } from "../../src/caffe/layers/params.js";
import { buildNet } from "../../src/caffe/net.js";
import { buildTorchGraph } from "../../src/convert/graph.js";
import { nodeNoteMessage } from "../../src/convert/layers/node-notes.js";
import { sigmoidNormalization, softmaxNormalization } from "../../src/convert/layers/losses.js";
import type { TorchGraph, TorchNode } from "../../src/convert/torch-graph.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { runCli } from "../cli/run-cli.js";
import { writeTempFile } from "../helpers/python.js";

const read = (text: string) => readNet(text, { upgrade: true, allowUnknown: true });

function graphOf(text: string, phase: "TRAIN" | "TEST" = "TRAIN", inputShapes?: Map<string, number[]>): TorchGraph {
  const given = inputShapes ? [...inputShapes].map(([blob, dims]) => ({ blob, dims })) : undefined;
  return buildTorchGraph(read(text), { phase, source: "net.prototxt", ...(given ? { inputShapes: given } : {}) }).graph;
}

const node = (g: TorchGraph, layer: string): TorchNode => {
  const n = g.nodes.find((x) => x.layer === layer);
  if (!n) throw new Error(`no node ${layer}; unsupported: ${JSON.stringify(g.unsupported)}`);
  return n;
};

/** The layers of a net, as the model builds them in TRAIN. */
function layersOf(text: string) {
  const r = read(text);
  return buildNet(r.net as NetParameter, { phase: "TRAIN" }, r.sourceMap).layers;
}

const INPUT = `layer { name: "in" type: "Input" top: "x" top: "label" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 5 } shape { dim: 2 dim: 4 dim: 5 } } }\n`;

describe("loss weights, as Layer::SetLossWeights and LossLayer::LayerSetUp give them", () => {
  const layers = layersOf(`${INPUT}
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "x" bottom: "label" top: "loss" }
layer { name: "two" type: "SoftmaxWithLoss" bottom: "x" bottom: "label" top: "l2" top: "prob" }
layer { name: "zero" type: "EuclideanLoss" bottom: "x" bottom: "x" top: "l3" loss_weight: 0 }
layer { name: "relu" type: "ReLU" bottom: "x" top: "r" loss_weight: 2.5 }
layer { name: "acc" type: "Accuracy" bottom: "x" bottom: "label" top: "acc" }`);
  const weights = (name: string) => lossWeightsOf(layers.find((l) => l.name === name)!);

  it("gives a loss layer without loss_weight the weight 1", () => expect(weights("loss")).toEqual({ weights: [1], countMismatch: false }));
  it("gives its second top 0, and flags the count Caffe would refuse", () => expect(weights("two")).toEqual({ weights: [1, 0], countMismatch: true }));
  it("keeps a declared 0", () => expect(weights("zero").weights).toEqual([0]));
  it("gives any layer its declared loss_weight", () => expect(weights("relu").weights).toEqual([2.5]));
  it("gives Accuracy, which is not a LossLayer, none", () => expect(weights("acc").weights).toEqual([0]));
});

describe("loss normalisation, as each layer's LayerSetUp resolves it", () => {
  const loss = (body: string) => layerParams(layersOf(`${INPUT}layer { name: "l" type: "SoftmaxWithLoss" bottom: "x" bottom: "label" top: "l" ${body} }`).at(-1)!, "loss_param");
  it.each([
    ["", "VALID", "BATCH_SIZE"],
    ["loss_param { normalize: false }", "BATCH_SIZE", "BATCH_SIZE"],
    ["loss_param { normalize: true }", "VALID", "VALID"],
    ["loss_param { normalization: FULL normalize: false }", "FULL", "FULL"],
    ["loss_param { normalization: NONE }", "NONE", "NONE"],
  ])("%s: SoftmaxWithLoss %s, SigmoidCrossEntropyLoss %s", (body, softmax, sigmoid) => {
    expect(softmaxNormalization(loss(body))).toBe(softmax);
    expect(sigmoidNormalization(loss(body))).toBe(sigmoid);
  });
});

describe("loss layer converters", () => {
  it("give SoftmaxWithLoss its canonical axis, ignore_label and normalisation, and a second top the softmax", () => {
    const g = graphOf(`${INPUT}layer { name: "loss" type: "SoftmaxWithLoss" bottom: "x" bottom: "label" top: "loss" top: "prob"
      softmax_param { axis: -3 } loss_param { ignore_label: 255 normalize: false } loss_weight: 1 loss_weight: 0 }`);
    const n = node(g, "loss");
    expect(n.module).toEqual({ cls: "SoftmaxWithLoss", args: [], kwargs: { axis: 1, ignore_label: 255, normalization: "BATCH_SIZE", with_prob: true } });
    expect(n.helpers).toEqual(["SoftmaxWithLoss"]);
    expect(n.lossWeights).toEqual([1, 0]);
  });

  it("refuse a class axis outside the input's rank", () => {
    const g = graphOf(`${INPUT}layer { name: "loss" type: "SoftmaxWithLoss" bottom: "x" bottom: "label" top: "loss" softmax_param { axis: 4 } }`);
    expect(g.unsupported.map((u) => u.reason)).toEqual(["axis-out-of-range"]);
  });

  it("give SigmoidCrossEntropyLoss BATCH_SIZE by default, HingeLoss its norm, ContrastiveLoss margin and legacy_version", () => {
    const g = graphOf(`${INPUT}
layer { name: "s" type: "SigmoidCrossEntropyLoss" bottom: "x" bottom: "x" top: "s" loss_param { ignore_label: -1 } }
layer { name: "h" type: "HingeLoss" bottom: "x" bottom: "label" top: "h" hinge_loss_param { norm: L2 } }
layer { name: "c" type: "ContrastiveLoss" bottom: "x" bottom: "x" bottom: "label" top: "c" contrastive_loss_param { margin: 0.5 legacy_version: true } }
layer { name: "m" type: "MultinomialLogisticLoss" bottom: "x" bottom: "label" top: "m" }`);
    expect(node(g, "s").module!.kwargs).toEqual({ ignore_label: -1, normalization: "BATCH_SIZE" });
    expect(node(g, "h").module!.kwargs).toEqual({ norm: "L2" });
    expect(node(g, "c").module!.kwargs).toEqual({ margin: 0.5, legacy_version: true });
    expect(node(g, "m").module!.cls).toBe("MultinomialLogisticLoss");
  });

  it("write EuclideanLoss as Σ(a − b)² / N / 2 over the flat blobs", () => {
    const g = graphOf(`${INPUT}layer { name: "e" type: "EuclideanLoss" bottom: "x" bottom: "x" top: "e" }`);
    expect(node(g, "e").call).toEqual({ kind: "expr", expr: "torch.sum(({0} - {1}.reshape({0}.shape)) ** 2) / {0}.shape[0] / 2" });
  });

  it("take InfogainLoss's matrix from a third bottom, or note the file Caffe reads it from", () => {
    const g = graphOf(`${INPUT}
layer { name: "h3" type: "InfogainLoss" bottom: "x" bottom: "label" bottom: "x" top: "a" }
layer { name: "file" type: "InfogainLoss" bottom: "x" bottom: "label" top: "b" infogain_loss_param { source: "H.binaryproto" } }`);
    expect(node(g, "h3").module!.kwargs).toEqual({ axis: 1, ignore_label: null, normalization: "VALID", with_prob: false });
    expect(node(g, "file").module!.kwargs["source"]).toBe("H.binaryproto");
    expect(node(g, "file").notes).toEqual([{ code: "infogain-source", data: { source: "H.binaryproto" } }]);
    expect(nodeNoteMessage(node(g, "file").notes[0]!)).toContain("set the module's .infogain");
  });

  it("refuse InfogainLoss with the legacy normalize (Caffe CHECKs it) or without any matrix", () => {
    const g = graphOf(`${INPUT}
layer { name: "n" type: "InfogainLoss" bottom: "x" bottom: "label" bottom: "x" top: "a" loss_param { normalize: true } }
layer { name: "none" type: "InfogainLoss" bottom: "x" bottom: "label" top: "b" }`);
    expect(g.unsupported.map((u) => [u.layer, u.reason])).toEqual([
      ["n", "infogain-normalize"],
      ["none", "infogain-no-matrix"],
    ]);
  });

  it("give Accuracy top_k, its axis, ignore_label and a per-class second top", () => {
    const g = graphOf(`${INPUT}layer { name: "acc" type: "Accuracy" bottom: "x" bottom: "label" top: "a" top: "per" accuracy_param { top_k: 5 ignore_label: 3 } }`);
    expect(node(g, "acc").module!.kwargs).toEqual({ top_k: 5, axis: 1, ignore_label: 3, per_class: true });
    expect(node(g, "acc").lossWeights).toBeUndefined();
  });
});

describe("Net.loss in the generated module", () => {
  const text = `${INPUT}
layer { name: "ip" type: "InnerProduct" bottom: "x" top: "ip" inner_product_param { num_output: 3 } }
layer { name: "aux" type: "ReLU" bottom: "ip" top: "aux" loss_weight: 0.25 }
layer { name: "cls" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "cls" loss_weight: 0.5 }
layer { name: "reg" type: "EuclideanLoss" bottom: "ip" bottom: "ip" top: "reg" }`;

  it("sums weight · sum(top) right after each weighted layer, in layer order", () => {
    const source = emitNetModule(graphOf(text));
    const loss = source.slice(source.indexOf("    def loss(self, x, label):"));
    const lines = loss.split("\n").map((l) => l.trim());
    expect(lines.filter((l) => l.startsWith("objective"))).toEqual([
      "objective = 0.25 * aux.sum()",
      "objective = objective + 0.5 * cls.sum()",
      "objective = objective + reg.sum()",
    ]);
    expect(lines.indexOf("objective = 0.25 * aux.sum()")).toBe(lines.findIndex((l) => l.startsWith("aux = ")) + 1);
    expect(source).toContain('LOSS_WEIGHTS = {\n    "aux": [0.25],\n    "cls": [0.5],\n    "reg": [1],\n}');
  });

  it("is not generated for a net without loss weights", () => {
    const source = emitNetModule(graphOf(`${INPUT}layer { name: "r" type: "ReLU" bottom: "x" top: "r" }`));
    expect(source).not.toContain("def loss(");
    expect(source).not.toContain("LOSS_WEIGHTS");
  });

  it("cannot honour a loss weight on a BatchNorm whose Scale is fused into its module", () => {
    const g = graphOf(`${INPUT}
layer { name: "bn" type: "BatchNorm" bottom: "x" top: "bn" loss_weight: 1 }
layer { name: "sc" type: "Scale" bottom: "bn" top: "sc" scale_param { bias_term: true } }`);
    expect(g.unsupported.map((u) => [u.layer, u.reason])).toEqual([["bn", "loss-weight-on-fused"]]);
  });
});

describe("in-place ReLU whose blob a later layer overwrites in place", () => {
  it("is noted, since Caffe's backward then takes the mask from the later output", () => {
    const g = graphOf(`${INPUT}
layer { name: "relu" type: "ReLU" bottom: "x" top: "x" }
layer { name: "bn" type: "BatchNorm" bottom: "x" top: "x" }
layer { name: "relu2" type: "ReLU" bottom: "x" top: "y" }`);
    expect(node(g, "relu").notes).toEqual([{ code: "inplace-relu-overwritten", data: { by: "bn" } }]);
  });

  it("is not noted when the ReLU comes last, or only Dropout follows", () => {
    const g = graphOf(`${INPUT}
layer { name: "bn" type: "BatchNorm" bottom: "x" top: "x" }
layer { name: "relu" type: "ReLU" bottom: "x" top: "x" }
layer { name: "drop" type: "Dropout" bottom: "x" top: "x" }`);
    expect(node(g, "relu").notes).toEqual([]);
  });
});

describe("data layers and DummyData", () => {
  const DATA = `layer { name: "d" type: "Data" top: "data" top: "label"
  transform_param { crop_size: 3 mirror: true mean_value: 104 mean_value: 117 mean_value: 123 scale: 0.017 }
  data_param { source: "db" batch_size: 16 } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 2 } }`;

  it("make Data an input [batch_size, ?, crop, crop] whose channels --input-shape fills", () => {
    expect(graphOf(DATA).unsupported.map((u) => u.reason)).toEqual(["channels-unknown"]);
    const g = graphOf(DATA, "TRAIN", new Map([["data", [16, 3, 3, 3]]]));
    expect(g.inputs.map((i) => [i.blob, i.shape])).toEqual([
      ["data", [16, 3, 3, 3]],
      ["label", [16]],
    ]);
    expect(node(g, "ip").module!.args).toEqual([27, 2]);
  });

  it("keep transform_param on the image input and write TRANSFORMS and preprocess", () => {
    const g = graphOf(DATA, "TRAIN", new Map([["data", [16, 3, 3, 3]]]));
    expect(g.inputs[0]!.transform).toEqual({ layer: "d", cropSize: 3, mirror: true, scale: 0.017, meanValues: [104, 117, 123], meanFile: null });
    expect(g.inputs[1]!.transform).toBeUndefined();
    const source = emitNetModule(g);
    expect(source).toContain('"data": {"layer": "d", "crop_size": 3, "mirror": True, "scale": 0.017, "mean_values": [104.0, 117.0, 123.0], "mean_file": None},');
    expect(source).toContain('def preprocess(image, mean=None, blob="data", phase=PHASE, generator=None):');
    expect(source).toContain("def caffe_transform(");
  });

  it("note what other data layers do with transform_param, and give MemoryData's label the shape its Forward gives", () => {
    const g = graphOf(`layer { name: "m" type: "MemoryData" top: "a" top: "b" memory_data_param { batch_size: 2 channels: 1 height: 2 width: 2 } transform_param { scale: 2 } }
layer { name: "h" type: "HDF5Data" top: "c" hdf5_data_param { source: "list.txt" batch_size: 2 } transform_param { scale: 2 } }
layer { name: "plain" type: "MemoryData" top: "e" top: "f" memory_data_param { batch_size: 2 channels: 1 height: 2 width: 2 } }`);
    expect(node(g, "m").notes.map((n) => n.code)).toEqual(["memory-data-transform"]);
    expect(node(g, "h").notes.map((n) => n.code)).toEqual(["hdf5-data-raw"]);
    expect(node(g, "plain").notes).toEqual([]);
    expect(g.inputs.map((i) => [i.blob, i.shape, i.transform?.scale])).toEqual([
      ["a", [2, 1, 2, 2], 2],
      ["b", [2, 1, 1, 1], undefined],
      ["c", null, undefined],
      ["e", [2, 1, 2, 2], undefined],
      ["f", [2, 1, 1, 1], undefined],
    ]);
  });

  it("fill DummyData tops as their fillers do, with shape or legacy num/channels/height/width", () => {
    const g = graphOf(`layer { name: "z" type: "DummyData" top: "a" top: "b" top: "c"
  dummy_data_param { num: 2 channels: 3 height: 1 width: 1
    data_filler { type: "constant" value: 0.5 } data_filler { type: "gaussian" mean: 1 std: 0.1 } data_filler { type: "uniform" min: -1 max: 1 } } }
layer { name: "zero" type: "DummyData" top: "d" dummy_data_param { shape { dim: 4 } } }`);
    expect(node(g, "z").call).toEqual({
      kind: "expr",
      expr: "(torch.full((2, 3, 1, 1), 0.5), torch.normal(1.0, 0.1, (2, 3, 1, 1)), torch.empty((2, 3, 1, 1)).uniform_(-1.0, 1.0))",
    });
    expect(node(g, "zero").call).toEqual({ kind: "expr", expr: "torch.full((4,), 0.0)" });
    expect(g.inputs).toEqual([]);
  });

  it("refuse DummyData fillers that are not plain fills", () => {
    const g = graphOf(`layer { name: "x" type: "DummyData" top: "a" dummy_data_param { shape { dim: 2 } data_filler { type: "xavier" } } }
layer { name: "s" type: "DummyData" top: "b" dummy_data_param { shape { dim: 2 } data_filler { type: "gaussian" sparse: 1 } } }`);
    expect(g.unsupported.map((u) => [u.layer, u.reason])).toEqual([
      ["x", "dummy-filler"],
      ["s", "dummy-filler-sparse"],
    ]);
  });
});

describe("caffe2torch export --input-shape", () => {
  const net = writeTempFile(
    "train.prototxt",
    `layer { name: "d" type: "Data" top: "data" top: "label" transform_param { crop_size: 3 } data_param { source: "db" batch_size: 16 } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 2 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }`,
  );
  const out = writeTempFile("unused", "");

  it("fills the channels a Data layer leaves unknown (unnamed: the first input)", () => {
    const run = runCli(["export", net, "--phase", "train", "--input-shape", "16,3,3,3", "-o", `${out}.dir`, "--json", "-q"]);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).inputs).toEqual([
      { blob: "data", shape: [16, 3, 3, 3] },
      { blob: "label", shape: [16] },
    ]);
  });

  it("refuses blobs that are not inputs, naming the inputs", () => {
    const unknown = runCli(["export", net, "--input-shape", "ip=1,2", "-o", `${out}.dir2`]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("--input-shape names blob ip, which is not an input of the net; its input blobs: data, label.");
  });
});
