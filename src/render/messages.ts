import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { renderMessage } from "../diagnostics/messages.js";
import { analysisMessage } from "../convert/notes.js";
import { UPGRADE_MESSAGES } from "../schema/upgrade-messages.js";
import { SOLVER_UPGRADE_MESSAGES } from "../schema/upgrade-solver.js";
import { SOLVER_MESSAGES } from "../solver/checks.js";
import { weightsMessage } from "../weights/messages.js";

/**
 * The English message of any diagnostic the core emits, whichever layer raised it: the
 * legacy-format upgrade, the net analysis and converters, solvers, or reading (syntax and schema).
 * Formatters call this; the core never does. The catalogues are listed here explicitly.
 */
export function messageOf(d: Diagnostic): string {
  const upgrade = Object.hasOwn(UPGRADE_MESSAGES, d.code) ? UPGRADE_MESSAGES[d.code] : undefined;
  if (upgrade) return upgrade(d.data);
  const solver = Object.hasOwn(SOLVER_UPGRADE_MESSAGES, d.code) ? SOLVER_UPGRADE_MESSAGES[d.code] : Object.hasOwn(SOLVER_MESSAGES, d.code) ? SOLVER_MESSAGES[d.code] : undefined;
  if (solver) return solver(d.data);
  return analysisMessage(d.code, d.data) ?? weightsMessage(d.code, d.data) ?? renderMessage(d);
}
