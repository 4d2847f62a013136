import { ruleMeta, type Rule } from "../rule.js";

/**
 * `duplicate-top`: a layer writes a blob that an earlier active layer already produced, without
 * working in place (top j named like bottom j). Caffe's Net::AppendTop aborts with "Top blob '…'
 * produced by multiple sources". A common cause is a net with both top-level `input:` fields and
 * an Input layer for the same blob (Caffe turns the fields into a layer of its own).
 */
export const duplicateTop: Rule = {
  meta: ruleMeta({
    id: "duplicate-top",
    defaultSeverity: "error",
    description: "A top blob produced by a second layer (not in place): Caffe aborts ('produced by multiple sources').",
    fixable: false,
    messages: {
      duplicate: "Layer '{{layer}}' writes top '{{blob}}', which an earlier active layer already produced; Caffe aborts ('produced by multiple sources').",
    },
  }),
  scope: "phase",
  check(context) {
    for (const d of context.analysis.graph.diagnostics) {
      if (d.code === "duplicate-top") context.report({ range: d.range, messageId: "duplicate", data: d.data });
    }
  },
};
