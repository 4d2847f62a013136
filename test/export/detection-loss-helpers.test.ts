/**
 * The detection forks' training losses as generated helpers, in real PyTorch, on small inputs
 * whose values and gradients are worked out by hand from the forks' sources: py-faster-rcnn's
 * SmoothL1Loss (smooth_L1_loss_layer.cu: sigma, inside and outside weights, / num), R-FCN's
 * SmoothL1LossOHEM (smooth_L1_loss_ohem_layer.cu/.cpp: weights, normalisers, per-instance top)
 * and SSD's MultiBoxLoss (multibox_loss_layer.cpp, bbox_util.cpp: matching, mining, encoding).
 * All cases run in one Python process (run_helpers.py).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helperSources } from "../../src/emit/python/helpers/index.js";
import { requireTorch, runPythonJson, skipWithoutTorch } from "../helpers/python.js";
import { CONF_GRAD, CONF_IMG0, CONF_IMG1, H, L2, L3, LN, LOC_ALL, LOC_GRAD, MBOX_INPUTS, SIGMA3, SSD } from "./detection-loss-cases.js";

/** Float32 arithmetic on small values: |a − b| ≤ TOLERANCE · max(1, |b|). */
const TOLERANCE = 2e-6;
const RUNNER = fileURLToPath(new URL("./run_helpers.py", import.meta.url));

interface Case {
  title: string;
  helper: string;
  kwargs?: Record<string, unknown>;
  inputs: { data: unknown; grad?: boolean }[];
  /** Expected outputs (flattened), or the start of the error the call raises. */
  outputs?: number[][];
  /** Expected output shapes (default: one scalar). */
  shapes?: number[][];
  error?: string;
  /** Expected gradient of each input (null: none). */
  grads?: (number[] | null)[];
}
interface Ran {
  outputs?: { shape: number[]; data: number[] }[];
  grads?: ({ shape: number[]; data: number[] } | null)[] | null;
  error?: string;
}


