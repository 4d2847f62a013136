import { dirname } from "node:path";
import type { Command } from "commander";
import { buildTorchGraph } from "../../convert/graph.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { jsonText } from "../../diagnostics/json-text.js";
import { netFormat, readNet, type ReadResult } from "../../schema/read.js";
import { readSolver, type SolverReadResult } from "../../schema/read-solver.js";
import { solverProblems } from "../../solver/checks.js";
import { netPathCandidates, trainNetSource, trainState } from "../../solver/net-source.js";
import { solverPlan } from "../../solver/plan.js";
import { emitSolverModule } from "../../solver/python.js";
import { solverJson, solverMarkdown } from "../../solver/report.js";
import { isLrPolicy, isSolverType, solverSettings } from "../../solver/settings.js";
import { makeStyle } from "../color.js";
import { CliError, type CliIo } from "../io-types.js";
import { formatDiagnostics } from "../report.js";

/** Options of `caffe2torch solver`. */
export interface SolverCliOptions {
  net?: string;
  format?: string;
  exact?: boolean;
  output?: string;
}

const FORMATS = ["python", "json", "markdown"] as const;

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

/**
 * Writes the solver as PyTorch (solver.py), JSON or Markdown. Exit 2 when the solver or net does
 * not read, Caffe would refuse the solver, or a layer with parameters cannot be exported.
 */
export function runSolver(file: string, options: SolverCliOptions, io: CliIo): number {
  const format = (options.format ?? "python").toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format)) throw new CliError(`--format must be python, json or markdown (got "${options.format}")`);
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
    return 2;
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
    return 2;
  }
  const state = trainState(read.solver, net.read.net);
  const outcome = buildTorchGraph(net.read, { phase: state.phase, source: net.name, exact: options.exact ?? false, stages: state.stages, ...(state.level !== undefined ? { level: state.level } : {}) });
  const graphErrors = outcome.diagnostics.filter((d) => d.severity === "error" && !net.read.diagnostics.includes(d));
  if (graphErrors.length > 0) {
    io.stderr(formatDiagnostics(net.name, net.read.lines, graphErrors, style));
    return 2;
  }
  // Loss layers hold no blobs: the groups are complete without them (Net.loss needs them, see the notes).
  const blocking = outcome.graph.unsupported.filter((u) => !u.type.endsWith("Loss"));
  if (blocking.length > 0) {
    const lines = blocking.map((u) => `${net.name}:${u.line}:${u.column}: ${style.error("error")} layer "${u.layer}" (${u.type}) cannot be exported (${u.reason}), so its parameters have no PyTorch name`);
    io.stderr(`${lines.join("\n")}\n`);
    return 2;
  }
  const plan = solverPlan(settings, type, policy, outcome, { solver: name, net: net.name, exact: options.exact ?? false });
  const text = format === "json" ? jsonText(solverJson(plan)) + "\n" : format === "markdown" ? solverMarkdown(plan) : emitSolverModule(plan);
  if (options.output !== undefined) {
    io.checkOutput(options.output);
    if (io.makeDirectory) io.makeDirectory(dirname(options.output));
    io.writeFileAtomic(options.output, text);
    const trained = plan.groups.groups.reduce((n, g) => n + g.params.length, 0);
    io.stderr(`wrote ${options.output} (${plan.type}${plan.exact ? " exact" : ""}, lr_policy ${plan.policy.name}, ${plan.groups.groups.length} groups, ${trained} trained, ${plan.groups.frozen.length} frozen; ${plan.differences.filter((d) => d.status === "differs").length} differences from Caffe${plan.exact ? " reproduced" : ""})\n`);
  } else {
    io.stdout(text);
  }
  return 0;
}

/** Adds `solver` to the program. */
export function registerSolverCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("solver")
    .description("map a Caffe solver.prototxt to PyTorch: parameter groups (lr_mult, decay_mult), optimizer, lr policy, and where they differ")
    .argument("<solver.prototxt>", 'the Caffe solver ("-" reads standard input)')
    .option("--net <net.prototxt>", "the TRAIN net (default: the solver's net or train_net, looked up beside the solver, then from the working directory)")
    .option("-f, --format <format>", "python (solver.py), json or markdown", "python")
    .option("--exact", "optimizer subclasses that reproduce Caffe's update rules exactly (lr-scaled momentum, Adam's epsilon, clipping)")
    .option("-o, --output <file>", "write to FILE instead of standard output")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch export train_val.prototxt --phase train --weights init.caffemodel -o mynet
  $ caffe2torch solver solver.prototxt -o mynet/solver.py            # plain torch.optim mapping
  $ caffe2torch solver solver.prototxt --exact -o mynet/solver.py    # Caffe's update rules exactly
  $ caffe2torch solver solver.prototxt --format json | jq .differences
  $ caffe2torch solver solver.prototxt --net train.prototxt --format markdown

solver.py defines make_optimizer(net), make_scheduler(optimizer), ITER_SIZE, CLIP_GRADIENTS,
MAX_ITER and class Solver: Solver(net).step(batches) runs one Caffe iteration over ITER_SIZE
input tuples (model.INPUTS order) and returns the loss.

Exit codes: 0 written, 2 usage or input error (a solver or net that does not read, a solver
Caffe would refuse, a layer with parameters that cannot be exported).`,
    )
    .action((file: string, opts: SolverCliOptions) => setExit(runSolver(file, opts, io())));
}
