import { describe, expect, it } from "vitest";
import { netWeights } from "../../../src/verify/net/weights.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildTorchGraph } from "../../../src/convert/graph.js";
import { readNet } from "../../../src/schema/read.js";
import { seededCaffemodel, seededCaffemodelEncoded } from "../../../src/verify/net/seeded-weights.js";
import { CORPUS_DIR } from "../../helpers/paths.js";
import { graphOf, netWith } from "../../convert/layers/snippet.js";
import { NETS_DIR } from "./golden.js";
import { RESNET_BLOCKS } from "./resnet-blocks.js";

describe("seeded weights for verify --net without --weights", () => {
  it("draw a fork BN's variance positive and its scale near 1 (a negative variance is NaN on both sides)", () => {
    const graph = graphOf(netWith([2, 64, 3, 3], 'layer { name: "bn" type: "BN" bottom: "data" top: "bn" bn_param { eps: 0.001 } }'));
    const { caffe } = netWeights(graph, seededCaffemodel(graph, 0));
    const [slope, , , variance] = caffe.get("bn")!;
    expect(Math.min(...variance!.data)).toBeGreaterThan(0);
    expect(Math.min(...slope!.data)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...slope!.data)).toBeLessThanOrEqual(1.5);
  });

  it("are the same for the same seed and differ for another", () => {
    const graph = graphOf(netWith([1, 3, 5, 5], 'layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 } }'));
    expect(seededCaffemodel(graph, 1)).toEqual(seededCaffemodel(graph, 1));
    expect(seededCaffemodel(graph, 1)).not.toEqual(seededCaffemodel(graph, 2));
  });

  // Every golden net, ResNet's in-place blocks, and fork nets with BN, PReLU, Scale and Deconvolution blobs.
  const sources: [string, string][] = [
    ...["cifar10_bn", "lenet", "mobilenet_v2", "mtcnn_det1", "squeezenet_v1_1", "zoo_act", "zoo_conv", "zoo_norm", "zoo_pool", "zoo_tensor"].map((n): [string, string] => [n, readFileSync(join(NETS_DIR, n, "net.prototxt"), "utf8")]),
    ["resnet blocks", RESNET_BLOCKS],
    ["mobilefacenet (PReLU, depthwise)", readFileSync(join(CORPUS_DIR, "KaleidoZhouYN-mobilefacenet-caffe__proto_revise_deploy.prototxt"), "utf8")],
    ["ENet (fork BN, PReLU, Deconvolution)", readFileSync(join(CORPUS_DIR, "TimoSaemann-ENet__enet_deploy.prototxt"), "utf8")],
  ];
  it.each(sources)("%s: written straight into one buffer, the bytes the general encoder writes", (_name, text) => {
    const read = readNet(text, { allowUnknown: true, upgrade: true });
    const { graph } = buildTorchGraph(read, { phase: "TEST", source: "net.prototxt" });
    const direct = seededCaffemodel(graph, 3);
    expect(Buffer.from(direct).equals(Buffer.from(seededCaffemodelEncoded(graph, 3)))).toBe(true);
    const shared = seededCaffemodel(graph, 3, { shared: true });
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(shared).equals(Buffer.from(direct))).toBe(true);
  });
});
