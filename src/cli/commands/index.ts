import type { Command } from "commander";
import type { CliIo } from "../io-types.js";
import { registerConvertCommand } from "./convert.js";
import { registerDecodeCommand } from "./decode.js";
import { registerEncodeCommand } from "./encode.js";
import { registerInspectCommand } from "./inspect.js";
import { registerLintCommand } from "./lint.js";
import { registerExplainCommand } from "./explain.js";

/** Registers one subcommand on the program. */
export type RegisterCommand = (program: Command, io: () => CliIo, setExit: (code: number) => void) => void;

/** Every subcommand, in --help order: an explicit list, no registration by side effect. */
export const COMMANDS: RegisterCommand[] = [registerConvertCommand, registerExplainCommand, registerLintCommand, registerEncodeCommand, registerDecodeCommand, registerInspectCommand];
