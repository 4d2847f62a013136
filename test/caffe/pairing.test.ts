import { describe, expect, it } from "vitest";
import { analyzeNet } from "../../src/caffe/analyze.js";
import type { LayerParameter } from "../../src/schema/caffe-types.js";

const input = (dims: number[]): LayerParameter => ({ name: "in", type: "Input", top: ["x"], input_param: { shape: [{ dim: dims }] } });

function pair(dims: number[], ...layers: LayerParameter[]) {
  const a = analyzeNet({ layer: [input(dims), ...layers] });
  return a.pairings.map((p) => ({
    bn: a.model.layers[p.bn]!.name,
    scale: p.scale === null ? null : a.model.layers[p.scale]!.name,
    bias: p.bias === null ? null : a.model.layers[p.bias]!.name,
    unpaired: p.unpaired,
    family: p.variant.family,
  }));
}

describe("BatchNorm ⇢ Scale ⇢ Bias pairing", () => {
  it("pairs an in-place chain and a non-inplace chain alike", () => {
    expect(pair([1, 2, 3, 3], { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["x"] }, { name: "s", type: "Scale", bottom: ["x"], top: ["x"] })).toEqual([
      { bn: "bn", scale: "s", bias: null, unpaired: null, family: "bvlc" },
    ]);
    expect(pair([1, 2, 3, 3], { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["y"] }, { name: "s", type: "Scale", bottom: ["y"], top: ["z"] })[0]!.scale).toBe("s");
  });
  it("accepts a Scale written with a negative axis or with num_axes -1 on 2-D input when it still means the channels", () => {
    expect(pair([1, 2, 3, 3], { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["x"] }, { name: "s", type: "Scale", bottom: ["x"], top: ["x"], scale_param: { axis: -3 } })[0]!.scale).toBe("s");
    expect(pair([4, 2], { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["x"] }, { name: "s", type: "Scale", bottom: ["x"], top: ["x"], scale_param: { num_axes: -1 } })[0]!.scale).toBe("s");
    expect(pair([4, 2, 3], { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["x"] }, { name: "s", type: "Scale", bottom: ["x"], top: ["x"], scale_param: { num_axes: -1 } })[0]!.unpaired).toBe("scale-axes");
  });
  it("fuses a Bias only after a Scale without bias_term", () => {
    const chain = (biasTerm: boolean) =>
      pair(
        [1, 2, 3, 3],
        { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["x"] },
        { name: "s", type: "Scale", bottom: ["x"], top: ["x"], scale_param: { bias_term: biasTerm } },
        { name: "b", type: "Bias", bottom: ["x"], top: ["x"] },
      )[0]!.bias;
    expect(chain(false)).toBe("b");
    expect(chain(true)).toBeNull();
  });
  it("does not fuse a Bias that shares the Scale's output with another reader", () => {
    expect(
      pair(
        [1, 2, 3, 3],
        { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["x"] },
        { name: "s", type: "Scale", bottom: ["x"], top: ["y"] },
        { name: "b", type: "Bias", bottom: ["y"], top: ["z"] },
        { name: "r", type: "ReLU", bottom: ["y"], top: ["w"] },
      )[0]!,
    ).toMatchObject({ scale: "s", bias: null });
  });
  it("never pairs fork layers that hold their own gamma and beta", () => {
    const forkBn = { name: "bn", type: "BN", bottom: ["x"], top: ["x"] } as LayerParameter;
    expect(pair([1, 2, 3, 3], forkBn, { name: "s", type: "Scale", bottom: ["x"], top: ["x"] })).toEqual([
      { bn: "bn", scale: null, bias: null, unpaired: null, family: "unrecognised" },
    ]);
  });
  it("says why a BatchNorm stays unpaired", () => {
    const bn: LayerParameter = { name: "bn", type: "BatchNorm", bottom: ["x"], top: ["y"] };
    expect(pair([1, 2, 3, 3], bn)[0]!.unpaired).toBe("no-consumer");
    expect(pair([1, 2, 3, 3], bn, { name: "r", type: "ReLU", bottom: ["y"], top: ["y"] })[0]!.unpaired).toBe("no-scale");
    expect(pair([1, 2, 3, 3], bn, { name: "s", type: "Scale", bottom: ["y", "x"], top: ["z"] })[0]!.unpaired).toBe("scale-two-bottoms");
    expect(
      pair([1, 2, 3, 3], bn, { name: "s", type: "Scale", bottom: ["y"], top: ["z"] }, { name: "r", type: "ReLU", bottom: ["y"], top: ["w"] })[0]!.unpaired,
    ).toBe("multiple-consumers");
  });
});
