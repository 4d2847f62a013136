import { ruleMeta, type Rule } from "../rule.js";

/**
 * `solver-type-deprecated`: a solver written with the `solver_type` enum, which Caffe's
 * UpgradeSolverAsNeeded turns into the `type` string when it reads the file; with both set,
 * Caffe refuses the file.
 */
export const solverTypeDeprecated: Rule = {
  meta: ruleMeta({
    id: "solver-type-deprecated",
    defaultSeverity: "error",
    description: "A solver uses the deprecated solver_type enum (warning), or sets both solver_type and type (error: Caffe refuses it).",
    fixable: true,
    messages: {
      deprecated: "solver_type: {{from}} is deprecated; Caffe reads it as type: \"{{to}}\".",
      conflict: "Both solver_type ({{from}}) and type (\"{{type}}\") are set; Caffe refuses the file.",
    },
    fixMessages: { deprecated: "Replace solver_type: {{from}} with type: \"{{to}}\"." },
  }),
  scope: "solver",
  check(context) {
    for (const d of context.solver.diagnostics) {
      if (d.code === "upgraded-solver-type") {
        const fix = d.range ? [{ offset: d.range.offset, length: d.range.length, content: `type: "${String(d.data["to"])}"` }] : undefined;
        context.report({ range: d.range, messageId: "deprecated", data: d.data, severity: "warning", ...(fix ? { fix } : {}) });
      } else if (d.code === "solver-type-conflict") {
        context.report({ range: d.range, messageId: "conflict", data: d.data });
      }
    }
  },
};
