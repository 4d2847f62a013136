/**
 * The detection forks' training losses on seeded inputs: a TRAIN net with "SmoothL1Loss" (sigma 2
 * with inside/outside weights, and without), "SmoothL1LossOHEM" (weights, per-instance top) and two
 * "MultiBoxLoss" layers on PriorBox priors and 7 ground-truth boxes, exported as `export` writes it
 * and run by forward_layers in one real PyTorch process. The Caffe executor (the forks' C++) and the
 * PyTorch-semantics executor (the helpers' Python) must both give PyTorch's tops within
 * 1e-5 · max(1, max |top|); a MultiBoxLoss that mines one negative fewer per match is caught.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeTorchGraph } from "../../../src/execute/torch/index.js";
import type { Blob } from "../../../src/execute/types.js";
import { exportState } from "../../../src/weights/export-state.js";
import { requireTorch, skipWithoutTorch } from "../../helpers/python.js";
import { encodeCaffemodel } from "../../weights/support.js";
import { compareTops, executePrepared, prepareAll, runTorch, type CrossNet, type Prepared, type TopDiff, type TorchTops } from "./fork-support.js";

const BOUND = 1e-5;
const layer = (name: string, type: string, bottoms: string[], body = "", tops = [name]): string =>
  `layer { name: "${name}" type: "${type}" ${bottoms.map((b) => `bottom: "${b}"`).join(" ")} ${tops.map((t) => `top: "${t}"`).join(" ")} ${body} }`;

/** Boxes of images 0 and 1 (image, class, instance, corners, difficult), one difficult, one padding row. */
const GT_ROWS = [
  [0, 1, 0, 0.1, 0.1, 0.45, 0.5, 0],
  [0, 2, 1, 0.5, 0.2, 0.9, 0.95, 0],
  [0, 1, 2, 0.3, 0.55, 0.6, 0.9, 1],
  [1, 2, 0, 0.05, 0.6, 0.4, 0.95, 0],
  [1, 1, 1, 0.35, 0.3, 0.75, 0.7, 0],
  [1, 2, 2, 0.7, 0.05, 0.98, 0.35, 0],
  [-1, 0, 0, 0, 0, 0, 0, 0],
  [0, 2, 3, 0.0, 0.0, 0.2, 0.3, 0],
];
// PriorBox on a 3×3 map of a 30×30 image: min 10, max 20, aspect ratio 2 flipped → 4 priors a cell, 36 priors.
const P = 36;

const NET: CrossNet = {
  id: "detection-losses",
  phase: "TRAIN",
  text: [
    layer("priors", "PriorBox", ["feat", "img"], "prior_box_param { min_size: 10 max_size: 20 aspect_ratio: 2 flip: true clip: true variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 }"),
    layer("l1_sigma", "SmoothL1Loss", ["x", "t", "win", "wout"], "smooth_l1_loss_param { sigma: 2 }"),
    layer("l1_plain", "SmoothL1Loss", ["x", "t"]),
    layer("ohem", "SmoothL1LossOHEM", ["xo", "to", "wo"], "loss_param { normalization: VALID } loss_weight: 1 loss_weight: 0", ["ohem", "ohem_each"]),
    layer("mbox", "MultiBoxLoss", ["loc", "conf", "priors", "gt"], "multibox_loss_param { num_classes: 3 code_type: CENTER_SIZE loc_weight: 1 overlap_threshold: 0.3 } loss_param { normalization: VALID }"),
    layer("mbox_full", "MultiBoxLoss", ["loc", "conf", "priors", "gt"], "multibox_loss_param { num_classes: 3 code_type: CORNER mining_type: NONE use_difficult_gt: false loc_loss_type: L2 } loss_param { normalization: FULL }"),
  ].join("\n"),
  inputs: {
    feat: { shape: [2, 1, 3, 3], fill: { seed: 1 } },
    img: { shape: [2, 3, 30, 30], fill: { seed: 2 } },
    x: { shape: [4, 8], fill: { seed: 3, lo: -3, hi: 3 } },
    t: { shape: [4, 8], fill: { seed: 4, lo: -1, hi: 1 } },
    win: { shape: [4, 8], fill: { seed: 5, lo: 0, hi: 2, int: true } },
    wout: { shape: [4, 8], fill: { seed: 6, lo: 0, hi: 2 } },
    xo: { shape: [2, 3, 2, 2], fill: { seed: 7, lo: -3, hi: 3 } },
    to: { shape: [2, 3, 2, 2], fill: { seed: 8 } },
    wo: { shape: [2, 3, 2, 2], fill: { seed: 9, lo: 0, hi: 2, int: true } },
    loc: { shape: [2, P * 4], fill: { seed: 10, lo: -2, hi: 2 } },
    conf: { shape: [2, P * 3], fill: { seed: 11, lo: -3, hi: 3 } },
    gt: { shape: [1, 1, GT_ROWS.length, 8], fill: { values: GT_ROWS.flat() } },
  },
};
const LOSSES = ["l1_sigma", "l1_plain", "ohem", "mbox", "mbox_full"];

let dir: string | undefined;
let prepared: Prepared;
let torch: TorchTops;

beforeAll(async () => {
  if (skipWithoutTorch) return;
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-detection-losses-"));
  prepared = prepareAll(NET);
  torch = (await runTorch([prepared], dir)).get(NET.id)!;
}, 300_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const failing = (tops: TopDiff[]): string[] => tops.filter((t) => !(t.scaled <= BOUND)).map((t) => `${t.layer}/${t.top}: ${t.scaled}`);

describe.skipIf(skipWithoutTorch)("the detection losses on seeded inputs: both executors against the exported model in PyTorch", () => {
  it("PyTorch ran the net and every loss is a positive number", () => {
    expect(torch.error).toBeNull();
    for (const name of LOSSES) expect(torch.tops.get(`${name}/0`)!.data[0], name).toBeGreaterThan(0);
  });

  it("the Caffe executor gives every top of PyTorch, the per-instance top included", () => {
    const result = executePrepared(prepared);
    expect(result.error).toBeNull();
    const tops = compareTops(result, torch);
    expect(tops.map((t) => `${t.layer}/${t.top}`)).toEqual(expect.arrayContaining([...LOSSES.map((l) => `${l}/0`), "ohem/1"]));
    expect(failing(tops)).toEqual([]);
  });

  it("the PyTorch-semantics executor gives every top of PyTorch", () => {
    const state = new Map<string, Blob>([...exportState(prepared.graph, encodeCaffemodel({ name: NET.id, layer: [] })).tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array }]));
    const result = executeTorchGraph(prepared.graph, state, prepared.inputs, { training: true });
    expect(result.error).toBeNull();
    const tops = compareTops(result, torch);
    expect(tops.map((t) => `${t.layer}/${t.top}`)).toEqual(expect.arrayContaining([...LOSSES.map((l) => `${l}/0`), "ohem/1"]));
    expect(failing(tops)).toEqual([]);
  });

  it("names the MultiBoxLoss whose executor mines one negative fewer per match (neg_pos_ratio read as 2)", () => {
    const wrong = prepareAll({ ...NET, text: NET.text.replace("overlap_threshold: 0.3 }", "overlap_threshold: 0.3 neg_pos_ratio: 2 }") });
    expect(failing(compareTops(executePrepared(wrong), torch)).map((s) => s.split(":")[0])).toEqual(["mbox/0"]);
  });
});
