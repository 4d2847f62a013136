import { dirname } from "node:path";
import type { Command } from "commander";
import { jsonText } from "../../diagnostics/json-text.js";
import { emitSolverModule } from "../../solver/python.js";
import { solverJson, solverMarkdown } from "../../solver/report.js";
import { CliError, type CliIo } from "../io-types.js";
import { readSolverPlan } from "./solver-plan.js";

/** Options of `caffe2torch solver`. */
export interface SolverCliOptions {
  net?: string;
  format?: string;
  exact?: boolean;
  output?: string;
}

const FORMATS = ["python", "json", "markdown"] as const;

/**
 * Writes the solver as PyTorch (solver.py), JSON or Markdown. Exit 2 when the solver or net does
 * not read, Caffe would refuse the solver, or a layer with parameters cannot be exported.
 */
export function runSolver(file: string, options: SolverCliOptions, io: CliIo): number {
  const format = (options.format ?? "python").toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format)) throw new CliError(`--format must be python, json or markdown (got "${options.format}")`);
  const read = readSolverPlan(file, { net: options.net, exact: options.exact ?? false }, io);
  if ("exit" in read) return read.exit;
  const plan = read.plan;
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
