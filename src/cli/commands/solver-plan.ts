import type { CliIo } from "../io-types.js";
import { CliError } from "../io-types.js";
import { buildTorchGraph } from "../../convert/graph.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { netFormat, readNet, type ReadResult } from "../../schema/read.js";
import { readSolver, type SolverReadResult } from "../../schema/read-solver.js";
import { solverProblems } from "../../solver/checks.js";
import { netPathCandidates, trainNetSource, trainState } from "../../solver/net-source.js";
import { solverPlan, type SolverPlan } from "../../solver/plan.js";
import { isLrPolicy, isSolverType, solverSettings, type SolverSettings } from "../../solver/settings.js";
import { makeStyle } from "../color.js";
import { formatDiagnostics } from "../report.js";
import type { InputShape } from "../../caffe/input-shapes.js";
import { throwInputShapeError } from "./input-shape.js";

/** The TRAIN net: --net, else the solver's net/train_net (a path tried beside the solver, then from the working directory), else inline. */
function trainNet(io: CliIo, solverFile: string, solver: SolverReadResult, override: string | undefined): { read: ReadResult; name: string } {
  if (override !== undefined) return { read: readNet(io.readFile(override), { allowUnknown: true, upgrade: true }), name: override };
  const source = trainNetSource(solver.solver);
  if (source === null) throw new CliError(`${solverFile}: the solver names no train net (net, net_param, train_net or train_net_param); give one with --net`);
  if (source.kind === "inline") {
    // An inline net was read (and upgraded) with the solver: its locations are the solver's lines.
    const read: ReadResult = { net: source.net, diagnostics: [], sourceMap: solver.sourceMap, lines: solver.lines, comments: solver.comments, text: solver.text, format: netFormat(source.net) };
    return { read, name: solverFile };
  }
  const candidates = netPathCandidates(source.value, solverFile === "-" ? null : solverFile, io.cwd);
  const found = candidates.find((c) => io.exists(c));
  if (found === undefined) throw new CliError(`${solverFile}: ${source.field} "${source.value}" not found (looked at ${candidates.join(" and ")}); give the net with --net`);
  return { read: readNet(io.readFile(found), { allowUnknown: true, upgrade: true }), name: found };
}

/** A solver and its TRAIN net read and mapped, or the exit code after the errors were printed. */
export type SolverPlanOutcome = { plan: SolverPlan; settings: SolverSettings } | { exit: number };

/**
 * Reads a solver file and its TRAIN net and builds the plan `solver` writes (and `verify --solver`
 * runs). Prints errors and warnings to stderr; exit 2 when the solver or net does not read, Caffe
 * would refuse the solver, or a layer with parameters cannot be exported.
 */
export function readSolverPlan(file: string, options: { net?: string | undefined; exact: boolean; inputShapes?: readonly InputShape[] }, io: CliIo): SolverPlanOutcome {
  const style = makeStyle(io.color.stderr);
  const name = file === "-" ? "<stdin>" : file;
  const read = readSolver(io.readFile(file), { allowUnknown: true, upgrade: true });
  const settings = solverSettings(read.solver);
  const problems = solverProblems(read.solver, settings, read.sourceMap);
  // --net replaces the solver's net, so the solver's own net fields are not required then.
  const relevant = options.net === undefined ? problems : problems.filter((d) => d.code !== "solver-no-train-net" && d.code !== "solver-several-train-nets");
  const all: Diagnostic[] = [...read.diagnostics, ...relevant];
  const errors = all.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    io.stderr(formatDiagnostics(name, read.lines, errors, style));
    return { exit: 2 };
  }
  const warnings = all.filter((d) => d.severity === "warning");
  if (warnings.length > 0) io.stderr(formatDiagnostics(name, read.lines, warnings, style));
  const type = settings.type;
  const policy = settings.lrPolicy;
  if (!isSolverType(type) || !isLrPolicy(policy)) throw new Error("solverProblems let an unknown type or policy through");

  const net = trainNet(io, name, read, options.net);
  const netErrors = net.read.diagnostics.filter((d) => d.severity === "error");
  if (netErrors.length > 0) {
    io.stderr(formatDiagnostics(net.name, net.read.lines, netErrors, style));
    return { exit: 2 };
  }
  const state = trainState(read.solver, net.read.net);
  const shapes = options.inputShapes !== undefined && options.inputShapes.length > 0 ? { inputShapes: options.inputShapes } : {};
  const outcome = buildTorchGraph(net.read, { phase: state.phase, source: net.name, exact: options.exact, stages: state.stages, ...(state.level !== undefined ? { level: state.level } : {}), ...shapes });
  throwInputShapeError(outcome.diagnostics);
  const graphErrors = outcome.diagnostics.filter((d) => d.severity === "error" && !net.read.diagnostics.includes(d));
  if (graphErrors.length > 0) {
    io.stderr(formatDiagnostics(net.name, net.read.lines, graphErrors, style));
    return { exit: 2 };
  }
  // Loss layers hold no blobs: the groups are complete without them (Net.loss needs them, see the notes).
  const blocking = outcome.graph.unsupported.filter((u) => !u.type.endsWith("Loss"));
  if (blocking.length > 0) {
    const lines = blocking.map((u) => `${net.name}:${u.line}:${u.column}: ${style.error("error")} layer "${u.layer}" (${u.type}) cannot be exported (${u.reason}), so its parameters have no PyTorch name`);
    io.stderr(`${lines.join("\n")}\n`);
    return { exit: 2 };
  }
  return { plan: solverPlan(settings, type, policy, outcome, { solver: name, net: net.name, exact: options.exact }), settings };
}
