import type { Severity } from "../diagnostics/diagnostic.js";
import type { LineIndex, Range } from "../diagnostics/range.js";
import type { TextEdit } from "./edits.js";
import type { LintPhase, MessageData } from "./rule.js";

/** One finding of one file, as formatters receive it. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  messageId: string;
  data: MessageData;
  range: Range;
  /** 1-based position of `range`'s start and end (end column is just past the last character). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The phase the finding belongs to; null when it holds in every linted phase. */
  phase: LintPhase | null;
  /** Edits on the file's text that remove the finding (when the rule can fix it safely). */
  fix?: TextEdit[];
}

/** The findings of one file. */
export interface FileResult {
  /** The path as shown to the user (relative to the working directory when inside it). */
  file: string;
  /** The text the findings refer to (after fixes, when fixes were applied); used for code frames. */
  source: string;
  /** The line index of `source` the findings were positioned with, when the caller has it (saves formatters making another). */
  lines?: LineIndex;
  findings: Finding[];
  /** False when the file does not parse. */
  parsed: boolean;
  /** Number of fixes applied (or that would be, for a dry run). */
  fixed: number;
}

/** The findings of a whole run, with counts. */
export interface LintResults {
  files: FileResult[];
  errorCount: number;
  warningCount: number;
  infoCount: number;
  /** Findings that `--fix` would remove. */
  fixableCount: number;
}

/** Counts the findings of `files`. */
export function summarize(files: FileResult[]): LintResults {
  const results: LintResults = { files, errorCount: 0, warningCount: 0, infoCount: 0, fixableCount: 0 };
  for (const file of files) {
    for (const f of file.findings) {
      if (f.severity === "error") results.errorCount++;
      else if (f.severity === "warning") results.warningCount++;
      else results.infoCount++;
      if (f.fix) results.fixableCount++;
    }
  }
  return results;
}
