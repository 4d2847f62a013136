import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { messageOf } from "../render/messages.js";
import type { LineIndex } from "../diagnostics/range.js";
import { visible, visibleFrame } from "../diagnostics/visible.js";
import type { Style } from "./color.js";

/**
 * How many diagnostics of one file are printed. A hostile or generated file can hold hundreds of
 * thousands of errors; printing them all (each with a code frame) costs more time and memory
 * than reading the file, and nobody reads past the first screens. The JSON outputs stay complete.
 */
export const MAX_PRINTED_DIAGNOSTICS = 100;

/**
 * Renders diagnostics as `FILE:LINE:COL: severity: message` (1-based, as compilers and protoc
 * print them), each followed by a code frame; `[code]` at the end names the stable code. A
 * diagnostic of a binary input has no range but a byte offset: `FILE: offset N: …`. At most
 * `limit` are printed (errors first, then warnings and infos, each shown in input order), then
 * one line counting the rest. Names in messages and the framed source line go through
 * {@link visible}: a control character from the file is shown, never sent to the terminal.
 */
export function formatDiagnostics(file: string, lines: LineIndex, diagnostics: readonly Diagnostic[], style: Style, limit = MAX_PRINTED_DIAGNOSTICS): string {
  const out: string[] = [];
  const shown = selectShown(diagnostics, limit);
  for (const d of shown) {
    const sev = d.severity === "error" ? style.error("error") : d.severity === "warning" ? style.warning("warning") : style.info("info");
    if (!d.range) {
      const offset = d.data["offset"];
      const at = typeof offset === "number" ? ` offset ${offset}:` : "";
      out.push(`${visible(file)}:${at} ${sev}: ${visible(messageOf(d))} ${style.dim(`[${d.code}]`)}`);
      continue;
    }
    const { line, column } = lines.position(d.range.offset);
    out.push(`${style.bold(`${visible(file)}:${line}:${column}`)}: ${sev}: ${visible(messageOf(d))} ${style.dim(`[${d.code}]`)}`);
    out.push(visibleFrame(lines, d.range, { gutter: style.dim, marker: d.severity === "error" ? style.error : style.warning }));
  }
  if (shown.length < diagnostics.length) out.push(`${visible(file)}: ${omittedSummary(diagnostics, shown)}`);
  return out.length ? out.join("\n") + "\n" : "";
}

/** The diagnostics to print (at most `limit`): all when at most `limit`, else errors first up to `limit`, in input order. */
export function selectShown(diagnostics: readonly Diagnostic[], limit: number): readonly Diagnostic[] {
  if (diagnostics.length <= limit) return diagnostics;
  const keep = new Set<Diagnostic>();
  for (const severity of ["error", "warning", "info"] as const) {
    for (const d of diagnostics) {
      if (keep.size >= limit) break;
      if (d.severity === severity) keep.add(d);
    }
  }
  return diagnostics.filter((d) => keep.has(d));
}

/** `… and 1234 more not shown (1200 errors, 34 warnings)`. */
export function omittedSummary(all: readonly Diagnostic[], shown: readonly Diagnostic[]): string {
  const count = (list: readonly Diagnostic[], severity: Diagnostic["severity"]): number => list.reduce((n, d) => n + (d.severity === severity ? 1 : 0), 0);
  const parts = (["error", "warning", "info"] as const)
    .map((sev) => [count(all, sev) - count(shown, sev), sev] as const)
    .filter(([n]) => n > 0)
    .map(([n, sev]) => `${n} ${sev}${n === 1 ? "" : "s"}`);
  return `… and ${all.length - shown.length} more not shown (${parts.join(", ")}).`;
}
