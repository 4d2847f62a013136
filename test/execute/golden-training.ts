/**
 * Runs a `grad_*` recording of ../shared/golden/training (BVLC Caffe's TRAIN forward, layer by
 * layer) through the Caffe executor and compares every recorded top, each loss, the total loss and
 * the BatchNorm blobs Caffe updated during the forward, as the recordings' README describes them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildNet, type NetModel } from "../../src/caffe/net.js";
import { executeNet, type ExecuteOptions, type ExecuteResult } from "../../src/execute/net.js";
import { executorOf } from "../../src/execute/registry.js";
import type { Blob } from "../../src/execute/types.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { parseSafetensors } from "../../src/weights/safetensors.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { weightsOf } from "./golden.js";

export const TRAINING_DIR = join(GOLDEN_DIR, "training");

/** The `grad_*` cases, sorted. */
export const GRAD_CASES = readdirSync(TRAINING_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith("grad_"))
  .map((d) => d.name)
  .sort();

/** What the tests read of a grad case's record.json. */
export interface TrainingRecord {
  phase: "TRAIN";
  inputs: { blob: string; shape: number[]; tensor: string }[];
  layers: { name: string; type: string; bottoms: string[]; tops: { blob: string; shape: number[]; tensor: string }[] }[];
  /** Each loss top's value, before its loss_weight. */
  losses: Record<string, number>;
  loss_weights: Record<string, number>;
  total_loss: number;
  params: { layer: string; type: string; index: number; shape: number[]; after_forward: string | null }[];
}

/** A loaded case: the TRAIN net model, the decoded init.caffemodel, the recording and its tensors. */
export interface TrainingCase {
  name: string;
  model: NetModel;
  weights: Map<string, Blob[]>;
  record: TrainingRecord;
  tensors: Map<string, Float32Array>;
  inputs: Map<string, Blob>;
}

/** The TRAIN-phase net model of a prototxt text. */
export function trainNet(text: string): NetModel {
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  return buildNet(read.net as NetParameter, { phase: "TRAIN" });
}

/** Loads grad case `name`. */
export function loadTrainingCase(name: string): TrainingCase {
  const dir = join(TRAINING_DIR, name);
  const record = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as TrainingRecord;
  const tensors = new Map<string, Float32Array>();
  for (const [key, t] of parseSafetensors(readFileSync(join(dir, "record.safetensors"))).tensors) tensors.set(key, t.data);
  const inputs = new Map<string, Blob>(record.inputs.map((i) => [i.blob, { shape: i.shape, data: tensors.get(i.tensor)! }]));
  return {
    name,
    model: trainNet(readFileSync(join(dir, "train.prototxt"), "utf8")),
    weights: weightsOf(readFileSync(join(dir, "init.caffemodel"))),
    record,
    tensors,
    inputs,
  };
}

/** One compared quantity: a top, a loss, the total loss, or an updated parameter blob. */
export interface Checked {
  /** e.g. `top relu1/conv1`, `loss loss_cls`, `total loss`, `param_after bn1/0`. */
  what: string;
  /** Whether the shapes are equal (always true for scalars). */
  shape: boolean;
  /** max |Δ| / max(1, max |reference|); Infinity when missing or NaN. */
  scaled: number;
  /** Every value equal to Caffe's, bit for bit. */
  exact: boolean;
}

/** The comparison of a case. */
export interface TrainingComparison {
  checks: Checked[];
  result: ExecuteResult;
}

function against(what: string, got: { shape: readonly number[]; data: ArrayLike<number> } | undefined, ref: { shape: readonly number[]; data: ArrayLike<number> }): Checked {
  if (!got) return { what, shape: false, scaled: Infinity, exact: false };
  const shape = got.shape.length === ref.shape.length && got.shape.every((d, k) => d === ref.shape[k]);
  if (!shape || got.data.length !== ref.data.length) return { what, shape: false, scaled: Infinity, exact: false };
  let worst = 0;
  let scale = 1;
  let exact = true;
  for (let k = 0; k < ref.data.length; k++) {
    const d = Math.abs(got.data[k]! - ref.data[k]!);
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
    scale = Math.max(scale, Math.abs(ref.data[k]!));
    if (got.data[k] !== ref.data[k]) exact = false;
  }
  return { what, shape: true, scaled: worst / scale, exact };
}

const scalarOf = (value: number | undefined) => (value === undefined ? undefined : { shape: [], data: [value] });

/** Runs case `c` through the executor in TRAIN and compares everything recorded of the forward. */
export function compareTrainingCase(c: TrainingCase, options: ExecuteOptions = {}, model: NetModel = c.model): TrainingComparison {
  const result = executeNet(model, c.inputs, c.weights, options);
  const ran = new Map(result.layers.map((l) => [l.name, l]));
  const checks: Checked[] = [];
  for (const layer of c.record.layers) {
    layer.tops.forEach((top, i) => {
      const got = ran.get(layer.name)?.tops[i];
      checks.push(against(`top ${layer.name}/${top.blob}`, got, { shape: top.shape, data: c.tensors.get(top.tensor)! }));
    });
  }
  for (const [blob, value] of Object.entries(c.record.losses)) {
    checks.push(against(`loss ${blob}`, scalarOf(result.blobs.get(blob)?.data[0]), { shape: [], data: [value] }));
  }
  checks.push(against("total loss", scalarOf(result.loss), { shape: [], data: [c.record.total_loss] }));
  for (const p of c.record.params) {
    if (p.after_forward === null) continue;
    // A forward that wrote nothing (use_global_stats: true) leaves the blobs as given.
    const got = result.updatedParams?.get(p.layer)?.[p.index] ?? c.weights.get(p.layer)?.[p.index];
    checks.push(against(`param_after ${p.layer}/${p.index}`, got, { shape: p.shape, data: c.tensors.get(p.after_forward)! }));
  }
  return { checks, result };
}

/** The checks beyond `bound` (or of another shape), by name. */
export function failing(cmp: TrainingComparison, bound: number): string[] {
  return cmp.checks.filter((c) => !c.shape || !(c.scaled <= bound)).map((c) => c.what);
}

/** The largest scaled error of a comparison and where. */
export function worst(cmp: TrainingComparison): Checked {
  return cmp.checks.reduce((a, b) => (b.scaled > a.scaled ? b : a));
}

/**
 * Runs each recorded layer on Caffe's own recorded bottoms (the inputs, or the latest recorded top of
 * each bottom blob), not on the executor's upstream results, so each executor meets Caffe alone.
 */
export function trainingLayersAlone(c: TrainingCase): { layer: string; type: string; checks: Checked[] }[] {
  const latest = new Map<string, Blob>(c.inputs);
  const out: { layer: string; type: string; checks: Checked[] }[] = [];
  for (const rec of c.record.layers) {
    const layer = c.model.layers.find((l) => l.name === rec.name)!;
    const bottoms = layer.bottoms.map((b) => latest.get(b)!);
    const tops = executorOf(layer.type)!.forward({ layer, bottoms, params: c.weights.get(layer.name) ?? [], phase: "TRAIN", inputs: c.inputs });
    const checks = rec.tops.map((t, k) => against(`top ${rec.name}/${t.blob}`, tops[k], { shape: t.shape, data: c.tensors.get(t.tensor)! }));
    out.push({ layer: rec.name, type: rec.type, checks });
    for (const t of rec.tops) latest.set(t.blob, { shape: t.shape, data: c.tensors.get(t.tensor)! });
  }
  return out;
}
