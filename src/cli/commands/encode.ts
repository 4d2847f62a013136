import type { Command } from "commander";
import { LineIndex } from "../../diagnostics/range.js";
import { encodeNet } from "../../schema/net-binary.js";
import { makeStyle } from "../color.js";
import { CliError, type CliIo } from "../io-types.js";
import { formatDiagnostics } from "../report.js";
import { visible } from "../../diagnostics/visible.js";

/** Options of `caffe2torch encode`. */
export interface EncodeOptions {
  output?: string;
  allowUnknown?: boolean;
  upgrade?: boolean;
  quiet?: boolean;
}

/**
 * prototxt → caffe.NetParameter bytes, byte-identical to `protoc --encode=caffe.NetParameter`.
 * Strict by default, as protoc is: any error (unknown field or enum value included) exits 2
 * and writes nothing.
 */
export function runEncode(file: string, options: EncodeOptions, io: CliIo): number {
  const { text, codes } = io.readSource?.(file) ?? { text: io.readFile(file) };
  const { bytes, diagnostics } = encodeNet(text, { allowUnknown: options.allowUnknown ?? false, upgrade: options.upgrade ?? false }, codes);
  const shown = options.quiet ? diagnostics.filter((d) => d.severity === "error") : diagnostics;
  io.stderr(formatDiagnostics(file === "-" ? "<stdin>" : file, new LineIndex(text), shown, makeStyle(io.color.stderr)));
  if (!bytes) return 2;
  if (options.output) {
    io.writeFileAtomic(options.output, bytes);
    if (!options.quiet) io.stderr(`caffe2torch: wrote ${visible(options.output)} (${bytes.length} byte${bytes.length === 1 ? "" : "s"} of caffe.NetParameter)\n`);
  } else if (io.isTTY.stdout) throw new CliError("refusing to write binary data to a terminal; use -o FILE or a pipe");
  else io.stdout(bytes);
  return 0;
}

/** Adds `encode` to the program. */
export function registerEncodeCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("encode")
    .description("encode a .prototxt as binary caffe.NetParameter (byte-identical to protoc --encode)")
    .argument("<net.prototxt>", 'the text-format net ("-" reads standard input)')
    .option("-o, --output <file>", "write the bytes to FILE (atomically) instead of standard output")
    .option("--allow-unknown", "keep going past fields and enum values Caffe's schema lacks (fork fields): warn and drop them")
    .option("--upgrade", "convert legacy V0/V1 layers to the current `layer` form first, as Caffe's upgrade does")
    .option("-q, --quiet", "print errors only (no warnings, no line naming what -o wrote)")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch encode deploy.prototxt -o deploy.pb
  $ caffe2torch encode --allow-unknown pspnet.prototxt -o pspnet.pb   # drop fork fields, with warnings
  $ cat net.prototxt | caffe2torch encode - > net.pb

Exit codes: 0 written, 2 input error (nothing is written).`,
    )
    .action((file: string, opts: EncodeOptions) => setExit(runEncode(file, opts, io())));
}
