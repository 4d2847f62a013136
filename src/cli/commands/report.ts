import { readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { Command } from "commander";
import { buildTorchGraph } from "../../convert/graph.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { visible } from "../../diagnostics/visible.js";
import { lintText } from "../../lint/run.js";
import { buildReportData } from "../../report/build.js";
import { lagPlots } from "../../report/lag-plots.js";
import { renderReportPage } from "../../report/page.js";
import { readNet } from "../../schema/read.js";
import type { NetVerification } from "../../verify/net-types.js";
import { exportState } from "../../weights/export-state.js";
import { weightsMessage } from "../../weights/messages.js";
import { messageOf } from "../../render/messages.js";
import { makeStyle } from "../color.js";
import { keepingTextReads } from "../io-keep.js";
import { CliError, type CliIo } from "../io-types.js";
import { formatDiagnostics } from "../report.js";
import { collect, INPUT_SHAPE_HELP, inputShapeWarnings, parseInputShapes, throwInputShapeError } from "./input-shape.js";
import { parsePhase } from "./options.js";
import { solverOfReport } from "./report-solver.js";
import { pageVerification, runVerifyNet } from "./verify-net.js";

const VERSION = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Options of `caffe2torch report`. */
export interface ReportCliOptions {
  weights?: string;
  phase?: string;
  solver?: string;
  output?: string;
  /** A `verify --net --json` result to colour the layers with (a file). */
  verification?: string;
  /**
   * The same, already in memory (not a command-line option): for `verify --net … --html FILE`,
   * which runs the verification and then writes this page with it.
   */
  verificationData?: NetVerification;
  /** `--verify`: run the whole-net verification (`verify --net`, our two executors) for the page. */
  verify?: boolean;
  inputShape?: string | string[];
  exact?: boolean;
  quiet?: boolean;
}

/** The page's default path: the prototxt's base name beside it, `.report.html`. */
export function defaultReportPath(file: string): string {
  if (file === "-") return "report.html";
  return join(dirname(file), `${basename(file, extname(file))}.report.html`);
}

/** Reads a `verify --net --json` result; a file that is not one is a usage error. */
function readVerification(io: CliIo, file: string): NetVerification {
  let json: unknown;
  try {
    json = JSON.parse(io.readFile(file));
  } catch (error) {
    throw new CliError(`${visible(file)}: not JSON: ${(error as Error).message}`);
  }
  const v = json as Partial<NetVerification> | null;
  if (!v || typeof v !== "object" || !Array.isArray(v.layers) || (v.phase !== "TEST" && v.phase !== "TRAIN") || typeof v.tolerance !== "number") {
    throw new CliError(`${visible(file)}: not a verify --net --json result (needs phase, tolerance and layers)`);
  }
  for (const l of v.layers) {
    if (!l || typeof l.name !== "string" || !["ok", "diverged", "unchecked"].includes(l.status)) throw new CliError(`${visible(file)}: a layer without a name or a status ok|diverged|unchecked`);
  }
  return v as NetVerification;
}

/**
 * `report --verify`: the comparisons of `verify --net` (seeded inputs; the caffemodel or seeded
 * weights), the one the page shows; a net verify cannot run exits 2 with verify's reason.
 */
function verifyForPage(file: string, options: ReportCliOptions, io: CliIo): NetVerification | null {
  let shown: NetVerification | null = null;
  const netOptions = { weights: options.weights, phase: options.phase, inputShape: options.inputShape, quiet: true };
  const code = runVerifyNet(file, netOptions, { ...io, stdout: () => undefined }, { onResults: (v) => (shown = pageVerification(v)) });
  if (shown === null) throw new CliError(`--verify: the whole-net verification did not run (exit ${code}); run \`caffe2torch verify ${visible(file)} --net\` to see why`);
  return shown;
}

/**
 * Writes one self-contained HTML page for a net: the graph in PyTorch terms, per-layer details,
 * BatchNorm mappings (and lag plots in TRAIN), lint findings, the solver with --solver, and the
 * verification with --verification. Exit 0 when written (1 when the verification diverges), 2 for
 * unreadable input.
 */
export function runReport(file: string, options: ReportCliOptions, given: CliIo): number {
  const io = options.verify ? keepingTextReads(given) : given;
  const phase = parsePhase(options.phase ?? "test");
  const inputShapes = parseInputShapes(options.inputShape);
  const name = file === "-" ? "<stdin>" : file;
  const output = options.output ?? defaultReportPath(file);
  const text = io.readFile(file);
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const style = makeStyle(io.color.stderr);
  if (hasErrors(read.diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, read.diagnostics.filter((d) => d.severity === "error"), style));
    return 2;
  }
  // Stubs: a layer no converter handles is still drawn (marked not exported) rather than refused.
  const outcome = buildTorchGraph(read, { phase, source: name, exact: options.exact ?? false, inputShapes, stubs: true });
  throwInputShapeError(outcome.diagnostics);
  const warnings = inputShapeWarnings(outcome.diagnostics);
  if (warnings.length > 0 && !options.quiet) io.stderr(formatDiagnostics(name, read.lines, warnings, style));
  if (hasErrors(outcome.diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, outcome.diagnostics.filter((d) => d.severity === "error"), style));
    return 2;
  }
  if (options.weights !== undefined) {
    // As export --weights: every blob must fit its layer, or the page would describe another model.
    const state = exportState(outcome.graph, io.readBytes(options.weights));
    const errors = state.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      io.stderr(errors.map((d) => `${visible(options.weights!)}: ${style.error("error")}: ${visible(weightsMessage(d.code, d.data as never) ?? messageOf(d))}\n`).join(""));
      return 2;
    }
  }
  if (options.verify && (options.verification !== undefined || options.verificationData !== undefined)) throw new CliError("give either --verify or --verification, not both");
  const verification = options.verify
    ? verifyForPage(file, options, io)
    : options.verificationData ?? (options.verification === undefined ? null : readVerification(io, options.verification));
  if (verification !== null && verification.phase !== phase) {
    throw new CliError(`--verification is of the ${verification.phase} phase, the report of ${phase} (give --phase ${verification.phase.toLowerCase()})`);
  }
  let solver = null;
  if (options.solver !== undefined) {
    const s = solverOfReport(io, options.solver, read, name, { exact: options.exact ?? false, inputShapes });
    if (s.solver === null) {
      io.stderr(formatDiagnostics(options.solver, s.lines, s.errors, style));
      return 2;
    }
    solver = s.solver;
  }
  io.checkOutput(output);
  const findings = lintText(text, { phase: phase === "TRAIN" ? "train" : "test", file: file === "-" ? null : file, cwd: io.cwd }).findings;
  const data = buildReportData({
    read,
    outcome,
    findings,
    verification,
    solver,
    lagPlots: lagPlots(outcome.convert.result, outcome.convert.analysis.model, phase, name),
    generator: `caffe2torch ${VERSION}`,
    weights: options.weights ?? null,
  });
  const page = renderReportPage(data);
  io.writeFileAtomic(output, page);
  if (!options.quiet) {
    const nodes = data.graph.nodes.filter((n) => n.layers.length > 0).length;
    const diverged = data.first_divergent === null ? "" : `; first divergent layer ${visible(data.first_divergent)}`;
    io.stderr(`wrote ${visible(output)} (${data.graph.layers.length} layers in ${nodes} nodes, ${Math.ceil(page.length / 1024)} KiB${diverged})\n`);
  }
  return data.ok === false ? 1 : 0;
}

