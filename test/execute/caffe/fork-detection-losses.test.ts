/**
 * The detection forks' training losses in the Caffe executor, on the cases worked out by hand
 * from the forks' sources in test/export/detection-loss-cases.ts (the reasoning sits there):
 * "SmoothL1Loss" (py-faster-rcnn), "SmoothL1LossOHEM" (R-FCN) and "MultiBoxLoss" (SSD).
 */
import { describe, expect, it } from "vitest";
import { CONF_IMG0, CONF_IMG1, GT, H, L2, L3, LN, LOC, LOC_ALL, CONF, PRIOR_BLOB, SIGMA3 } from "../../export/detection-loss-cases.js";
import { blob, layer, run, values } from "./run-net.js";

/** float32 arithmetic against double hand values: |a − b| ≤ TOL · max(1, |b|). */
const TOL = 2e-6;
const close = (got: readonly number[], expected: readonly number[]): void => {
  expect(got.length).toBe(expected.length);
  got.forEach((g, i) => expect(Math.abs(g - expected[i]!), `[${i}] ${g} vs ${expected[i]}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(expected[i]!))));
};

describe("SmoothL1Loss (py-faster-rcnn)", () => {
  it("with sigma 3 and inside/outside weights is quadratic below 1/sigma², summed and divided by num", () => {
    const r = run(
      [layer("loss", "SmoothL1Loss", ["x", "t", "win", "wout"], "smooth_l1_loss_param { sigma: 3 }")],
      { x: blob([2, 2], [0.05, -0.5, 2, 0.1]), t: blob([2, 2]), win: blob([2, 2], [1, 1, 0.5, 0]), wout: blob([2, 2], [1, 2, 1, 1]) },
      {},
      "TRAIN",
    );
    expect(r.top("loss").shape).toEqual([]);
    close(values(r.top("loss")), [SIGMA3]);
  });

  it("with sigma 1 and no weights reads the targets in x's order; 3 bottoms are refused as the fork's CHECK does", () => {
    close(values(run([layer("loss", "SmoothL1Loss", ["x", "t"])], { x: blob([3, 1], [1.5, -0.5, 0.2]), t: blob([3], [0, 0, 0.2]) }, {}, "TRAIN").top("loss")), [(1 + 0.125) / 3]);
    const three = run([layer("loss", "SmoothL1Loss", ["x", "t", "w"])], { x: blob([1, 1]), t: blob([1, 1]), w: blob([1, 1]) }, {}, "TRAIN");
    expect(three.error).toMatchObject({ code: "smooth-l1-bottoms" });
  });
});

describe("SmoothL1Loss's sum", () => {
  it("is caffe_gpu_asum, the sum of absolute values: a negative outside weight counts as positive", () => {
    const r = run([layer("loss", "SmoothL1Loss", ["x", "t", "win", "wout"])], { x: blob([1, 2], [2, 0.5]), t: blob([1, 2]), win: blob([1, 2], [1, 1]), wout: blob([1, 2], [-1, 1]) }, {}, "TRAIN");
    close(values(r.top("loss")), [1.5 + 0.125]);
  });
});

describe("SmoothL1LossOHEM (R-FCN)", () => {
  it("with weights, PRE_FIXED 128 and the per-instance top summed over channels, [N, 1, H, W]", () => {
    const r = run(
      [layer("loss", "SmoothL1LossOHEM", ["x", "t", "w"], "loss_param { normalization: PRE_FIXED pre_fixed_normalizer: 128 } loss_weight: 1 loss_weight: 0", ["loss", "each"])],
      { x: blob([2, 2, 1, 1], [1.5, -0.2, 0.4, 3]), t: blob([2, 2, 1, 1], [0.5, 0, 0, 0]), w: blob([2, 2, 1, 1], [1, 1, 1, 0]) },
      {},
      "TRAIN",
    );
    close(values(r.top("loss")), [(0.5 + 0.02 + 0.08) / 128]);
    expect(r.top("loss", 1).shape).toEqual([2, 1, 1, 1]);
    close(values(r.top("loss", 1)), [0.52, 0.08]);
  });

  it.each([
    ["VALID", "", 4],
    ["FULL", "", 4],
    ["BATCH_SIZE", "", 1],
    ["NONE", "", 1],
    ["PRE_FIXED", " pre_fixed_normalizer: 0.5", 1],
  ] as const)("%s%s divides [1, 1, 2, 2] by %d (N·H·W for FULL and VALID, N for BATCH_SIZE, 1 for NONE, at least 1)", (mode, extra, divisor) => {
    const r = run([layer("loss", "SmoothL1LossOHEM", ["x", "t"], `loss_param { normalization: ${mode}${extra} }`)], { x: blob([1, 1, 2, 2], [0.5, -2, 0, 1]), t: blob([1, 1, 2, 2]) }, {}, "TRAIN");
    close(values(r.top("loss")), [(0.125 + 1.5 + 0 + 0.5) / divisor]);
  });

  it("reads the legacy normalize: false as BATCH_SIZE", () => {
    const r = run([layer("loss", "SmoothL1LossOHEM", ["x", "t"], "loss_param { normalize: false }")], { x: blob([1, 1, 2, 2], [0.5, -2, 0, 1]), t: blob([1, 1, 2, 2]) }, {}, "TRAIN");
    close(values(r.top("loss")), [0.125 + 1.5 + 0.5]);
  });
});

describe("MultiBoxLoss (SSD)", () => {
  const inputs = (g2Class = 1) => ({ loc: blob([2, 20], LOC.flat()), conf: blob([2, 15], CONF.flat()), prior: blob([1, 2, 20], PRIOR_BLOB.flat(2)), gt: blob([1, 1, 4, 8], GT(g2Class).flat(3)) });
  const mbox = (params: string, extra = "", g2Class = 1) =>
    run([layer("loss", "MultiBoxLoss", ["loc", "conf", "prior", "gt"], `multibox_loss_param { num_classes: 3 code_type: CENTER_SIZE ${params} } ${extra}`)], inputs(g2Class), {}, "TRAIN");
  const loss = (params: string, extra = ""): number[] => values(mbox(params, extra).top("loss"));

  it.each([
    ["as SSD's train nets use it: bipartite and per-prediction matching, 3 negatives per match by background loss, / matches", "", "", (LOC_ALL + CONF_IMG0 + CONF_IMG1) / 3],
    ["without difficult boxes: image 1 keeps one match and mines 3 of its 4 negatives", "use_difficult_gt: false", "", (0.125 + 0.02 + H + 1.5 + CONF_IMG0 + LN(5 / 3) + LN(5) + LN(4) + L3) / 2],
    ["with FULL normalisation divides by images · priors", "", "loss_param { normalization: FULL }", (LOC_ALL + CONF_IMG0 + CONF_IMG1) / 10],
    ["without mining counts every prior's confidence", "mining_type: NONE", "", (LOC_ALL + CONF_IMG0 + LN(5 / 3) + CONF_IMG1) / 3],
    ["with L2 locations (EuclideanLoss: sum of squares / 2) and loc_weight 2", "loc_loss_type: L2 loc_weight: 2", "", (2 * ((0.25 + 0.04 + 25 * LN(1.25) ** 2 + 4 + 2 * 25 * LN(1.25) ** 2) / 2) + CONF_IMG0 + CONF_IMG1) / 3],
    ["with propagate_down false on the locations holds only the conf loss", "", "propagate_down: false propagate_down: true propagate_down: false propagate_down: false", (CONF_IMG0 + CONF_IMG1) / 3],
    ["with propagate_down false on the confidences holds only the loc loss", "", "propagate_down: true propagate_down: false propagate_down: false propagate_down: false", LOC_ALL / 3],
    ["with neg_overlap 0.1: image 1's quarters are no negatives any more", "neg_overlap: 0.1", "", (LOC_ALL + CONF_IMG0 + LN(5 / 3) + LN(5 / 2)) / 3],
    [
      "with overlap_threshold 0.1: per-prediction matches beyond the bipartite ones, / 6 matches",
      "overlap_threshold: 0.1",
      "",
      (LOC_ALL + 29 + 6 * (7 + 5 * LN(1.25) - 0.5) + CONF_IMG0 + L3 + LN(5) + L2 + LN(5 / 3) + LN(5 / 2)) / 6,
    ],
    ["BIPARTITE ignores overlap_threshold", "overlap_threshold: 0.1 match_type: BIPARTITE", "", (LOC_ALL + CONF_IMG0 + CONF_IMG1) / 3],
    ["encode_variance_in_target divides predictions and targets by the variances", "encode_variance_in_target: true", "", (4.5 + 8.5 + 0.5 + H + 9.5 + 2 * H + CONF_IMG0 + CONF_IMG1) / 3],
  ] as const)("%s", (_, params, extra, expected) => {
    close(loss(params, extra), [expected]);
  });

  it("with CORNER and CORNER_SIZE codes", () => {
    const corner = run([layer("loss", "MultiBoxLoss", ["loc", "conf", "prior", "gt"], "multibox_loss_param { num_classes: 3 code_type: CORNER }")], inputs(), {}, "TRAIN");
    close(values(corner.top("loss")), [(0.125 + 0.5 + 0.02 + 0.125 + 1.5 + 2 * 0.125 + 2 * 0.03125 + CONF_IMG0 + CONF_IMG1) / 3]);
    const size = run([layer("loss", "MultiBoxLoss", ["loc", "conf", "prior", "gt"], "multibox_loss_param { num_classes: 3 code_type: CORNER_SIZE }")], inputs(), {}, "TRAIN");
    close(values(size.top("loss")), [(0.125 + 0.5 + 0.02 + 0.5 + 1.5 + 0.5 + 0.5 + 0.125 + 0.125 + CONF_IMG0 + CONF_IMG1) / 3]);
  });

  it("CENTER_SIZE divides the y offset by the prior's height", () => {
    const r = run(
      [layer("loss", "MultiBoxLoss", ["loc", "conf", "prior", "gt"], "multibox_loss_param { num_classes: 2 code_type: CENTER_SIZE }")],
      { loc: blob([1, 4], [0, 1, 0, -1]), conf: blob([1, 2]), prior: blob([1, 2, 4], [0.2, 0.1, 0.6, 0.9, 0.1, 0.1, 0.2, 0.2]), gt: blob([1, 1, 1, 8], [0, 1, 0, 0.2, 0.3, 0.6, 0.9, 0]) },
      {},
      "TRAIN",
    );
    close(values(r.top("loss")), [0.5 * 0.25 ** 2 + 0.5 * (-1 - 5 * LN(0.75)) ** 2 + L2]);
  });

  it.each([false, true])("ignore_cross_boundary_bbox %s: the prior across the border matches its box, or nothing and is no negative either", (ignore) => {
    const r = run(
      [layer("loss", "MultiBoxLoss", ["loc", "conf", "prior", "gt"], `multibox_loss_param { num_classes: 2 ignore_cross_boundary_bbox: ${ignore} } loss_param { normalization: NONE }`)],
      {
        loc: blob([1, 8], [1, 0, 0, 0, 0, 0, 0, 0]),
        conf: blob([1, 4]),
        prior: blob([1, 2, 8], [-0.1, 0, 0.5, 0.5, 0.5, 0, 1, 0.5, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2]),
        gt: blob([1, 1, 2, 8], [0, 1, 0, 0, 0, 0.5, 0.5, 0, 0, 1, 1, 0.5, 0, 1, 0.5, 0]),
      },
      {},
      "TRAIN",
    );
    close(values(r.top("loss")), [ignore ? L2 : 2 * L2]);
  });

  it("refuses a ground-truth box of the background class, as the fork's CHECK_NE does", () => {
    expect(mbox("", "", 0).error).toMatchObject({ code: "multibox-loss-background-ground-truth" });
  });

  it("refuses the options the export does not reproduce either (LOGISTIC confidences)", () => {
    expect(mbox("conf_loss_type: LOGISTIC").error).toMatchObject({ code: "multibox-loss-options" });
  });
});
