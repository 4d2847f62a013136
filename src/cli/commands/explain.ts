import type { Command } from "commander";
import { convertNetDetailed } from "../../convert/convert.js";
import { LineIndex } from "../../diagnostics/range.js";
import { renderMessage } from "../../diagnostics/messages.js";
import { explainNet } from "../../explain/explain.js";
import { isSyntaxError } from "../../lint/reader-codes.js";
import { trainingReluMaskOverwrites } from "../../caffe/relu-mask.js";
import type { NetParameter } from "../../schema/caffe-types.js";
import { readNet } from "../../schema/read.js";
import { makeStyle } from "../color.js";
import { CliError, type CliIo } from "../io-types.js";
import { formatDiagnostics } from "../report.js";

/** Options of `caffe2torch explain`. */
export interface ExplainCommandOptions {
  layer?: string;
  phase?: string;
  verbose?: boolean;
}

/** `test`/`train` (any case) → Caffe's phase; anything else is a usage error. */
function parsePhase(value: string | undefined): "TEST" | "TRAIN" {
  const phase = (value ?? "test").toUpperCase();
  if (phase !== "TEST" && phase !== "TRAIN") throw new CliError(`--phase must be test or train, not "${value}"`);
  return phase;
}

/**
 * Explains every BatchNorm block of a net in plain words (stdout). Reads leniently, as Caffe's
 * forks need: unknown fields are summarised, not fatal; a file that does not parse as
 * caffe.NetParameter prints its syntax errors on stderr and exits 2, as does an unknown --layer.
 */
export function runExplain(file: string, options: ExplainCommandOptions, io: CliIo): number {
  const phase = parsePhase(options.phase);
  const text = io.readFile(file);
  const source = file === "-" ? "<stdin>" : file;
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const syntax = read.diagnostics.filter(isSyntaxError);
  if (syntax.length > 0) {
    io.stderr(formatDiagnostics(source, new LineIndex(text), syntax, makeStyle(io.color.stderr)));
    return 2;
  }
  const { result } = convertNetDetailed(read, { phase, source, messageOf: renderMessage });
  // Whatever phase is explained, the ReLU mask matters when the net trains.
  const training = trainingReluMaskOverwrites(read.net as NetParameter);
  const outcome = explainNet(result, {
    reluMaskWriters: new Set(training.found.map((f) => training.model.layers[f.writer]!.name)),
    style: makeStyle(io.color.stdout),
    verbose: options.verbose ?? false,
    ...(options.layer !== undefined ? { layer: options.layer } : {}),
  });
  if (!outcome.ok) {
    io.stderr(`caffe2torch: ${outcome.message}`);
    return 2;
  }
  io.stdout(outcome.text);
  return 0;
}

/** Adds `explain` to the program. */
export function registerExplainCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("explain")
    .description("say in plain words what each BatchNorm block does in Caffe and in PyTorch")
    .argument("<net.prototxt>", 'the text-format net ("-" reads standard input)')
    .option("-l, --layer <name>", "only the block with this BatchNorm, Scale or Bias layer")
    .option("--phase <phase>", "the phase the net runs in: test or train", "test")
    .option("-v, --verbose", "show the formulas, and every block on its own with its settings")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch explain ResNet-50-deploy.prototxt
  $ caffe2torch explain train_val.prototxt --phase train --layer bn_conv1
  $ caffe2torch explain --verbose deploy.prototxt | less -R

Exit codes: 0 explained, 2 unreadable file, syntax error or unknown --layer.`,
    )
    .action((file: string, opts: ExplainCommandOptions) => setExit(runExplain(file, opts, io())));
}