/** Adds `report` to the program. */
export function registerReportCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("report")
    .description("write one self-contained HTML page for a net: its graph, what each layer became in PyTorch, and the evidence")
    .argument("<net.prototxt>", 'the Caffe net definition ("-" reads standard input)')
    .option("--weights <model.caffemodel>", "check the trained weights fit every layer (as export --weights does)")
    .option("--phase <phase>", "the phase the net is drawn in: test or train (train adds the BatchNorm lag plots)", "test")
    .option("--solver <solver.prototxt>", "add the solver's parameter groups and its learning-rate curve (for this net)")
    .option("--verify", "run the whole-net verification (verify --net: Caffe's arithmetic against the emitted model's, layer by layer) and colour the layers with it")
    .option("--verification <verify.json>", "colour the layers with a saved `verify --net --json` result instead")
    .option("--input-shape <[blob=]dims>", INPUT_SHAPE_HELP, collect)
    .option("--exact", "describe the --exact BatchNorm modules (momentum 1/s) instead of plain nn.BatchNorm*d")
    .option("-o, --output <report.html>", "where to write the page (default: NET.report.html beside the prototxt)")
    .option("-q, --quiet", "no line naming the file written")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch report ResNet-50-deploy.prototxt                       # ResNet-50-deploy.report.html
  $ caffe2torch report train_val.prototxt --phase train --solver solver.prototxt -o train.html
  $ caffe2torch report deploy.prototxt --weights trained.caffemodel --verify
  $ caffe2torch verify deploy.prototxt --net --torch --html report.html  # the same page from verify

The page is one HTML file that works offline: script, style and data inline, and a
Content-Security-Policy that lets it make no request. Open it from disk in any browser.

What it shows:
  the graph     layers as boxes, blobs as arrows, laid out with dagre; a layer working in place
                on its bottom (ReLU, BatchNorm, Scale) sits in the box of the layer before it;
                net inputs and outputs are marked; only the layers active in --phase are drawn
  a layer       click it (or walk with j/k, follow the blobs with ↓/↑): Caffe type and text,
                the PyTorch module or expression it became, the helper it needs and why (a Caffe
                behaviour torch has no module for), shapes in and out, parameters with their
                state_dict keys, lint findings, and for BatchNorm blocks the mapping (momentum,
                affine, frozen, mode) with the plain mapping's lag plot in TRAIN
  verification  with --verify or --verification: each layer coloured by its scaled error against the
                tolerance, the first divergent layer outlined and selected when the page opens,
                a chart of every layer's error
  solver        with --solver: the parameter groups (lr_mult, decay_mult) and Caffe's rate curve
Search with /, zoom with the wheel or + and -, f fits; the Light/Dark button switches scheme.

For tools: every layer is an element with data-layer="<Caffe layer name>" and
data-status="ok|diverged|unchecked", and the page embeds its data as
<script type="application/json" id="caffe2torch-report"> (the verify --net JSON plus the graph).

Exit codes: 0 written, 1 written and the verification diverges, 2 usage error or unreadable input
(a prototxt that does not parse, weights that do not fit, a solver Caffe would refuse).`,
    )
    .action((file: string, opts: ReportCliOptions) => setExit(runReport(file, opts, io())));
}
