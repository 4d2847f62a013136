import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { messageOf } from "../render/messages.js";
import type { LineIndex } from "../diagnostics/range.js";
import { visible, visibleFrame } from "../lint/formatters/text.js";
import type { Style } from "./color.js";

/**
 * Renders diagnostics as `FILE:LINE:COL: severity: message` (1-based, as compilers and protoc
 * print them), each followed by a code frame; `[code]` at the end names the stable code.
 * Names in messages and the framed source line go through {@link visible}: a control character
 * from the file is shown, never sent to the terminal.
 */
export function formatDiagnostics(file: string, lines: LineIndex, diagnostics: readonly Diagnostic[], style: Style): string {
  const out: string[] = [];
  for (const d of diagnostics) {
    const sev = d.severity === "error" ? style.error("error") : d.severity === "warning" ? style.warning("warning") : style.info("info");
    if (!d.range) {
      out.push(`${visible(file)}: ${sev}: ${visible(messageOf(d))} ${style.dim(`[${d.code}]`)}`);
      continue;
    }
    const { line, column } = lines.position(d.range.offset);
    out.push(`${style.bold(`${visible(file)}:${line}:${column}`)}: ${sev}: ${visible(messageOf(d))} ${style.dim(`[${d.code}]`)}`);
    out.push(visibleFrame(lines, d.range, { gutter: style.dim, marker: d.severity === "error" ? style.error : style.warning }));
  }
  return out.length ? out.join("\n") + "\n" : "";
}
