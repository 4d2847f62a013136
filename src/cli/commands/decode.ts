import type { Command } from "commander";
import { messageOf } from "../../render/messages.js";
import { decodeMessage } from "../../schema/decode.js";
import { loadCaffeSchema } from "../../schema/load.js";
import { printMessage } from "../../schema/print.js";
import { visible } from "../../diagnostics/visible.js";
import type { CliIo } from "../io-types.js";
import { MAX_PRINTED_DIAGNOSTICS, omittedSummary, selectShown } from "../report.js";

/** Options of `caffe2torch decode`. */
export interface DecodeOptions {
  full?: boolean;
  output?: string;
  type?: string;
  quiet?: boolean;
}

/**
 * Binary caffe.NetParameter (.caffemodel) or caffe.BlobProto (.binaryproto) → text format.
 * Blob data is summarised as shapes unless --full; `encode` of --full output gives back the
 * same bytes. Malformed input exits 2 with the byte offset, and no output file is written.
 */
export function runDecode(file: string, options: DecodeOptions, io: CliIo): number {
  const bytes = io.readBytes(file);
  const schema = loadCaffeSchema();
  const typeName = options.type ?? (/\.binaryproto$/i.test(file) ? "caffe.BlobProto" : "caffe.NetParameter");
  const info = schema.messages.get(typeName.startsWith("caffe.") ? typeName : `caffe.${typeName}`);
  if (!info) {
    io.stderr(`caffe2torch: unknown message type "${typeName}" (try caffe.NetParameter or caffe.BlobProto)\n`);
    return 2;
  }
  const { message, diagnostics } = decodeMessage(info, bytes);
  const name = file === "-" ? "<stdin>" : file;
  const errors = (diagnostics ?? []).filter((d) => d.severity === "error");
  // The ranges of binary diagnostics are byte ranges, not text: printed as offsets, not line:col.
  const shown = selectShown(diagnostics, MAX_PRINTED_DIAGNOSTICS);
  for (const d of shown) {
    const at = d.data["offset"] !== undefined ? ` offset ${String(d.data["offset"])}:` : "";
    io.stderr(`${name}:${at} ${d.severity}: ${messageOf(d)} [${d.code}]\n`);
  }
  if (shown.length < diagnostics.length) io.stderr(`${name}: ${omittedSummary(diagnostics, shown)}\n`);
  if (errors.length) return 2;
  const chunks = printMessage(info, message, { full: options.full ?? false });
  if (options.output) {
    io.writeFileAtomic(options.output, chunks);
    if (!options.quiet) io.stderr(`caffe2torch: wrote ${visible(options.output)} (${typeName.replace(/^(caffe\.)?/, "caffe.")} as text${options.full ? ", every value" : ", blob data as shapes"})\n`);
  } else for (const chunk of chunks) io.stdout(chunk);
  return 0;
}

/** Adds `decode` to the program. */
export function registerDecodeCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("decode")
    .description("print a binary .caffemodel / .binaryproto as text format")
    .argument("<file>", 'the binary file ("-" reads standard input)')
    .option("--full", "print every blob value (output re-encodes to the same bytes); default: shapes only")
    .option("-o, --output <file>", "write the text to FILE (atomically) instead of standard output")
    .option("--type <message>", "message type to decode as (default: caffe.NetParameter; .binaryproto: caffe.BlobProto)")
    .option("-q, --quiet", "do not print the line naming what -o wrote")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch decode ResNet-50-model.caffemodel | less          # layers with blob shapes
  $ caffe2torch decode --full model.caffemodel -o model.txt       # every value; encode gives the same bytes
  $ caffe2torch decode mean.binaryproto

Exit codes: 0 printed, 2 unreadable or malformed input.`,
    )
    .action((file: string, opts: DecodeOptions) => setExit(runDecode(file, opts, io())));
}