const CASES: Case[] = [
  {
    title: "SmoothL1Loss with sigma 3 and inside/outside weights: quadratic below 1/sigma², sum / num",
    helper: "SmoothL1Loss",
    kwargs: { sigma: 3 },
    inputs: [{ data: [[0.05, -0.5], [2, 0.1]], grad: true }, { data: [[0, 0], [0, 0]] }, { data: [[1, 1], [0.5, 0]] }, { data: [[1, 2], [1, 1]] }],
    outputs: [[SIGMA3]],
    grads: [[(9 * 0.05) / 2, -2 / 2, 0.5 / 2, 0], null, null, null],
  },
  {
    title: "SmoothL1Loss with sigma 1 and no weights; targets of another shape are read in x's order",
    helper: "SmoothL1Loss",
    inputs: [{ data: [[1.5], [-0.5], [0.2]], grad: true }, { data: [0, 0, 0.2] }],
    outputs: [[(1 + 0.125 + 0) / 3]],
    grads: [[1 / 3, -0.5 / 3, 0], null],
  },
  {
    title: "SmoothL1LossOHEM with weights, PRE_FIXED 128, and the per-instance top summed over channels",
    helper: "SmoothL1LossOHEM",
    kwargs: { normalization: "PRE_FIXED", pre_fixed_normalizer: 128, per_instance: true },
    inputs: [{ data: [[[[1.5]], [[-0.2]]], [[[0.4]], [[3]]]], grad: true }, { data: [[0.5, 0], [0, 0]] }, { data: [[1, 1], [1, 0]] }],
    outputs: [[(0.5 + 0.02 + 0.08) / 128], [0.52, 0.08]],
    shapes: [[], [2, 1, 1, 1]],
    grads: [[1 / 128, -0.2 / 128, 0.4 / 128, 0], null, null],
  },
  ...(
    [
      ["VALID", 1, 4],
      ["FULL", 1, 4],
      ["BATCH_SIZE", 1, 1],
      ["NONE", 1, 1],
      ["PRE_FIXED", 0.5, 1],
    ] as const
  ).map(
    ([normalization, fixed, divisor]): Case => ({
      title: `SmoothL1LossOHEM ${normalization}${normalization === "PRE_FIXED" ? " 0.5" : ""}: divides by ${divisor} (N·H·W for FULL and VALID, at least 1)`,
      helper: "SmoothL1LossOHEM",
      kwargs: { normalization, pre_fixed_normalizer: fixed },
      inputs: [{ data: [[[[0.5, -2], [0, 1]]]] }, { data: [[[[0, 0], [0, 0]]]] }],
      outputs: [[(0.125 + 1.5 + 0 + 0.5) / divisor]],
    }),
  ),
  {
    title: "MultiBoxLoss as SSD's train nets use it: bipartite and per-prediction matching, 3 negatives per match by background loss, / matches",
    helper: "MultiBoxLoss",
    kwargs: SSD,
    inputs: MBOX_INPUTS(),
    outputs: [[(LOC_ALL + CONF_IMG0 + CONF_IMG1) / 3]],
    grads: [LOC_GRAD, CONF_GRAD, null, null],
  },
  {
    title: "MultiBoxLoss without difficult boxes: image 1 keeps one match and mines 3 of its 4 negatives (the centre now among them)",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, use_difficult_gt: false },
    inputs: MBOX_INPUTS(),
    outputs: [[(0.125 + 0.02 + H + 1.5 + CONF_IMG0 + LN(5 / 3) + LN(5) + LN(4) + L3) / 2]],
  },
  {
    title: "MultiBoxLoss FULL normalisation divides by images · priors",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, normalization: "FULL" },
    inputs: MBOX_INPUTS(),
    outputs: [[(LOC_ALL + CONF_IMG0 + CONF_IMG1) / 10]],
  },
  {
    title: "MultiBoxLoss without mining: every prior's confidence counts (image 0's prior 2 too)",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, mining_type: "NONE" },
    inputs: MBOX_INPUTS(),
    outputs: [[(LOC_ALL + CONF_IMG0 + LN(5 / 3) + CONF_IMG1) / 3]],
  },
  {
    title: "MultiBoxLoss with L2 locations (EuclideanLoss: sum of squares / 2) and loc_weight 2",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, loc_loss_type: "L2", loc_weight: 2 },
    inputs: MBOX_INPUTS(),
    outputs: [[(2 * ((0.25 + 0.04 + 25 * LN(1.25) ** 2 + 4 + 2 * 25 * LN(1.25) ** 2) / 2) + CONF_IMG0 + CONF_IMG1) / 3]],
  },
  {
    title: "MultiBoxLoss without the loc term (propagate_down false on the locations) holds only the conf loss",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, loc_term: false },
    inputs: MBOX_INPUTS(),
    outputs: [[(CONF_IMG0 + CONF_IMG1) / 3]],
  },
  {
    title: "MultiBoxLoss with neg_overlap 0.1: image 1's quarters (overlap 0.108 with g2) are no negatives any more",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, neg_overlap: 0.1 },
    inputs: MBOX_INPUTS(),
    outputs: [[(LOC_ALL + CONF_IMG0 + LN(5 / 3) + LN(5 / 2)) / 3]],
  },
  {
    // g2 now also matches the three other quarters by PER_PREDICTION (overlap 0.108 ≥ 0.1), class 1;
    // their locations are 7, targets [±5, ±5, 5 ln 0.8, 5 ln 0.8]: smooth L1 29 + 6·(7 + 5 ln 1.25 − 0.5).
    title: "MultiBoxLoss with overlap_threshold 0.1: per-prediction matches beyond the bipartite ones, / 6 matches",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, overlap_threshold: 0.1 },
    inputs: MBOX_INPUTS(),
    outputs: [[(LOC_ALL + 29 + 6 * (7 + 5 * LN(1.25) - 0.5) + CONF_IMG0 + L3 + LN(5) + L2 + LN(5 / 3) + LN(5 / 2)) / 6]],
  },
  {
    title: "MultiBoxLoss BIPARTITE ignores overlap_threshold: only one prior per box",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, overlap_threshold: 0.1, match_type: "BIPARTITE" },
    inputs: MBOX_INPUTS(),
    outputs: [[(LOC_ALL + CONF_IMG0 + CONF_IMG1) / 3]],
  },
  {
    // Predictions divided by the variances too: [5, −10, 1, 0], [0, 0, 0, 10], [0, 0, 0, 0] against the same targets.
    title: "MultiBoxLoss encode_variance_in_target divides predictions and targets by the variances",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, encode_variance_in_target: true },
    inputs: MBOX_INPUTS(),
    outputs: [[(4.5 + 8.5 + 0.5 + H + 9.5 + 2 * H + CONF_IMG0 + CONF_IMG1) / 3]],
  },
  {
    // CORNER targets (box − prior) / variance: g0 [0, 0, 0, −0.5], g1 0, g2 [0.5, 0.5, −0.25, −0.25].
    title: "MultiBoxLoss with CORNER codes",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, code_type: "CORNER" },
    inputs: MBOX_INPUTS(),
    outputs: [[(0.125 + 0.5 + 0.02 + 0.125 + 1.5 + 2 * 0.125 + 2 * 0.03125 + CONF_IMG0 + CONF_IMG1) / 3]],
  },
  {
    // CORNER_SIZE targets (box − prior) / prior size / variance: g0 [0, 0, 0, −1], g1 0, g2 [1, 1, −0.5, −0.5].
    title: "MultiBoxLoss with CORNER_SIZE codes",
    helper: "MultiBoxLoss",
    kwargs: { ...SSD, code_type: "CORNER_SIZE" },
    inputs: MBOX_INPUTS(),
    outputs: [[(0.125 + 0.5 + 0.02 + 0.5 + 1.5 + 0.5 + 0.5 + 0.125 + 0.125 + CONF_IMG0 + CONF_IMG1) / 3]],
  },
  {
    // A 0.4 × 0.8 prior centred at (0.4, 0.5) and a 0.4 × 0.6 box centred at (0.4, 0.6) (overlap 0.75):
    // target [0, 0.1/0.8/0.1, 0, 5 ln 0.75]; prediction [0, 1, 0, −1]; one match, no negative to mine.
    title: "MultiBoxLoss CENTER_SIZE divides the y offset by the prior's height",
    helper: "MultiBoxLoss",
    kwargs: { num_classes: 2, code_type: "CENTER_SIZE" },
    inputs: [{ data: [[0, 1, 0, -1]] }, { data: [[0, 0]] }, { data: [[[0.2, 0.1, 0.6, 0.9], [0.1, 0.1, 0.2, 0.2]]] }, { data: [[[[0, 1, 0, 0.2, 0.3, 0.6, 0.9, 0]]]] }],
    outputs: [[0.5 * 0.25 ** 2 + 0.5 * (-1 - 5 * LN(0.75)) ** 2 + L2]],
  },
  ...([false, true] as const).map(
    (ignore): Case => ({
      // Prior 0 crosses the left border and overlaps box 0 by 0.25/0.3; prior 1 is box 1. NONE: losses summed.
      title: ignore
        ? "MultiBoxLoss ignore_cross_boundary_bbox: the prior across the border matches nothing and is no negative either"
        : "MultiBoxLoss without ignore_cross_boundary_bbox: the prior across the border matches its box (CORNER target met exactly)",
      helper: "MultiBoxLoss",
      kwargs: { num_classes: 2, ignore_cross_boundary_bbox: ignore, normalization: "NONE" },
      inputs: [
        { data: [[1, 0, 0, 0, 0, 0, 0, 0]] },
        { data: [[0, 0, 0, 0]] },
        { data: [[[-0.1, 0, 0.5, 0.5, 0.5, 0, 1, 0.5], [0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2]]] },
        { data: [[[[0, 1, 0, 0, 0, 0.5, 0.5, 0], [0, 1, 1, 0.5, 0, 1, 0.5, 0]]]] },
      ],
      outputs: [[ignore ? L2 : 2 * L2]],
    }),
  ),
  {
    title: "MultiBoxLoss refuses a ground-truth box of the background class, as Caffe's CHECK does",
    helper: "MultiBoxLoss",
    kwargs: SSD,
    inputs: MBOX_INPUTS(0),
    error: "ValueError: MultiBoxLoss: found background label 0",
  },
];

