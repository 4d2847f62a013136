import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { codeFrame } from "../diagnostics/code-frame.js";
import { messageOf } from "../render/messages.js";
import type { LineIndex } from "../diagnostics/range.js";
import type { Style } from "./color.js";

/**
 * Renders diagnostics as `FILE:LINE:COL: severity: message` (1-based, as compilers and protoc
 * print them), each followed by a code frame; `[code]` at the end names the stable code.
 */
export function formatDiagnostics(file: string, lines: LineIndex, diagnostics: readonly Diagnostic[], style: Style): string {
  const out: string[] = [];
  for (const d of diagnostics) {
    const sev = d.severity === "error" ? style.error("error") : d.severity === "warning" ? style.warning("warning") : style.info("info");
    if (!d.range) {
      out.push(`${file}: ${sev}: ${messageOf(d)} ${style.dim(`[${d.code}]`)}`);
      continue;
    }
    const { line, column } = lines.position(d.range.offset);
    out.push(`${style.bold(`${file}:${line}:${column}`)}: ${sev}: ${messageOf(d)} ${style.dim(`[${d.code}]`)}`);
    out.push(codeFrame(lines, d.range, { gutter: style.dim, marker: d.severity === "error" ? style.error : style.warning }));
  }
  return out.length ? out.join("\n") + "\n" : "";
}
