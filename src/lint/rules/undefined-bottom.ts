import { ruleMeta, type Rule } from "../rule.js";

/**
 * `undefined-bottom`: a bottom that no active layer before it produced. Caffe's Net::AppendBottom
 * aborts with "Unknown bottom blob". Often phase-dependent: a TEST-only data layer feeding a layer
 * active in both phases.
 */
export const undefinedBottom: Rule = {
  meta: ruleMeta({
    id: "undefined-bottom",
    defaultSeverity: "error",
    description: "A bottom blob that no active layer produced before it: Caffe aborts ('Unknown bottom blob').",
    fixable: false,
    messages: {
      unknown: "Layer '{{layer}}' reads bottom '{{blob}}', which no active layer before it produces; Caffe aborts ('Unknown bottom blob').",
    },
  }),
  scope: "phase",
  check(context) {
    for (const d of context.analysis.graph.diagnostics) {
      if (d.code === "unknown-bottom") context.report({ range: d.range, messageId: "unknown", data: d.data });
    }
  },
};
