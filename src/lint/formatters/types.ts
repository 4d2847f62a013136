import { plainStyle, type TextStyle } from "../../diagnostics/style.js";
import type { LintResults } from "../results.js";
import type { RuleMeta } from "../rule.js";

/** Colours for the text formatter (the CLI passes its own; tests use {@link plainStyle}). */
export type Style = TextStyle;
export { plainStyle };

/** What a formatter may use besides the results. */
export interface FormatContext {
  style: Style;
  /** Rule metadata by id, for messages, descriptions and docs links. */
  rules: ReadonlyMap<string, RuleMeta>;
  /** The tool version recorded in SARIF. */
  version: string;
  /**
   * The project's web address (package.json "homepage", read by the CLI): SARIF's
   * informationUri, and the base of each rule's helpUri (`<projectUrl>/blob/main/docs/rules/ID.md`).
   */
  projectUrl: string;
  /**
   * The absolute directory relative paths are relative to (the working directory, where CI runs
   * from the checkout's root): SARIF's `originalUriBaseIds` gives it as `%SRCROOT%`. Optional: a log
   * without it leaves `%SRCROOT%` for the consumer to resolve, as GitHub code scanning does.
   */
  root?: string;
}

/** A pure function from results to the text written to stdout. */
export type Formatter = (results: LintResults, context: FormatContext) => string;
