import type { LintResults } from "../results.js";
import type { RuleMeta } from "../rule.js";

/**
 * Colours for the text formatter; the CLI passes its own style (cli/color.ts, which decides
 * NO_COLOR and --color), tests use {@link plainStyle}.
 */
export interface Style {
  error(s: string): string;
  warning(s: string): string;
  info(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** A style that adds nothing (NO_COLOR, pipes, tests). */
export const plainStyle: Style = {
  error: (s) => s,
  warning: (s) => s,
  info: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
};

/** What a formatter may use besides the results. */
export interface FormatContext {
  style: Style;
  /** Rule metadata by id, for messages, descriptions and docs links. */
  rules: ReadonlyMap<string, RuleMeta>;
  /** The tool version recorded in SARIF. */
  version: string;
}

/** A pure function from results to the text written to stdout. */
export type Formatter = (results: LintResults, context: FormatContext) => string;
