/**
 * LRN and MVN → PyTorch: what `export` builds for each, pinned on small nets.
 */
import { describe, expect, it } from "vitest";
import type { TorchGraph, TorchNode } from "../../../src/convert/torch-graph.js";
import { emitNetModule } from "../../../src/emit/python/net-module.js";
import { graphOf } from "./snippet.js";

const net = (layer: string, dims = "dim: 2 dim: 6 dim: 13 dim: 11"): string => `name: "n"
layer { name: "data" type: "Input" top: "data" input_param { shape { ${dims} } } }
${layer}
`;

function node(graph: TorchGraph, name: string): TorchNode {
  const n = graph.nodes.find((x) => x.layer === name);
  if (!n) throw new Error(`no node ${name}; unsupported: ${JSON.stringify(graph.unsupported)}`);
  return n;
}

describe("LRN ACROSS_CHANNELS", () => {
  it("is nn.LocalResponseNorm with alpha as written: PyTorch divides it by size as Caffe's LRNLayer does", () => {
    const g = graphOf(net('layer { name: "lrn" type: "LRN" bottom: "data" top: "lrn" lrn_param { local_size: 5 alpha: 0.5 beta: 0.75 k: 2 } }'));
    const n = node(g, "lrn");
    expect(n.module).toEqual({ cls: "nn.LocalResponseNorm", args: [5], kwargs: { alpha: { raw: "0.5" }, beta: { raw: "0.75" }, k: { raw: "2.0" } } });
    expect(n.call).toEqual({ kind: "module" });
    expect(n.helpers).toEqual([]);
    expect(emitNetModule(g)).toContain("self.lrn = nn.LocalResponseNorm(5, alpha=0.5, beta=0.75, k=2.0)\n");
  });

  it("writes Caffe's defaults (alpha 1, beta 0.75, k 1), not PyTorch's alpha 1e-4", () => {
    const n = node(graphOf(net('layer { name: "lrn" type: "LRN" bottom: "data" top: "lrn" }')), "lrn");
    expect(n.module).toEqual({ cls: "nn.LocalResponseNorm", args: [5], kwargs: { alpha: { raw: "1.0" }, beta: { raw: "0.75" }, k: { raw: "1.0" } } });
  });

  it("refuses an even local_size, which Caffe's LRNLayer rejects", () => {
    const g = graphOf(net('layer { name: "lrn" type: "LRN" bottom: "data" top: "lrn" lrn_param { local_size: 4 } }'));
    expect(g.unsupported).toEqual([expect.objectContaining({ layer: "lrn", reason: "lrn-even-size" })]);
  });

  it("refuses an input that is not 4-D, which Caffe's LRNLayer rejects", () => {
    const g = graphOf(net('layer { name: "lrn" type: "LRN" bottom: "data" top: "lrn" }', "dim: 2 dim: 6 dim: 13"));
    expect(g.unsupported).toEqual([expect.objectContaining({ layer: "lrn", reason: "rank-not-4" })]);
  });
});

describe("LRN WITHIN_CHANNEL", () => {
  it("is the LRNWithinChannel helper with size, alpha and beta (Caffe does not use k there)", () => {
    const g = graphOf(net('layer { name: "lrn" type: "LRN" bottom: "data" top: "lrn" lrn_param { local_size: 3 alpha: 0.25 k: 3 norm_region: WITHIN_CHANNEL } }'));
    const n = node(g, "lrn");
    expect(n.module).toEqual({ cls: "LRNWithinChannel", args: [3], kwargs: { alpha: { raw: "0.25" }, beta: { raw: "0.75" } } });
    expect(n.helpers).toEqual(["LRNWithinChannel"]);
    const source = emitNetModule(g);
    expect(source).toContain("self.lrn = LRNWithinChannel(3, alpha=0.25, beta=0.75)\n");
    expect(source.match(/^class LRNWithinChannel\(nn\.Module\):$/gm)).toHaveLength(1);
    // The n×n average divides by n² everywhere, padding included, as Caffe's AVE pooling does here.
    expect(source).toContain("F.avg_pool2d(x * x, self.size, stride=1, padding=(self.size - 1) // 2)");
  });
});

describe("MVN", () => {
  const mvn = (param: string) => node(graphOf(net(`layer { name: "m" type: "MVN" bottom: "data" top: "m" ${param} }`)), "m");

  it("is the MVN helper with Caffe's eps 1e-9 by default", () => {
    const n = mvn("");
    expect(n.module).toEqual({ cls: "MVN", args: [], kwargs: { eps: { raw: "1e-09" } } });
    expect(n.helpers).toEqual(["MVN"]);
  });

  it("passes across_channels and a written eps", () => {
    expect(mvn("mvn_param { across_channels: true eps: 0.001 }").module).toEqual({ cls: "MVN", args: [], kwargs: { across_channels: true, eps: { raw: "0.001" } } });
  });

  it("leaves eps out when the variance is not normalised", () => {
    expect(mvn("mvn_param { normalize_variance: false }").module).toEqual({ cls: "MVN", args: [], kwargs: { normalize_variance: false } });
  });

  it("emits a helper that adds eps to the standard deviation, as MVNLayer::Forward_cpu does", () => {
    const source = emitNetModule(graphOf(net('layer { name: "m" type: "MVN" bottom: "data" top: "m" }')));
    expect(source).toContain("self.m = MVN(eps=1e-09)\n");
    expect(source).toContain("y = y / ((y * y).mean(dims, keepdim=True).sqrt() + self.eps)");
  });

  it("refuses an input that is not 4-D (Caffe's MVNLayer makes a 4-D top)", () => {
    const g = graphOf(net('layer { name: "m" type: "MVN" bottom: "data" top: "m" }', "dim: 2 dim: 5"));
    expect(g.unsupported).toEqual([expect.objectContaining({ layer: "m", reason: "rank-not-4" })]);
  });
});
