import { join } from "node:path";
import { jsonText } from "../../diagnostics/json-text.js";
import type { Command } from "commander";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { visible } from "../../diagnostics/visible.js";
import { messageOf } from "../../render/messages.js";
import { convertNetDetailed } from "../../convert/convert.js";
import { replayTrace } from "../../numeric/golden.js";
import { readNet } from "../../schema/read.js";
import { formatVerifyText } from "../../verify/format-text.js";
import { formatTraceText, traceMalformed } from "../../verify/format-trace.js";
import { renderLagPlot } from "../../verify/plot.js";
import { describeDims } from "../../verify/shapes.js";
import { DEFAULT_VERIFY_TOLERANCE, planVerification, plotTarget, verifyNet, type VerifyOptions, type VerifyPlan } from "../../verify/verify.js";
import { makeStyle } from "../color.js";
import { keepingTextReads } from "../io-keep.js";
import { CliError, type CliIo } from "../io-types.js";
import { createProgress } from "../progress.js";
import { formatDiagnostics } from "../report.js";
import { collect, INPUT_SHAPE_HELP, inputShapeWarnings, parseInputShapes, throwInputShapeError } from "./input-shape.js";
import { parsePhase, parsePositiveInt, parseSeed, parseTolerance } from "./options.js";
import { attachWeights } from "../../weights/attach.js";
import { verifyWeights, type VerifyWeights } from "../../verify/weights.js";
import { runVerifySolver } from "./verify-solver.js";
import { pageVerification, runVerifyNet, VERIFY_NET_HELP, type VerifyNetCliOptions } from "./verify-net.js";
import { runReport } from "./report.js";
import type { NetVerification } from "../../verify/net-types.js";

/** Options of `caffe2torch verify`, as commander passes them (strings until parsed). */
export interface VerifyCliOptions {
  trace?: string;
  phase?: string;
  steps?: string;
  batch?: string;
  seed?: string;
  tolerance?: string;
  exact?: boolean;
  strict?: boolean;
  json?: boolean;
  plot?: string;
  /** `--input-shape`, repeatable (commander collects an array). */
  inputShape?: string | string[];
  weights?: string;
  quiet?: boolean;
  /** `--solver SOLVER.prototxt`: verify a solver's update rules instead (verify-solver.ts). */
  solver?: string;
  iterations?: string;
}

/** `verify --net` and its own options (src/cli/commands/verify-net.ts). */
type VerifyAllOptions = VerifyCliOptions & VerifyNetCliOptions & { net?: boolean };

/** `verify --net`, and with `--html FILE` the `report` page of the net coloured by its result. */
function runVerifyNetAndPage(file: string | undefined, options: VerifyAllOptions, given: CliIo): number {
  const io = options.html !== undefined ? keepingTextReads(given) : given;
  let shown: NetVerification | undefined;
  const code = runVerifyNet(file, options, io, { onResults: (v) => (shown = pageVerification(v)) });
  if (options.html !== undefined && shown) {
    const netFile = file ?? join(options.record!, "net.prototxt");
    runReport(netFile, { weights: options.weights, phase: options.phase, inputShape: options.inputShape, quiet: options.quiet, output: options.html, verificationData: shown }, io);
  }
  return code;
}

/** The defaults: 10 training steps show the lag plainly (0.999¹⁰ ≈ 0.99 of the initial value remains). */
const DEFAULT_STEPS = 10;
/** Batch 2: the smallest with two values per channel even for rank-2 inputs, and fast on big nets. */
const DEFAULT_BATCH = 2;



function unknownShapes(plan: VerifyPlan, given: boolean): string {
  const names = plan.unknown.map((p) => {
    const dims = p.shape.kind === "unknown" ? p.shape.dims : null;
    const channels = p.block.torch.num_features;
    const fromWeights = channels !== null && dims?.[1] == null ? ` (${channels} channels from the weights)` : "";
    return `  ${visible(p.block.batchnorm)} ${describeDims(dims)}${fromWeights}`;
  });
  const count = plan.unknown.length;
  const hint = given
    ? "a layer without a shape rule sits upstream; give the shape of the blob it writes with --input-shape BLOB=N,C,H,W"
    : "give the net's input shape with --input-shape N,C,H,W (or BLOB=N,C,H,W)";
  return `cannot verify ${count} block${count === 1 ? "" : "s"} whose input shape is unknown; ${hint}:\n${names.join("\n")}`;
}

