import { describe, expect, it } from "vitest";
import { netWeights } from "../../../src/verify/net/weights.js";
import { seededCaffemodel } from "../../../src/verify/net/seeded-weights.js";
import { graphOf, netWith } from "../../convert/layers/snippet.js";

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
});
