/**
 * The findings of reading and converting, summarised in one or two lines (counts per code and
 * the first one in full), so a fork file's dozens of unknown-field warnings stay out of the way.
 * Pure.
 */
import type { JsonDiagnostic } from "../convert/types.js";
import type { TextStyle } from "./style.js";
import { count, joinAnd, tally } from "./words.js";

/** The summary lines; none when there are no diagnostics. */
export function diagnosticsSummary(diagnostics: readonly JsonDiagnostic[], style: TextStyle): string[] {
  if (diagnostics.length === 0) return [];
  const bySeverity = (["error", "warning", "info"] as const)
    .map((sev) => {
      const of = diagnostics.filter((d) => d.severity === sev);
      if (of.length === 0) return null;
      const codes = tally(of, (d) => d.code).map(([code, n]) => `${code} ×${n}`);
      const word = count(of.length, sev === "info" ? "note" : sev);
      const colour = sev === "error" ? style.error : sev === "warning" ? style.warning : style.info;
      return `${colour(word)} (${codes.join(", ")})`;
    })
    .filter((s): s is string => s !== null);
  const first = diagnostics.find((d) => d.severity === "error") ?? diagnostics[0]!;
  const where = first.line === null ? "" : `line ${first.line}:${first.column ?? 1}: `;
  return [
    `${style.bold("Diagnostics:")} ${joinAnd(bySeverity)}; ${style.code("caffe2torch convert")} lists each.`,
    `${style.dim(`First ${first.severity === "info" ? "note" : first.severity}:`)} ${where}${first.message}`,
  ];
}
