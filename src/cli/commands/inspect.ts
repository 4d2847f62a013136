import { jsonText } from "../../diagnostics/json-text.js";
import type { Command } from "commander";
import { inspectCaffemodel, formatInspectText } from "../../weights/inspect.js";
import { renderMessage } from "../../diagnostics/messages.js";
import { weightsMessage } from "../../weights/messages.js";
import type { CliIo } from "../io-types.js";

/** Options of `caffe2torch inspect`. */
export interface InspectOptions {
  json?: boolean;
}

/**
 * A trained .caffemodel, per layer: blob shapes and, for BatchNorm, the scale factor and the
 * ranges of the statistics Caffe uses (sums times 1/s). Malformed input exits 2 with the byte
 * offset on standard error and prints nothing on standard output.
 */
export function runInspect(file: string, options: InspectOptions, io: CliIo): number {
  const bytes = io.readBytes(file);
  const name = file === "-" ? "<stdin>" : file;
  const { report, diagnostics } = inspectCaffemodel(bytes, name);
  for (const d of diagnostics) {
    const at = d.data["offset"] !== undefined ? ` offset ${String(d.data["offset"])}:` : "";
    io.stderr(`${name}:${at} ${d.severity}: ${weightsMessage(d.code, d.data) ?? renderMessage(d)} [${d.code}]\n`);
  }
  if (diagnostics.some((d) => d.severity === "error")) return 2;
  io.stdout(options.json ? `${jsonText(report)}\n` : formatInspectText(report));
  return 0;
}

/** Adds `inspect` to the program. */
export function registerInspectCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("inspect")
    .description("list a trained .caffemodel's layers, blob shapes and BatchNorm statistics")
    .argument("<model.caffemodel>", 'the binary caffemodel ("-" reads standard input)')
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch inspect trained.caffemodel          # one line per layer
  $ caffe2torch inspect --json trained.caffemodel   # layers[].blobs[].shape, layers[].batchnorm

For a BatchNorm the scale factor s and the ranges of mean and variance as Caffe uses them at
test time (the stored sums times 1/s) are shown; s = 0 means the layer was never trained.

Exit codes: 0 printed, 2 unreadable or malformed input.`,
    )
    .action((file: string, opts: InspectOptions) => setExit(runInspect(file, opts, io())));
}
