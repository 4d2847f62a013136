import { overwrittenReluMasks } from "../caffe/relu-mask.js";
import type { GraphOutcome } from "../convert/graph.js";
import { solverDifferences, type Difference } from "./differences.js";
import { paramGroups, type GroupsPlan } from "./groups.js";
import { optimizerPlan, type OptimizerPlan } from "./optimizer.js";
import type { LrPolicy, SolverSettings, SolverType } from "./settings.js";

/** The lr policy with the settings it reads (as written). */
export interface PolicyPlan {
  name: LrPolicy;
  baseLr: number;
  gamma: number;
  power: number;
  stepsize: number;
  stepvalue: number[];
  maxIter: number;
}

/** A note on the net as it trains (codes; words in the formatters). */
export interface SolverNote {
  code: string;
  data: Record<string, string | number | boolean | null>;
}

/** Everything `solver` writes, as plain data (JSON-able). */
export interface SolverPlan {
  /** The solver file and the net file as shown. */
  solver: string;
  net: string;
  exact: boolean;
  type: SolverType;
  policy: PolicyPlan;
  optimizer: OptimizerPlan;
  groups: GroupsPlan;
  iterSize: number;
  /** null: no clipping. */
  clipGradients: number | null;
  maxIter: number;
  momentum: number;
  weightDecay: number;
  regularizationType: "L2" | "L1";
  /** The net's inputs in `INPUTS` order (what each tuple of Solver.step holds). */
  inputs: string[];
  differences: Difference[];
  notes: SolverNote[];
}

/**
 * Notes on the TRAIN net: loss layers `export` has no converter for yet (Net.loss needs them), and
 * each ReLU whose bottom data a later layer rewrites in place (caffe/relu-mask.ts): Caffe's ReLU
 * backward reads its mask from that data (relu_layer.cpp Backward_cpu uses bottom_data), so Caffe
 * back-propagates through the later layer's output sign, which autograd does not reproduce
 * (training README §6; lint rule relu-mask-overwritten).
 */
function netNotes(outcome: GraphOutcome): SolverNote[] {
  const notes: SolverNote[] = [];
  const missing = outcome.graph.unsupported.filter((u) => u.type.endsWith("Loss"));
  if (missing.length > 0) notes.push({ code: "loss-not-exported", data: { layers: missing.map((u) => `${u.layer} (${u.type})`).join(", ") } });
  const { model, graph } = outcome.convert.analysis;
  for (const found of overwrittenReluMasks(model, graph)) {
    const writer = model.layers[found.writer]!;
    notes.push({ code: "relu-mask-overwritten", data: { relu: model.layers[found.relu]!.name, layer: writer.name, type: writer.type, blob: found.blob, in_place: found.reluInPlace } });
  }
  return notes;
}

/** Builds the plan from the solver settings and the TRAIN net's graph. */
export function solverPlan(s: SolverSettings, type: SolverType, policy: LrPolicy, outcome: GraphOutcome, options: { solver: string; net: string; exact: boolean }): SolverPlan {
  const groups = paramGroups(outcome, s);
  const w = s.written;
  return {
    solver: options.solver,
    net: options.net,
    exact: options.exact,
    type,
    policy: { name: policy, baseLr: w["base_lr"]!, gamma: w["gamma"]!, power: w["power"]!, stepsize: s.stepsize, stepvalue: s.stepvalue, maxIter: s.maxIter },
    optimizer: optimizerPlan(type, s),
    groups,
    iterSize: s.iterSize,
    clipGradients: s.clipGradients >= 0 ? w["clip_gradients"]! : null,
    maxIter: s.maxIter,
    momentum: w["momentum"]!,
    weightDecay: w["weight_decay"]!,
    regularizationType: s.regularizationType === "L1" ? "L1" : "L2",
    inputs: outcome.graph.inputs.map((i) => i.blob),
    differences: solverDifferences(type, s, groups),
    notes: netNotes(outcome),
  };
}

const q = (v: unknown): string => `"${String(v)}"`;

/** English for the notes (formatters call it). */
export const NOTE_MESSAGES: Readonly<Record<string, (d: SolverNote["data"]) => string>> = {
  "loss-not-exported": (d) => `The loss layers ${String(d["layers"])} have no PyTorch converter in this version: Solver.step needs Net.loss from the exported model.`,
  "relu-mask-overwritten": (d) =>
    (d["in_place"] === false
      ? `ReLU ${q(d["relu"])} reads ${q(d["blob"])}, which ${String(d["type"])} ${q(d["layer"])} later overwrites in place: `
      : `ReLU ${q(d["relu"])} runs in place on ${q(d["blob"])} and ${String(d["type"])} ${q(d["layer"])} then overwrites that blob in place: `) +
    "Caffe's ReLU backward takes its mask from the overwritten data, so Caffe's gradients below it are not the mathematical ones autograd computes; " +
    "training in PyTorch will not follow Caffe's (lint rule relu-mask-overwritten). Give the ReLU its own top to make both agree.",
};
