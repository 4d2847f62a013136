import { Chalk } from "chalk";
import { plainStyle, type TextStyle } from "../diagnostics/style.js";

/**
 * Whether to colour a stream. chalk looks at FORCE_COLOR and the terminal but ignores NO_COLOR
 * (https://no-color.org), so we decide here: an explicit --color/--no-color wins, then NO_COLOR
 * (any non-empty value), then FORCE_COLOR, then whether the stream is a terminal (a boolean, or a
 * function asked only when the rest does not decide).
 */
export function colorLevel(flag: boolean | undefined, env: Readonly<Record<string, string | undefined>>, isTTY: boolean | (() => boolean)): boolean {
  if (flag !== undefined) return flag;
  if (env["NO_COLOR"]) return false;
  if (env["FORCE_COLOR"] !== undefined) return env["FORCE_COLOR"] !== "0";
  if (env["TERM"] === "dumb") return false;
  // Asked last, and only when it decides: finding out loads node:tty (see io.ts isTerminal).
  return typeof isTTY === "function" ? isTTY() : isTTY;
}

/** The styles formatters use (one definition, in diagnostics/style.ts). */
export type Style = TextStyle;

/**
 * A Style for a stream with colour on or off. Off is the plain style: chalk at level 0 returns
 * its input unchanged too, but a text report calls a style for every finding and code frame line,
 * and a cold process pays for each of those calls.
 */
export function makeStyle(on: boolean): Style {
  if (!on) return plainStyle;
  const c = new Chalk({ level: 1 });
  return {
    error: (s) => c.red(s),
    warning: (s) => c.yellow(s),
    info: (s) => c.blue(s),
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
    good: (s) => c.green(s),
    code: (s) => c.cyan(s),
  };
}
