import { ruleMeta, type Rule } from "../rule.js";

/**
 * `include-and-exclude`: a layer with both `include` and `exclude` rules. Caffe's Net::FilterNet
 * aborts: "Specify either include rules or exclude rules; not both."
 */
export const includeAndExclude: Rule = {
  meta: ruleMeta({
    id: "include-and-exclude",
    defaultSeverity: "error",
    description: "A layer with both `include` and `exclude` rules: Caffe aborts.",
    fixable: false,
    messages: {
      both: "Layer '{{layer}}' has both include and exclude rules; Caffe aborts ('Specify either include rules or exclude rules; not both').",
    },
  }),
  scope: "phase",
  check(context) {
    for (const d of context.analysis.model.diagnostics) {
      if (d.code === "include-and-exclude") context.report({ range: d.range, messageId: "both", data: d.data });
    }
  },
};
