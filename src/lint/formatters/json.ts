import { jsonText } from "../../diagnostics/json-text.js";
import { messageText } from "../messages.js";
import type { Formatter } from "./types.js";

/**
 * Machine output. The shape is a stable contract (documented in the lint issue and README):
 * `{files: [{file, diagnostics: [{rule, severity, line, column, message, phase}]}],
 * errorCount, warningCount, infoCount}`; `phase` is "train", "test" or null.
 */
export const formatJson: Formatter = (results, context) => {
  const json = {
    files: results.files.map((file) => ({
      file: file.file,
      diagnostics: file.findings.map((f) => ({
        rule: f.ruleId,
        severity: f.severity,
        line: f.line,
        column: f.column,
        message: messageText(f, context.rules),
        phase: f.phase,
      })),
    })),
    errorCount: results.errorCount,
    warningCount: results.warningCount,
    infoCount: results.infoCount,
  };
  return `${jsonText(json)}\n`;
};
