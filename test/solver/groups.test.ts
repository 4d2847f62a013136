import { describe, expect, it } from "vitest";
import { paramGroups } from "../../src/solver/groups.js";
import { goldenCase, settingsOf, trainGraph } from "./support.js";

const SOLVER = 'net: "n"\ntype: "SGD"\nbase_lr: 0.1\nlr_policy: "fixed"\nweight_decay: 0.0005\n';
const keysOf = (refs: { key: string }[]): string[] => refs.map((r) => r.key);

describe("parameter groups", () => {
  it("groups the golden solver net's blobs by (lr_mult, decay_mult) with Caffe's multipliers", () => {
    const { solver, net, record } = goldenCase("solver_sgd_fixed");
    const plan = paramGroups(trainGraph(net), settingsOf(solver));
    expect(plan.groups.map((g) => [g.lrMult, g.decayMult, g.lr, g.weightDecay, keysOf(g.params)])).toEqual([
      [1, 1, 0.05, 0.0005, ["conv1.weight", "bn1.weight", "ip1.bias"]],
      [2, 0, 0.1, 0, ["conv1.bias", "bn1.bias"]],
      [0.5, 2, 0.025, 0.001, ["ip1.weight"]],
    ]);
    // Each trained blob has the multipliers Caffe reported for it (the Scale's blobs become bn1's).
    const layerOf: Record<string, string> = { bn1: "scale1" };
    for (const g of plan.groups) {
      for (const p of g.params) {
        const caffe = record.params.find((r) => r.layer === (layerOf[p.layer] ?? p.layer) && r.index === p.blob)!;
        expect([caffe.lr_mult, caffe.decay_mult], p.key).toEqual([g.lrMult, g.decayMult]);
      }
    }
    expect(plan.frozen).toEqual([]);
    expect(plan.buffers.map((b) => [b.key, b.decayMult])).toEqual([["bn1.running_mean", 0], ["bn1.running_var", 0]]);
  });

  it("freezes lr_mult 0 blobs and keeps a BatchNorm without param blocks at decay_mult 1 (a buffer either way)", () => {
    const net = `layer { name: "d" type: "Input" top: "x" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 4 } } }
layer { name: "c" type: "Convolution" bottom: "x" top: "y" param { lr_mult: 0 } param { lr_mult: 0 } convolution_param { num_output: 2 kernel_size: 1 } }
layer { name: "bn" type: "BatchNorm" bottom: "y" top: "y" }
`;
    const plan = paramGroups(trainGraph(net), settingsOf(SOLVER));
    expect(plan.groups).toEqual([]);
    expect(keysOf(plan.frozen)).toEqual(["c.weight", "c.bias"]);
    expect(plan.buffers.map((b) => [b.key, b.decayMult])).toEqual([["bn.running_mean", 1], ["bn.running_var", 1]]);
  });

  it("gives shared blobs one entry, the owner's, with multipliers a later sharer sets when the owner sets none", () => {
    const net = `layer { name: "d" type: "Input" top: "x" input_param { shape { dim: 2 dim: 8 } } }
layer { name: "a" type: "InnerProduct" bottom: "x" top: "y" param { name: "w" } inner_product_param { num_output: 8 } }
layer { name: "b" type: "InnerProduct" bottom: "y" top: "z" param { name: "w" lr_mult: 3 } inner_product_param { num_output: 8 } }
`;
    const plan = paramGroups(trainGraph(net), settingsOf(SOLVER));
    expect(plan.shared).toEqual([
      expect.objectContaining({ name: "w", owner: expect.objectContaining({ key: "a.weight" }), lrMult: 3, decayMult: 1, sharers: [expect.objectContaining({ key: "b.weight", tie: true })] }),
    ]);
    expect(plan.groups.map((g) => [g.lrMult, keysOf(g.params)])).toEqual([[3, ["a.weight"]], [1, ["a.bias", "b.bias"]]]);
  });

  it("moves weight decay to l1_decay with regularization_type L1", () => {
    const { net } = goldenCase("solver_sgd_multistep_l1");
    const plan = paramGroups(trainGraph(net), settingsOf(goldenCase("solver_sgd_multistep_l1").solver));
    expect(plan.groups.map((g) => [g.weightDecay, g.l1Decay])).toEqual([[0, 0.001], [0, 0], [0, 0.002]]);
  });
});
