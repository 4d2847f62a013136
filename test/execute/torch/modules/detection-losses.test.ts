/**
 * The detection forks' training-loss helpers in the PyTorch-semantics executor, on the cases worked
 * out by hand in test/export/detection-loss-cases.ts (the same values the real helpers give in
 * test/export/detection-loss-helpers.test.ts).
 */
import { describe, expect, it } from "vitest";
import { CONF, CONF_IMG0, CONF_IMG1, GT, H, L2, L3, LN, LOC, LOC_ALL, PRIOR_BLOB, SIGMA3 } from "../../../export/detection-loss-cases.js";
import { runModule, t, type NodeRun } from "../one-node.js";

/** float32 arithmetic against double hand values: |a − b| ≤ TOL · max(1, |b|). */
const TOL = 2e-6;
function expectLoss(r: NodeRun, expected: readonly number[], top = 0): void {
  expect(r.error, JSON.stringify(r.error)).toBeNull();
  const got = r.tops[top]!.values;
  expect(got.length).toBe(expected.length);
  got.forEach((g, i) => expect(Math.abs(g - expected[i]!), `[${i}] ${g} vs ${expected[i]}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(expected[i]!))));
}

describe("SmoothL1Loss", () => {
  it("with sigma 3 and inside/outside weights is quadratic below 1/sigma², summed and divided by num", () => {
    const r = runModule("SmoothL1Loss", [], { sigma: 3 }, [t([2, 2], [0.05, -0.5, 2, 0.1]), t([2, 2], [0, 0, 0, 0]), t([2, 2], [1, 1, 0.5, 0]), t([2, 2], [1, 2, 1, 1])]);
    expectLoss(r, [SIGMA3]);
    expect(r.tops[0]!.shape).toEqual([]);
  });

  it("sums absolute values as Caffe's asum does: a negative outside weight counts positive", () => {
    const x = t([1, 2], [0.5, 2]);
    const zero = t([1, 2], [0, 0]);
    const ones = t([1, 2], [1, 1]);
    // 0.5·0.5² + (2 − 0.5) = 1.625 whatever the sign of the outside weight.
    expectLoss(runModule("SmoothL1Loss", [], {}, [x, zero, ones, t([1, 2], [-1, 1])]), [1.625]);
  });

  it("with sigma 1 and no weights reads targets of another shape in x's order", () => {
    expectLoss(runModule("SmoothL1Loss", [], {}, [t([3, 1], [1.5, -0.5, 0.2]), t([3], [0, 0, 0.2])]), [(1 + 0.125) / 3]);
  });
});

describe("SmoothL1LossOHEM", () => {
  it("with weights, PRE_FIXED 128 and per_instance gives the loss and the (N, 1, H, W) channel sums", () => {
    const r = runModule("SmoothL1LossOHEM", [], { normalization: "PRE_FIXED", pre_fixed_normalizer: 128, per_instance: true }, [t([2, 2, 1, 1], [1.5, -0.2, 0.4, 3]), t([2, 2], [0.5, 0, 0, 0]), t([2, 2], [1, 1, 1, 0])], { tops: 2 });
    expectLoss(r, [(0.5 + 0.02 + 0.08) / 128]);
    expect(r.tops[1]!.shape).toEqual([2, 1, 1, 1]);
    expectLoss(r, [0.52, 0.08], 1);
  });

  it.each([
    ["VALID", 1, 4],
    ["FULL", 1, 4],
    ["BATCH_SIZE", 1, 1],
    ["NONE", 1, 1],
    ["PRE_FIXED", 0.5, 1],
  ] as const)("%s (pre_fixed_normalizer %d) divides [1, 1, 2, 2] by %d", (normalization, fixed, divisor) => {
    const r = runModule("SmoothL1LossOHEM", [], { normalization, pre_fixed_normalizer: fixed }, [t([1, 1, 2, 2], [0.5, -2, 0, 1]), t([1, 1, 2, 2], [0, 0, 0, 0])]);
    expectLoss(r, [(0.125 + 1.5 + 0.5) / divisor]);
  });
});

describe("MultiBoxLoss", () => {
  const inputs = (g2Class = 1) => [t([2, 20], LOC.flat()), t([2, 15], CONF.flat()), t([1, 2, 20], PRIOR_BLOB.flat(2)), t([1, 1, 4, 8], GT(g2Class).flat(3))];
  const SSD = { num_classes: 3, code_type: "CENTER_SIZE" };
  const mbox = (kwargs: Record<string, string | number | boolean>, g2Class = 1): NodeRun => runModule("MultiBoxLoss", [], { ...SSD, ...kwargs }, inputs(g2Class));

  it.each([
    ["as SSD's train nets use it: bipartite and per-prediction matching, 3 negatives per match, / matches", {}, (LOC_ALL + CONF_IMG0 + CONF_IMG1) / 3],
    ["without difficult boxes: image 1 keeps one match and mines 3 of its 4 negatives", { use_difficult_gt: false }, (0.125 + 0.02 + H + 1.5 + CONF_IMG0 + LN(5 / 3) + LN(5) + LN(4) + L3) / 2],
    ["FULL divides by images · priors", { normalization: "FULL" }, (LOC_ALL + CONF_IMG0 + CONF_IMG1) / 10],
    ["without mining counts every prior's confidence", { mining_type: "NONE" }, (LOC_ALL + CONF_IMG0 + LN(5 / 3) + CONF_IMG1) / 3],
    ["with L2 locations and loc_weight 2", { loc_loss_type: "L2", loc_weight: 2 }, (2 * ((0.25 + 0.04 + 25 * LN(1.25) ** 2 + 4 + 2 * 25 * LN(1.25) ** 2) / 2) + CONF_IMG0 + CONF_IMG1) / 3],
    ["without the loc term", { loc_term: false }, (CONF_IMG0 + CONF_IMG1) / 3],
    ["without the conf term", { conf_term: false }, LOC_ALL / 3],
    ["with neg_overlap 0.1", { neg_overlap: 0.1 }, (LOC_ALL + CONF_IMG0 + LN(5 / 3) + LN(5 / 2)) / 3],
    ["with overlap_threshold 0.1: per-prediction matches, / 6", { overlap_threshold: 0.1 }, (LOC_ALL + 29 + 6 * (7 + 5 * LN(1.25) - 0.5) + CONF_IMG0 + L3 + LN(5) + L2 + LN(5 / 3) + LN(5 / 2)) / 6],
    ["BIPARTITE ignores overlap_threshold", { overlap_threshold: 0.1, match_type: "BIPARTITE" }, (LOC_ALL + CONF_IMG0 + CONF_IMG1) / 3],
    ["encode_variance_in_target divides predictions and targets by the variances", { encode_variance_in_target: true }, (4.5 + 8.5 + 0.5 + H + 9.5 + 2 * H + CONF_IMG0 + CONF_IMG1) / 3],
    ["with CORNER codes", { code_type: "CORNER" }, (0.125 + 0.5 + 0.02 + 0.125 + 1.5 + 2 * 0.125 + 2 * 0.03125 + CONF_IMG0 + CONF_IMG1) / 3],
    ["with CORNER_SIZE codes", { code_type: "CORNER_SIZE" }, (0.125 + 0.5 + 0.02 + 0.5 + 1.5 + 0.5 + 0.5 + 0.125 + 0.125 + CONF_IMG0 + CONF_IMG1) / 3],
  ] as const)("%s", (_, kwargs, expected) => {
    expectLoss(mbox(kwargs), [expected]);
  });

  it("CENTER_SIZE divides the y offset by the prior's height", () => {
    const r = runModule("MultiBoxLoss", [], { num_classes: 2, code_type: "CENTER_SIZE" }, [t([1, 4], [0, 1, 0, -1]), t([1, 2], [0, 0]), t([1, 2, 4], [0.2, 0.1, 0.6, 0.9, 0.1, 0.1, 0.2, 0.2]), t([1, 1, 1, 8], [0, 1, 0, 0.2, 0.3, 0.6, 0.9, 0])]);
    expectLoss(r, [0.5 * 0.25 ** 2 + 0.5 * (-1 - 5 * LN(0.75)) ** 2 + L2]);
  });

  it.each([false, true])("ignore_cross_boundary_bbox %s: the prior across the border matches its box, or nothing and is no negative either", (ignore) => {
    const r = runModule("MultiBoxLoss", [], { num_classes: 2, ignore_cross_boundary_bbox: ignore, normalization: "NONE" }, [
      t([1, 8], [1, 0, 0, 0, 0, 0, 0, 0]),
      t([1, 4], [0, 0, 0, 0]),
      t([1, 2, 8], [-0.1, 0, 0.5, 0.5, 0.5, 0, 1, 0.5, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2]),
      t([1, 1, 2, 8], [0, 1, 0, 0, 0, 0.5, 0.5, 0, 0, 1, 1, 0.5, 0, 1, 0.5, 0]),
    ]);
    expectLoss(r, [ignore ? L2 : 2 * L2]);
  });

  it("refuses a ground-truth box of the background class, as the helper's ValueError does", () => {
    expect(mbox({}, 0).error?.data["what"]).toBe("multibox-background-ground-truth");
  });
});
