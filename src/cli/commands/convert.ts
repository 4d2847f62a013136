import { resolve } from "node:path";
import type { Command } from "commander";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { messageOf } from "../../render/messages.js";
import { convertNetDetailed } from "../../convert/convert.js";
import { emit, isEmitFormat, type EmitFormat } from "../../emit/index.js";
import { readNet } from "../../schema/read.js";
import { makeStyle } from "../color.js";
import { CliError, type CliIo } from "../io-types.js";
import { formatDiagnostics } from "../report.js";
import { collect, INPUT_SHAPE_HELP, inputShapeWarnings, parseInputShapes, throwInputShapeError } from "./input-shape.js";
import { visible } from "../../diagnostics/visible.js";
import { parsePhase } from "./options.js";
import { attachWeights } from "../../weights/attach.js";
import { weightsFileFor } from "../../weights/paths.js";
import { safetensorsBytes } from "../../weights/safetensors.js";

/** Options of `caffe2torch convert`. */
export interface ConvertCliOptions {
  phase?: string;
  format?: string;
  output?: string;
  exact?: boolean;
  quiet?: boolean;
  weights?: string;
  /** `--input-shape`, repeatable (commander collects an array). */
  inputShape?: string | string[];
}

/**
 * For every BatchNorm active in the phase, the equivalent PyTorch configuration (JSON, a Python
 * module, or Markdown). Reads leniently (fork fields are warnings); a file that does not parse
 * exits 2 and writes nothing.
 */
export function runConvert(file: string, options: ConvertCliOptions, io: CliIo): number {
  const format = options.format ?? "json";
  if (!isEmitFormat(format)) throw new CliError(`--format must be json, python or markdown (got "${format}")`);
  const phase = parsePhase(options.phase ?? "test");
  const inputShapes = parseInputShapes(options.inputShape);
  const text = io.readFile(file);
  const name = file === "-" ? "<stdin>" : file;
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const style = makeStyle(io.color.stderr);
  if (hasErrors(read.diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, read.diagnostics.filter((d) => d.severity === "error"), style));
    return 2;
  }
  const outcome = convertNetDetailed(read, { phase, source: name, exact: options.exact ?? false, messageOf, inputShapes });
  const { diagnostics } = outcome;
  throwInputShapeError(diagnostics);
  if (hasErrors(diagnostics)) {
    // Errors found by the analysis (e.g. a fraction outside [0, 1]) make the conversion wrong.
    io.stderr(formatDiagnostics(name, read.lines, diagnostics.filter((d) => d.severity === "error"), style));
    return 2;
  }
  let result = outcome.result;
  let weightsOut: { path: string; bytes: Uint8Array } | null = null;
  if (options.weights !== undefined) {
    if (format === "python" && !options.output) {
      throw new CliError("--weights with --format python needs -o FILE.py: the weights are written beside it as FILE.safetensors");
    }
    const attached = attachWeights(outcome, read, io.readBytes(options.weights), { source: options.weights, exact: options.exact ?? false, messageOf });
    const errors = attached.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      // Layer errors point into the prototxt; faults of the caffemodel itself carry a byte offset.
      io.stderr(formatDiagnostics(name, read.lines, errors.filter((d) => d.range), style));
      io.stderr(formatDiagnostics(options.weights, read.lines, errors.filter((d) => !d.range), style));
      return 2;
    }
    result = attached.result;
    if (format === "python") {
      const path = weightsFileFor(options.output!);
      if (resolve(path) === resolve(options.output!)) throw new CliError(`${options.output!}: the module and its weights would be the same file; give -o a .py name`);
      weightsOut = { path, bytes: safetensorsBytes(attached.state, attached.metadata) };
    }
  }
  // The output the user typed first: a missing folder is then reported by that name.
  if (options.output) io.checkOutput(options.output);
  if (weightsOut && options.output) io.checkOutput(weightsOut.path, { label: weightsLabel(options.output, weightsOut.path) });
  if (!options.quiet) {
    // A given shape an Input layer declares otherwise is said in full: the user's option caused it.
    const given = inputShapeWarnings(diagnostics);
    if (given.length > 0) io.stderr(formatDiagnostics(name, read.lines, given, style));
    io.stderr(summariseWarnings(name, diagnostics.filter((d) => d.severity === "warning").length - given.length, style.warning));
  }
  const out = emit(format as EmitFormat, result, { exact: options.exact ?? false });
  // The weights first, so the module never sits beside a missing or stale weights file.
  if (weightsOut && options.output) io.writeFileAtomic(weightsOut.path, weightsOut.bytes, { label: weightsLabel(options.output, weightsOut.path) });
  if (options.output) io.writeFileAtomic(options.output, out);
  else io.stdout(out);
  if (options.output && !options.quiet) io.stderr(wroteLine(options.output, weightsOut?.path ?? null, result.blocks.length));
  return 0;
}

