import { ruleMeta, type Rule } from "../rule.js";

/**
 * `mixed-layer-formats`: a file with both `layer` (current) and `layers` (V1) entries. Caffe's
 * UpgradeV1Net keeps only the `layers` and drops every `layer` entry ("will be ignored for the
 * upgrade"), so half of the net silently disappears; the reader reports the mix and upgrades nothing.
 */
export const mixedLayerFormats: Rule = {
  meta: ruleMeta({
    id: "mixed-layer-formats",
    defaultSeverity: "error",
    description: "`layer` and legacy `layers` in one file: Caffe's upgrade drops the `layer` entries.",
    fixable: false,
    messages: {
      mixed:
        "This file has {{layer}} 'layer' and {{layers}} legacy 'layers' entries; Caffe's upgrade silently drops the 'layer' ones. Write every layer in one format.",
    },
  }),
  scope: "file",
  check(context) {
    for (const d of context.read.diagnostics) {
      if (d.code === "mixed-layer-formats") context.report({ range: d.range, messageId: "mixed", data: d.data });
    }
  },
};
