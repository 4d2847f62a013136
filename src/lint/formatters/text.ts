import { LineIndex } from "../../diagnostics/range.js";
import { visible, visibleFrame } from "../../diagnostics/visible.js";
import { messageText } from "../messages.js";
import type { Finding } from "../results.js";
import type { FormatContext, Formatter } from "./types.js";

const LABEL = { error: "error", warning: "warning", info: "info" } as const;

/**
 * Human output, grouped by file (as ESLint's stylish): `line:col  severity  message  rule`, a
 * code frame under each finding, and a summary line. Prints nothing when there is nothing to say.
 */
export const formatText: Formatter = (results, context) => {
  const { style } = context;
  let out = "";
  for (const file of results.files) {
    if (file.findings.length === 0) continue;
    const lines = file.lines ?? new LineIndex(file.source);
    out += `${style.bold(visible(file.file))}\n`;
    for (const f of file.findings) {
      out += findingLine(f, context);
      if (lines.lineText(f.line).trim() === "") continue;
      out += visibleFrame(lines, f.range, { gutter: style.dim, marker: paintOf(f, context) }).replace(/^/gm, "      ") + "\n";
    }
    out += "\n";
  }
  const total = results.errorCount + results.warningCount + results.infoCount;
  if (total === 0) return out;
  const summary =
    `${total} ${plural(total, "problem")} (${results.errorCount} ${plural(results.errorCount, "error")}, ` +
    `${results.warningCount} ${plural(results.warningCount, "warning")}, ${results.infoCount} info)`;
  const paint = results.errorCount > 0 ? style.error : results.warningCount > 0 ? style.warning : style.info;
  out += `${paint(style.bold(`✖ ${summary}`))}\n`;
  if (results.fixableCount > 0) {
    out += `  ${results.fixableCount} ${plural(results.fixableCount, "problem")} fixable with the \`--fix\` option.\n`;
  }
  return out;
};

function paintOf(f: Finding, context: FormatContext): (s: string) => string {
  const { style } = context;
  return f.severity === "error" ? style.error : f.severity === "warning" ? style.warning : style.info;
}

function findingLine(f: Finding, context: FormatContext): string {
  const { style } = context;
  const paint = paintOf(f, context);
  const where = style.dim(`${f.line}:${f.column}`.padEnd(8));
  const phase = f.phase ? style.dim(` [${f.phase}]`) : "";
  return `  ${where}${paint(LABEL[f.severity].padEnd(9))}${visible(messageText(f, context.rules))}${phase}  ${style.dim(f.ruleId)}\n`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