/** How a failed write of the weights names them: by the -o the user typed, then the file. */
function weightsLabel(output: string, weights: string): string {
  return `${output} (its weights ${weights})`;
}

/** `caffe2torch: wrote model.py and model.safetensors (53 blocks)`: a write is not silent. */
function wroteLine(output: string, weights: string | null, blocks: number): string {
  const files = weights === null ? visible(output) : `${visible(output)} and ${visible(weights)}`;
  return `caffe2torch: wrote ${files} (${blocks} block${blocks === 1 ? "" : "s"})\n`;
}

/** One line instead of a wall of fork-field warnings (they are all in the JSON's `diagnostics`). */
function summariseWarnings(name: string, count: number, paint: (s: string) => string): string {
  if (count === 0) return "";
  return `${name}: ${paint(`${count} warning${count === 1 ? "" : "s"}`)} while reading (fields from Caffe forks, or layers whose inputs are unknown); see "diagnostics" in the JSON output or run caffe2torch lint\n`;
}

/** Adds `convert` to the program. */
export function registerConvertCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("convert")
    .description("say which PyTorch BatchNorm configuration is equivalent to each Caffe BatchNorm (+Scale/Bias) block")
    .argument("<net.prototxt>", 'the Caffe net definition ("-" reads standard input)')
    .option("--phase <phase>", "the phase the net is run in: test or train", "test")
    .option("--format <format>", "json (default), python (a PyTorch module) or markdown", "json")
    .option("-o, --output <file>", "write to FILE (atomically) instead of standard output")
    .option("--exact", "python: modules that reproduce Caffe's running statistics exactly (keep Caffe's scale factor)")
    .option("--weights <model.caffemodel>", "a trained caffemodel: python writes FILE.safetensors beside -o FILE.py (build() loads it); json and markdown add each block's statistics")
    .option("--input-shape <dims>", INPUT_SHAPE_HELP, collect)
    .option("-q, --quiet", "print nothing on standard error but errors (no warning summary, no line naming what -o wrote)")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch convert ResNet-50-deploy.prototxt                        # JSON, TEST phase
  $ caffe2torch convert train_val.prototxt --phase train --format markdown
  $ caffe2torch convert deploy.prototxt --format python -o bn_modules.py   # build() -> nn.ModuleDict
  $ caffe2torch convert train_val.prototxt --phase train --format python --exact -o bn.py
  $ caffe2torch convert deploy.prototxt --weights trained.caffemodel --format python -o model.py
                                          # also writes model.safetensors, which build() loads
  $ caffe2torch convert train_val.prototxt --input-shape 32,3,224,224   # a Data layer: give the shape

The JSON has one block per BatchNorm in file order: "caffe" (what the prototxt says, with
Caffe's defaults applied), "torch" (module, num_features, eps, momentum, affine,
track_running_stats, requires_grad, mode), "exact" and "notes". Modes: train, frozen
(use_global_stats true while training: keep the module in eval()), eval, batch-stats
(use_global_stats false at test time: track_running_stats=False).

--input-shape sets the shape of the net's input blob (replacing what its data layer declares);
every block's input_shape is inferred from it. A rank a layer cannot take, or a name that is not
an input blob, is a usage error.

Exit codes: 0 converted, 2 usage error or a file that does not parse (nothing is written).`,
    )
    .action((file: string, opts: ConvertCliOptions) => setExit(runConvert(file, opts, io())));
}
