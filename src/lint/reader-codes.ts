import type { Diagnostic } from "../diagnostics/diagnostic.js";

/** Reader codes for a field or enum value the schema does not know (rule `unknown-field`). */
export const UNKNOWN_CODES: ReadonlySet<string> = new Set(["unknown-field", "unknown-enum-value"]);

/**
 * Whether a reader diagnostic means the file does not parse as caffe.NetParameter: every error
 * of the text-format parser and of binding (types, ranges, duplicates), i.e. what makes protoc's
 * TextFormat::Parse and so Caffe's ReadProtoFromTextFile fail. Unknown fields are read leniently.
 */
export function isSyntaxError(d: Diagnostic): boolean {
  return d.severity === "error" && !UNKNOWN_CODES.has(d.code);
}