function runTrace(file: string, options: VerifyCliOptions, io: CliIo): number {
  const tolerance = parseTolerance(options.tolerance, DEFAULT_VERIFY_TOLERANCE);
  const text = io.readFile(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const report = replayTrace(json, { tolerance });
  if (options.json) io.stdout(`${jsonText(report)}\n`);
  else io.stdout(formatTraceText(file, report, makeStyle(io.color.stdout)));
  if (traceMalformed(report)) {
    const where = report.error ?? report.cases.find((c) => c.error !== undefined)?.error;
    io.stderr(`caffe2torch: ${file}: malformed trace${where ? ` at ${where.path} (expected ${where.expected})` : ""}\n`);
    return 2;
  }
  return report.ok ? 0 : 1;
}

/**
 * `caffe2torch verify`: with a prototxt, runs every block under Caffe's semantics and under the
 * emitted PyTorch configuration (see src/verify); with `--trace`, replays a golden-format trace.
 * Exit 0 when everything claimed equivalent agrees in at least one verified block, 1 when something
 * disagrees or nothing was verified (no block, or every block skipped), 2 for usage errors,
 * unreadable input and unknown shapes.
 *
 * @param now a millisecond clock for the progress bar (default `performance.now`).
 */
export function runVerify(file: string | undefined, options: VerifyAllOptions, io: CliIo, now: () => number = () => performance.now()): number {
  if (options.solver !== undefined) {
    if (options.trace !== undefined || options.weights !== undefined) throw new CliError("--solver takes neither --trace nor --weights (it runs seeded gradients)");
    // The positional NET.prototxt, when given, replaces the solver's own net (as `solver --net`).
    return runVerifySolver(options.solver, file, options, io);
  }
  if (options.iterations !== undefined) throw new CliError("--iterations needs --solver SOLVER.prototxt");
  if (options.net || options.record !== undefined) return runVerifyNetAndPage(file, options, io);
  if (options.html !== undefined) throw new CliError("--html needs --net (the page shows a whole-net verification)");
  if (options.trace !== undefined) {
    if (file !== undefined) throw new CliError("give either NET.prototxt or --trace TRACE.json, not both");
    if (options.weights !== undefined) throw new CliError("--weights needs NET.prototxt (a trace carries its own statistics)");
    return runTrace(options.trace, options, io);
  }
  if (file === undefined) throw new CliError("missing NET.prototxt (or --trace TRACE.json)");
  const phase = parsePhase(options.phase ?? "test");
  const inputShapes = parseInputShapes(options.inputShape);
  const given = inputShapes.length > 0;
  // --batch sets every block's batch; without it a given input shape's batch is propagated as the
  // rest of its dims are, and the default only fills a batch nothing gives.
  const verifyOptions: VerifyOptions = {
    phase,
    steps: options.steps === undefined ? DEFAULT_STEPS : parsePositiveInt("--steps", options.steps),
    batch: options.batch === undefined ? inputShapes[0]?.dims[0] ?? DEFAULT_BATCH : parsePositiveInt("--batch", options.batch),
    keepBatch: given && options.batch === undefined,
    shapeSource: given ? "input-shape" : "inferred",
    seed: parseSeed(options.seed),
    tolerance: parseTolerance(options.tolerance, DEFAULT_VERIFY_TOLERANCE),
    configuration: options.exact ? "exact" : "plain",
    strict: options.strict ?? false,
  };
  const text = io.readFile(file);
  const name = file === "-" ? "<stdin>" : file;
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const errStyle = makeStyle(io.color.stderr);
  if (hasErrors(read.diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, read.diagnostics.filter((d) => d.severity === "error"), errStyle));
    return 2;
  }
  const outcome = convertNetDetailed(read, { phase, source: name, exact: options.exact ?? false, messageOf, inputShapes });
  throwInputShapeError(outcome.diagnostics);
  const warnings = inputShapeWarnings(outcome.diagnostics);
  if (warnings.length > 0) io.stderr(formatDiagnostics(name, read.lines, warnings, errStyle));
  if (hasErrors(outcome.diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, outcome.diagnostics.filter((d) => d.severity === "error"), errStyle));
    return 2;
  }
  let result = outcome.result;
  let weights: VerifyWeights | null = null;
  if (options.weights !== undefined) {
    const bytes = io.readBytes(options.weights);
    // exact: the state then also holds caffe_scale_factor, which the --exact modules (run beside the
    // plain ones for blocks that train) load; plain modules ignore it.
    const attached = attachWeights(outcome, read, bytes, { source: options.weights, exact: true, messageOf });
    const errors = attached.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      // As convert --weights: layer errors point into the prototxt; faults of the caffemodel carry a byte offset.
      io.stderr(formatDiagnostics(name, read.lines, errors.filter((d) => d.range), errStyle));
      io.stderr(formatDiagnostics(options.weights, read.lines, errors.filter((d) => !d.range), errStyle));
      return 2;
    }
    result = attached.result;
    weights = verifyWeights(attached, bytes);
  }
  const plan = planVerification(result, outcome.analysis.model, { ...verifyOptions, weights });
  if (plan.unknown.length > 0) throw new CliError(unknownShapes(plan, given));
  if (options.plot !== undefined) io.checkOutput(options.plot);
  const plotBlock = options.plot === undefined ? null : plotTarget(plan);
  if (options.plot !== undefined && plotBlock === null) {
    throw new CliError(`--plot needs a block that trains its running statistics; none of the ${result.blocks.length} blocks does in the ${phase} phase (try --phase train)`);
  }

  const progress = options.quiet ? { update: () => undefined, finish: () => undefined } : createProgress(io, { now });
  let run: ReturnType<typeof verifyNet>;
  try {
    run = verifyNet(result, plan, { ...verifyOptions, weights }, { onProgress: (done, total, block) => progress.update(done, total, block), plotBlock });
  } finally {
    progress.finish();
  }
  const { report, series } = run;
  if (options.plot !== undefined && series !== null) {
    io.writeFileAtomic(options.plot, renderLagPlot(series, { source: name, net: result.net, batch: verifyOptions.batch, seed: verifyOptions.seed, tolerance: verifyOptions.tolerance }));
    if (!options.quiet) io.stderr(`caffe2torch: wrote ${visible(options.plot)} (block ${visible(series.block)}, channel ${series.channel})\n`);
  }
  if (options.json) io.stdout(`${jsonText(report)}\n`);
  else io.stdout(formatVerifyText(report, makeStyle(io.color.stdout)));
  return report.ok ? 0 : 1;
}

