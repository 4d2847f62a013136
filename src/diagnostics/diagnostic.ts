import type { Range } from "./range.js";

/** How bad a finding is. `error` makes commands fail; `info` never does. */
export type Severity = "error" | "warning" | "info";

/**
 * A finding from any layer below the CLI. The core never renders text: it emits a stable
 * `code` and the `data` a formatter needs (see messages.ts for the English renderings).
 */
export interface Diagnostic {
  /** Stable identifier, kebab-case (e.g. `unknown-field`, `expected-value`). */
  code: string;
  severity: Severity;
  /** Where in the source text; absent for file-level findings. */
  range?: Range;
  /** Values substituted into the message template of `code`. */
  data: Record<string, string | number | boolean | null>;
}

/** Builds a diagnostic; a small helper so call sites stay one line. */
export function diagnostic(
  code: string,
  severity: Severity,
  range: Range | undefined,
  data: Diagnostic["data"] = {},
): Diagnostic {
  return range ? { code, severity, range, data } : { code, severity, data };
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
