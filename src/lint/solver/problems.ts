import type { Diagnostic, Severity } from "../../diagnostics/diagnostic.js";
import type { MessageData, SolverContext } from "../rule.js";

/**
 * Reports the solver problems (src/solver/checks.ts) of the given codes, each under its message
 * id (or the id a function picks from its data), with the problem's data and, for warnings, the milder severity.
 */
export function reportProblems(context: SolverContext, messageIds: Readonly<Record<string, string | ((d: Diagnostic) => string)>>): void {
  for (const d of context.problems) {
    const pick = messageIds[d.code];
    const messageId = typeof pick === "function" ? pick(d) : pick;
    if (messageId === undefined) continue;
    const severity: Severity | undefined = d.severity === "error" ? undefined : d.severity;
    context.report({ range: d.range, messageId, data: d.data as MessageData, ...(severity ? { severity } : {}) });
  }
}