/** Adds `verify` to the program. */
export function registerVerifyCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("verify")
    .description("run each BatchNorm block under Caffe's semantics and under the emitted PyTorch configuration, and compare")
    .argument("[net.prototxt]", 'the Caffe net definition ("-" reads standard input)')
    .option("--trace <trace.json>", "replay a recorded trace instead: bn_cases.json's format (e.g. from tools/record_caffe_trace.py) or a trained net's trace.json")
    .option("--phase <phase>", "the phase the net is run in: test or train", "test")
    .option("--steps <k>", `training forwards before the evaluation (default ${DEFAULT_STEPS})`)
    .option("--batch <n>", `batch size of the generated inputs, for every block (default: the batch --input-shape gives, else ${DEFAULT_BATCH})`)
    .option("--seed <s>", "seed of the generated inputs, gamma/beta and statistics (default 0)")
    .option("--tolerance <t>", `scaled tolerance |a − b| / max(1, |ref|) (default ${DEFAULT_VERIFY_TOLERANCE})`)
    .option("--exact", "verify the --exact modules (momentum 1/s) instead of plain nn.BatchNorm*d")
    .option("--strict", "fail on the plain mapping's lag and on blocks that cannot be verified")
    .option("--json", "print the report as JSON")
    .option("--plot <file.svg>", "draw one channel's running statistics per step (Caffe, plain, --exact) and their gap")
    .option("--input-shape <dims>", INPUT_SHAPE_HELP, collect)
    .option("--weights <model.caffemodel>", "start from a trained caffemodel: Caffe from its blobs, PyTorch from the converted state; blocks that train continue from there")
    .option("-q, --quiet", "no progress bar and no line naming the --plot file written")
    .option("--solver <solver.prototxt>", "verify a solver instead: Caffe's update rules against the emitted solver.py (plain and --exact) on seeded gradients, per iteration; NET.prototxt, if given, replaces the solver's net")
    .option("--iterations <n>", "with --solver: iterations to run (default: 30, or 10 past the first lr change, at most max_iter)")
    .option("--net", "whole-net verification: every layer's tops, Caffe executor against the emitted PyTorch model (see below)")
    .option("--input <file>", "--net: the input blobs (.safetensors, one tensor per blob; .npy for a net with one input) instead of seeded ones")
    .option("--torch", "--net: also run the emitted model.py in real PyTorch ($PYTHON, else /usr/bin/python3)")
    .option("--record <dir>", "--net: replay a pycaffe recording (record.json + record.safetensors, from tools/record_caffe_net.py)")
    .option("--html <report.html>", "--net: also write the net's report page (see `caffe2torch report`), each layer coloured by this verification")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch verify ResNet-50-deploy.prototxt                     # TEST: loaded statistics agree
  $ caffe2torch verify train_val.prototxt --phase train               # the plain momentum mapping's lag
  $ caffe2torch verify train_val.prototxt --phase train --exact --steps 3000 --plot lag.svg
  $ caffe2torch verify net.prototxt --input-shape 2,3,32,32           # a Data layer: give the shape
  $ caffe2torch verify rcnn.prototxt --input-shape data=1,3,224,224 --input-shape im_info=1,3
  $ caffe2torch verify deploy.prototxt --weights trained.caffemodel   # the trained statistics
  $ caffe2torch verify deploy.prototxt --weights trained.caffemodel --phase train --exact
  $ caffe2torch verify --trace my_trace.json --json                   # replay a pycaffe recording
  $ caffe2torch verify --trace trained_small/trace.json               # a trained net's BatchNorm blocks
  $ caffe2torch verify --solver solver.prototxt                       # momentum at an lr change, per iteration
  $ caffe2torch verify --solver solver.prototxt train.prototxt --iterations 200 --plot drift.svg
  $ caffe2torch verify --solver resnet_solver.prototxt --input-shape 32,3,224,224   # a Data layer: give the shape

