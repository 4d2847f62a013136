import { describe, expect, it } from "vitest";
import { buildNet } from "../../../src/caffe/net.js";
import { buildTorchGraph } from "../../../src/convert/graph.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import { readNet } from "../../../src/schema/read.js";
import { causeRules, likelyCause, type CauseContext } from "../../../src/verify/net/causes.js";
import { caffeParameters, torchDescription } from "../../../src/verify/net/describe.js";

const NET = `
layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 3 dim: 12 dim: 10 } } }
layer { name: "pool" type: "Pooling" bottom: "x" top: "p"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 }  # ceil by default
}
layer { name: "lrn" type: "LRN" bottom: "x" top: "l" lrn_param { local_size: 5 alpha: 0.5 } }
layer { name: "bn" type: "BatchNorm" bottom: "x" top: "b" batch_norm_param { eps: 0.001 } }
layer { name: "sm" type: "Softmax" bottom: "x" top: "s" }
layer { name: "relu" type: "ReLU" bottom: "x" top: "r" }`;

function context(layer: string, change?: (kwargs: Record<string, unknown>) => void, shapeDiffers = false): CauseContext {
  const read = readNet(NET, { allowUnknown: true, upgrade: true });
  const { graph } = buildTorchGraph(read, { phase: "TEST", source: "net.prototxt" });
  const node = graph.nodes.find((n) => n.layer === layer)!;
  if (change) change(node.module!.kwargs as Record<string, unknown>);
  const model = buildNet(read.net as NetParameter, { phase: "TEST" });
  return { layer: model.layers.find((l) => l.name === layer)!, node, shapeDiffers, caffeBlobs: [], state: null };
}

describe("likely causes", () => {
  it("says a pooling floors where Caffe rounds up when the module lacks ceil_mode and the shapes differ", () => {
    expect(likelyCause(context("pool", (k) => delete k["ceil_mode"], true))).toBe("Caffe rounds pooled sizes up (round_mode CEIL: ceil((H + 2·pad − k)/stride) + 1); this module floors (ceil_mode=False)");
  });

  it("finds an LRN alpha multiplied by local_size in the module", () => {
    expect(likelyCause(context("lrn", (k) => (k["alpha"] = { raw: "2.5" })))).toMatch(/Caffe divides alpha by local_size .*this module has alpha=2\.5 \(= α·local_size: α applied undivided\)/);
  });

  it("finds a BatchNorm eps left at PyTorch's default", () => {
    expect(likelyCause(context("bn", (k) => delete k["eps"]))).toBe("BatchNorm eps: Caffe uses eps = 0.001, this module 1e-5 (PyTorch's default)");
  });

  it("finds a Softmax over another dim", () => {
    expect(likelyCause(context("sm", (k) => (k["dim"] = 2)))).toBe("Softmax axis: Caffe normalises over axis 1, this module over dim=2");
  });

  it("has no cause for a layer type it does not know", () => {
    expect(likelyCause(context("relu"))).toBeNull();
  });

  it("claims every type once", () => {
    expect(causeRules().size).toBeGreaterThan(15);
  });
});

describe("describing a layer", () => {
  it("prints the Caffe parameters as written, comments dropped, on one line", () => {
    const read = readNet(NET, { allowUnknown: true, upgrade: true });
    const model = buildNet(read.net as NetParameter, { phase: "TEST" }, read.sourceMap);
    const pool = model.layers.find((l) => l.name === "pool")!;
    expect(caffeParameters(pool, read.text, read.sourceMap)).toBe("pooling_param { pool: MAX kernel_size: 3 stride: 2 }");
    expect(caffeParameters(model.layers.find((l) => l.name === "relu")!, read.text, read.sourceMap)).toBe("(no ReLU parameters written: Caffe's defaults)");
  });

  it("prints the module a layer became as Net.__init__ builds it", () => {
    const read = readNet(NET, { allowUnknown: true, upgrade: true });
    const { graph } = buildTorchGraph(read, { phase: "TEST", source: "net.prototxt" });
    expect(torchDescription(graph.nodes.find((n) => n.layer === "pool")!, graph)).toBe("nn.MaxPool2d(3, stride=2, ceil_mode=True)");
    expect(torchDescription(graph.nodes.find((n) => n.layer === "in")!, graph)).toBe("an argument of forward");
  });
});
