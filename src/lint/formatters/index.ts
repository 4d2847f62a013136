import { formatGithub } from "./github.js";
import { formatJson } from "./json.js";
import { formatSarif } from "./sarif.js";
import { formatText } from "./text.js";
import type { Formatter } from "./types.js";

export type { FormatContext, Formatter, Style } from "./types.js";
export { plainStyle } from "./types.js";

/** The `--format` names. */
export type FormatName = "text" | "json" | "sarif" | "github";

/** Every formatter by `--format` name (explicit; no registration by side effect). */
export const FORMATTERS: ReadonlyMap<FormatName, Formatter> = new Map<FormatName, Formatter>([
  ["text", formatText],
  ["json", formatJson],
  ["sarif", formatSarif],
  ["github", formatGithub],
]);

/** Whether `name` is a known format. */
export function isFormatName(name: string): name is FormatName {
  return FORMATTERS.has(name as FormatName);
}