Per block: K training forwards in the phase's mode (none for TEST blocks that only read their
statistics), then one evaluation forward, on seeded inputs. Caffe's blobs start fresh for blocks that
train, and from seeded statistics (scale factor s ≠ 1, loaded into PyTorch as sum/s) for blocks that
use stored statistics. With --weights every block starts from the caffemodel instead: Caffe from its
BatchNorm and Scale/Bias blobs, PyTorch from the converted state (what convert --weights writes), and
blocks that train continue from those statistics. Errors are |torch − caffe| / max(1, |caffe|).

--input-shape sets the shape of the net's input blob (replacing what its data layer declares) and
every block's shape is inferred from it. The batch is --batch when given, else the one --input-shape
gives, else ${DEFAULT_BATCH}.

Exit codes: 0 every configuration claimed equivalent agrees (a lag of the plain mapping is reported,
not a failure, unless --strict), 1 a disagreement, or nothing verified (no BatchNorm active in the
phase, or every block skipped: fork layers), 2 usage error, unreadable input, unknown shapes, or
weights that do not fit the net (a missing layer, a blob of the wrong shape).

With --solver: Caffe's SGDSolver update (clipping, iter_size, L1/L2, the solver's rule, the lr
policy in Caffe's float/double operations) and the solver.py \`caffe2torch solver\` emits, plain and
--exact, run on the same seeded gradients for every parameter group; the table gives per iteration
the lr and each side's max |θ − θ_caffe| / max(1, max |θ_caffe|) with float32's bound. Exit 1 when a
mapping claimed to reproduce Caffe disagrees beyond that bound: --exact always, the plain mapping
when \`solver\` reports no difference for this solver (its drift where it does is the finding shown,
not a failure); with --exact only --exact is judged.

${VERIFY_NET_HELP}`,
    )
    .action((file: string | undefined, opts: VerifyAllOptions) => setExit(runVerify(file, opts, io())));
}
