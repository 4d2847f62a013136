import { dirname, isAbsolute, join, resolve } from "node:path";
import type { BoundMessage } from "../schema/bind.js";
import type { Phase } from "../schema/caffe-types.js";

/** Where the train net comes from. */
export type TrainNetSource =
  | { kind: "file"; field: "net" | "train_net"; value: string }
  | { kind: "inline"; field: "net_param" | "train_net_param"; net: BoundMessage };

/**
 * The train net of a solver as Solver::InitTrainNet takes it (solver.cpp:78-105): the one of
 * `train_net_param`, `train_net`, `net_param`, `net` that is set (Caffe requires exactly one;
 * when several are set, checks.ts reports it and the last in that order wins, as the copies in
 * InitTrainNet would leave it). Null when none is set.
 */
export function trainNetSource(solver: BoundMessage): TrainNetSource | null {
  if (typeof solver["net"] === "string") return { kind: "file", field: "net", value: solver["net"] };
  if (solver["net_param"] && typeof solver["net_param"] === "object") return { kind: "inline", field: "net_param", net: solver["net_param"] as BoundMessage };
  if (typeof solver["train_net"] === "string") return { kind: "file", field: "train_net", value: solver["train_net"] };
  if (solver["train_net_param"] && typeof solver["train_net_param"] === "object") {
    return { kind: "inline", field: "train_net_param", net: solver["train_net_param"] as BoundMessage };
  }
  return null;
}

/**
 * Where a net path written in a solver may be: relative to the solver file first (where a user
 * keeps the two), then relative to the working directory, which is what Caffe itself opens
 * (ReadNetParamsFromTextFileOrDie takes the path as written; BVLC's examples write paths from the
 * Caffe root, e.g. `examples/mnist/lenet_train_test.prototxt`). An absolute path is itself.
 */
export function netPathCandidates(value: string, solverFile: string | null, cwd: string): string[] {
  if (isAbsolute(value)) return [value];
  const candidates = solverFile === null ? [] : [join(dirname(resolve(cwd, solverFile)), value)];
  const fromCwd = resolve(cwd, value);
  if (!candidates.includes(fromCwd)) candidates.push(fromCwd);
  return candidates;
}

/** The NetState the train net is built in. */
export interface TrainState {
  phase: Phase;
  level?: number;
  stages: string[];
}

/**
 * The train net's state as InitTrainNet merges it (solver.cpp:106-114): phase TRAIN, then the
 * net's own `state`, then the solver's `train_state`, each set field overriding and stages
 * appended. Returns the phase and what to add to the net's state (its own stages are read by
 * the net model itself).
 */
export function trainState(solver: BoundMessage, net: BoundMessage): TrainState {
  const own = (net["state"] ?? {}) as BoundMessage;
  const train = (solver["train_state"] ?? {}) as BoundMessage;
  const phaseOf = (v: unknown): Phase | undefined => (v === "TRAIN" || v === 0 ? "TRAIN" : v === "TEST" || v === 1 ? "TEST" : undefined);
  const phase = phaseOf(train["phase"]) ?? phaseOf(own["phase"]) ?? "TRAIN";
  const state: TrainState = { phase, stages: Array.isArray(train["stage"]) ? (train["stage"] as string[]) : [] };
  if (typeof train["level"] === "number") state.level = train["level"];
  return state;
}
