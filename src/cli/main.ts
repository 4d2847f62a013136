import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { commandsFor } from "./commands/index.js";
import { CliError, type CliIo } from "./io-types.js";
import { processIo } from "./io.js";

const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Global options shared by every command. */
interface GlobalOptions {
  color?: boolean;
  debug?: boolean;
}

/** Ends the process once the CLI is done (see io.ts): the bin calls it with main's exit code. */
export { exitProcess } from "./io.js";

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code:
 * 0 clean, 1 findings or mismatch, 2 usage or input error. Never throws for bad input.
 */
export async function main(argv: string[], ioFactory: (color?: boolean) => CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command();
  let io: CliIo | undefined;
  const getIo = (): CliIo => (io ??= ioFactory((program.opts() as GlobalOptions).color));
  program
    .name("caffe2torch")
    .description(
      "Read Caffe model definitions exactly, say which PyTorch BatchNorm configuration is equivalent, and lint nets in CI.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .option("--color", "force coloured output")
    .option("--no-color", "disable coloured output (NO_COLOR is honoured too)")
    .option("--debug", "show stack traces for internal errors")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => getIo().stdout(s),
      writeErr: (s) => getIo().stderr(s),
    })
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch convert ResNet-50-deploy.prototxt              # JSON: the PyTorch config of every BatchNorm
  $ caffe2torch explain ResNet-50-deploy.prototxt              # the same, in plain words
  $ caffe2torch convert deploy.prototxt --weights model.caffemodel --format python -o model.py
  $ caffe2torch verify train_val.prototxt --phase train --exact    # prove it numerically
  $ caffe2torch lint 'models/**/*.prototxt' --format sarif     # CI
  $ caffe2torch encode deploy.prototxt -o deploy.pb           # the same bytes as protoc --encode

Exit codes: 0 clean, 1 findings or mismatch, 2 usage or input error.
Run "caffe2torch help <command>" for a command's options.`,
    );
  for (const register of await commandsFor(argv)) register(program, getIo, setExit);

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every usage error is 2 (commander's own default is 1).
      return e.exitCode === 0 ? 0 : 2;
    }
    const debug = (program.opts() as GlobalOptions).debug || argv.includes("--debug");
    if (e instanceof CliError) {
      getIo().stderr(`caffe2torch: ${e.message}\n`);
      return e.exitCode;
    }
    getIo().stderr(`caffe2torch: internal error: ${(e as Error).message ?? String(e)}${debug ? "" : " (run with --debug for details)"}\n`);
    if (debug) getIo().stderr(`${(e as Error).stack ?? ""}\n`);
    return 2;
  }
}
