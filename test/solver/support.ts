/** Reading solvers and their TRAIN nets for the solver tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildTorchGraph, type GraphOutcome } from "../../src/convert/graph.js";
import { readNet } from "../../src/schema/read.js";
import { readSolver } from "../../src/schema/read-solver.js";
import { solverPlan, type SolverPlan } from "../../src/solver/plan.js";
import { isLrPolicy, isSolverType, solverSettings, type SolverSettings } from "../../src/solver/settings.js";
import { GOLDEN_DIR } from "../helpers/paths.js";

export const TRAINING = join(GOLDEN_DIR, "training");

/** The settings of a solver text (solver_type upgraded). */
export function settingsOf(text: string): SolverSettings {
  return solverSettings(readSolver(text, { allowUnknown: true, upgrade: true }).solver);
}

/** A net text's TRAIN graph. */
export function trainGraph(netText: string): GraphOutcome {
  return buildTorchGraph(readNet(netText, { allowUnknown: true, upgrade: true }), { phase: "TRAIN", source: "net.prototxt" });
}

/** The plan of a solver text over a net text. */
export function planOf(solverText: string, netText: string, exact = false): SolverPlan {
  const s = settingsOf(solverText);
  if (!isSolverType(s.type) || !isLrPolicy(s.lrPolicy)) throw new Error(`fixture solver: ${s.type} ${s.lrPolicy}`);
  return solverPlan(s, s.type, s.lrPolicy, trainGraph(netText), { solver: "solver.prototxt", net: "net.prototxt", exact });
}

/** A golden case's solver and net texts. */
export function goldenCase(name: string): { solver: string; net: string; record: GoldenRecord } {
  const dir = join(TRAINING, name);
  return {
    solver: readFileSync(join(dir, "solver.prototxt"), "utf8"),
    net: readFileSync(join(dir, "train.prototxt"), "utf8"),
    record: JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as GoldenRecord,
  };
}

export interface GoldenRecord {
  solver_effective: Record<string, unknown>;
  iterations: { k: number; lr: number; current_step: number }[];
  params: { layer: string; index: number; lr_mult: number; decay_mult: number }[];
}
