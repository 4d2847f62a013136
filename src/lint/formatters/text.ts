import { LineIndex, type Range } from "../../diagnostics/range.js";
import { messageText } from "../messages.js";
import type { Finding } from "../results.js";
import { codeFrame, type FrameStyle } from "../../diagnostics/code-frame.js";
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
    const lines = new LineIndex(file.source);
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

/**
 * {@link codeFrame} with the source line made {@link visible}: framed plain, made visible, then
 * coloured, so the colour codes are ours and never the file's.
 */
export function visibleFrame(lines: LineIndex, range: Range, style: FrameStyle): string {
  return codeFrame(lines, range)
    .split("\n")
    .map((line, i) => {
      const [, gutter = "", rest = ""] = /^(\s*\d* \|)(.*)$/.exec(visible(line)) ?? [];
      return style.gutter(gutter) + (i === 1 ? rest.replace(/\^+$/, (c) => style.marker(c)) : rest);
    })
    .join("\n");
}

/**
 * Text from the file (names in messages, source lines) as a terminal shows it harmlessly: C0
 * controls (except tab) and DEL become their Unicode control pictures (ESC → ␛, LF → ␊), C1
 * controls, bidirectional overrides and lone surrogates become U+FFFD. One character for one,
 * so the caret under a source line stays aligned; a name can no longer recolour the terminal,
 * move the cursor or reorder what is shown.
 */
export function visible(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (ch) => String.fromCharCode(ch === "\u007f" ? 0x2421 : 0x2400 + ch.charCodeAt(0)))
    .replace(/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu, "\ufffd");
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
