import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { UPGRADE_MESSAGES } from "../schema/upgrade-messages.js";
import { SOLVER_UPGRADE_MESSAGES } from "../schema/upgrade-solver.js";

/** Reader codes for a field or enum value the schema does not know (rule `unknown-field`). */
export const UNKNOWN_CODES: ReadonlySet<string> = new Set(["unknown-field", "unknown-enum-value"]);

/**
 * Codes of the in-memory upgrades: V0/V1 nets (rules `legacy-format`, `mixed-layer-formats`,
 * `legacy-upgrade`) and a solver's `solver_type` (rule `solver-type-deprecated`).
 */
export const UPGRADE_CODES: ReadonlySet<string> = new Set(["upgraded-format", "mixed-layer-formats", ...Object.keys(UPGRADE_MESSAGES), ...Object.keys(SOLVER_UPGRADE_MESSAGES)]);

/**
 * Whether a reader diagnostic means the file does not parse as caffe.NetParameter: every error
 * of the text-format parser and of binding (types, ranges, duplicates), i.e. what makes protoc's
 * TextFormat::Parse and so Caffe's ReadProtoFromTextFile fail. Unknown fields are read leniently,
 * and upgrade problems are about a net that did parse.
 */
export function isSyntaxError(d: Diagnostic): boolean {
  return d.severity === "error" && !UNKNOWN_CODES.has(d.code) && !UPGRADE_CODES.has(d.code);
}