function expectClose(got: number[], expected: number[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((g, i) => expect(Math.abs(g - expected[i]!), `${what}[${i}]: ${g} vs ${expected[i]}`).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(expected[i]!))));
}

describe.skipIf(skipWithoutTorch)("the detection forks' losses as generated helpers reproduce the forks' arithmetic", () => {
  let ran: Ran[] = [];
  let dir: string | undefined;
  beforeAll(() => {
    requireTorch();
    dir = mkdtempSync(join(tmpdir(), "caffe2torch-detection-losses-"));
    const header = "import torch\nfrom torch import nn\nfrom torch.nn import functional as F";
    writeFileSync(join(dir, "helpers.py"), [header, ...helperSources(["SmoothL1Loss", "SmoothL1LossOHEM", "MultiBoxLoss"])].join("\n\n\n") + "\n");
    writeFileSync(join(dir, "cases.json"), JSON.stringify(CASES.map(({ helper, kwargs, inputs }) => ({ helper, kwargs, inputs }))));
    ran = runPythonJson<Ran[]>(RUNNER, [join(dir, "helpers.py"), join(dir, "cases.json")]);
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES.map((c, i) => [c.title, i] as const))("%s", (_, i) => {
    const c = CASES[i]!;
    const r = ran[i]!;
    if (c.error !== undefined) {
      expect(r.error).toMatch(new RegExp(`^${c.error}`));
      return;
    }
    expect(r.error, "raised").toBeUndefined();
    expect(r.outputs!.length).toBe(c.outputs!.length);
    c.outputs!.forEach((o, k) => expectClose(r.outputs![k]!.data, o, `output ${k}`));
    expect(r.outputs!.map((o) => o.shape)).toEqual(c.shapes ?? [[]]);
    if (c.grads) {
      c.grads.forEach((g, k) => {
        if (g === null) expect(r.grads![k], `input ${k} has no gradient`).toBeNull();
        else expectClose(r.grads![k]!.data, g, `gradient of input ${k}`);
      });
    }
  });
});
