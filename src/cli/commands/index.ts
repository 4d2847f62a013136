import type { Command } from "commander";
import type { CliIo } from "../io-types.js";

/** Registers one subcommand on the program. */
export type RegisterCommand = (program: Command, io: () => CliIo, setExit: (code: number) => void) => void;

/**
 * One subcommand: the name it is invoked by, and how to load its registration. Loading is
 * deferred so that a run of one command does not load the others' modules (all of them
 * together take longer to load than `encode` of a large net takes to run).
 */
export interface CommandEntry {
  name: string;
  load: () => Promise<RegisterCommand>;
}

/** Every subcommand, in --help order: an explicit list, no registration by side effect. */
export const COMMANDS: CommandEntry[] = [
  { name: "export", load: async () => (await import("./export.js")).registerExportCommand },
  { name: "convert", load: async () => (await import("./convert.js")).registerConvertCommand },
  { name: "explain", load: async () => (await import("./explain.js")).registerExplainCommand },
  { name: "solver", load: async () => (await import("./solver.js")).registerSolverCommand },
  { name: "verify", load: async () => (await import("./verify.js")).registerVerifyCommand },
  { name: "report", load: async () => (await import("./report.js")).registerReportCommand },
  { name: "lint", load: async () => (await import("./lint.js")).registerLintCommand },
  { name: "encode", load: async () => (await import("./encode.js")).registerEncodeCommand },
  { name: "decode", load: async () => (await import("./decode.js")).registerDecodeCommand },
  { name: "inspect", load: async () => (await import("./inspect.js")).registerInspectCommand },
];

/** The names must be unique: a second entry of a name would never be loaded. */
const names = new Set(COMMANDS.map((c) => c.name));
if (names.size !== COMMANDS.length) throw new Error("commands/index.ts: duplicate command name");

/**
 * The commands to register for `argv`: only the invoked one when the first argument that is
 * not an option names a command, else all (for --help, `help`, --version, and commander's
 * "unknown command, did you mean" which needs every name). No global option takes a value,
 * so the first non-option argument is the command.
 */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const first = argv.find((a) => !a.startsWith("-"));
  const only = COMMANDS.find((c) => c.name === first);
  return Promise.all((only ? [only] : COMMANDS).map((c) => c.load()));
}
