import type { InputShape } from "../../caffe/input-shapes.js";
import { buildTorchGraph } from "../../convert/graph.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { visible } from "../../diagnostics/visible.js";
import type { ReportSolver } from "../../report/model.js";
import { reportSolver } from "../../report/solver.js";
import type { ReadResult } from "../../schema/read.js";
import { readSolver } from "../../schema/read-solver.js";
import { solverProblems } from "../../solver/checks.js";
import { trainState } from "../../solver/net-source.js";
import { solverPlan } from "../../solver/plan.js";
import { isLrPolicy, isSolverType, solverSettings } from "../../solver/settings.js";
import { CliError, type CliIo } from "../io-types.js";

/** Problems of a solver file, to print with its lines (exit 2), or the solver part of the report. */
export type ReportSolverOutcome = { errors: Diagnostic[]; lines: ReadResult["lines"]; solver: null } | { errors: []; lines: null; solver: ReportSolver };

/**
 * `report --solver S`: the parameter groups and the lr curve of S applied to the report's net (as
 * `solver --net NET` does: the net given on the command line replaces the solver's own), built in
 * the state Solver::InitTrainNet gives the train net.
 */
export function solverOfReport(io: CliIo, file: string, net: ReadResult, netName: string, options: { exact: boolean; inputShapes: readonly InputShape[] }): ReportSolverOutcome {
  const read = readSolver(io.readFile(file), { allowUnknown: true, upgrade: true });
  const settings = solverSettings(read.solver);
  const problems = solverProblems(read.solver, settings, read.sourceMap).filter((d) => d.code !== "solver-no-train-net" && d.code !== "solver-several-train-nets");
  const errors = [...read.diagnostics, ...problems].filter((d) => d.severity === "error");
  if (errors.length > 0) return { errors, lines: read.lines, solver: null };
  const type = settings.type;
  const policy = settings.lrPolicy;
  if (!isSolverType(type) || !isLrPolicy(policy)) throw new CliError(`${visible(file)}: unknown solver type or lr_policy`);
  const state = trainState(read.solver, net.net);
  const { exact, inputShapes } = options;
  const outcome = buildTorchGraph(net, { phase: state.phase, source: netName, exact, inputShapes, stages: state.stages, ...(state.level !== undefined ? { level: state.level } : {}) });
  const blocking = outcome.graph.unsupported.filter((u) => !u.type.endsWith("Loss"));
  if (blocking.length > 0) {
    const names = blocking.map((u) => `"${visible(u.layer)}" (${visible(u.type)})`).join(", ");
    throw new CliError(`--solver: ${names} cannot be exported, so ${blocking.length === 1 ? "its parameters have" : "their parameters have"} no PyTorch name`);
  }
  const plan = solverPlan(settings, type, policy, outcome, { solver: file, net: netName, exact });
  return { errors: [], lines: null, solver: reportSolver(plan, settings) };
}
