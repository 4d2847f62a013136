import { ruleMeta, type Rule } from "../rule.js";

/**
 * `legacy-format`: V0 (`layers { layer { … } }`) and V1 (`layers { type: CONVOLUTION }`) files
 * still load — Caffe upgrades them in memory on every read (UpgradeNetAsNeeded) — but every tool
 * written after 2015, and every fork, assumes the current `layer` form.
 */
export const legacyFormat: Rule = {
  meta: ruleMeta({
    id: "legacy-format",
    defaultSeverity: "info",
    description: "A V0/V1 (legacy `layers`) file; `caffe2torch encode --upgrade` rewrites it in the current format.",
    fixable: false,
    messages: {
      legacy:
        "This file uses the legacy {{from}} 'layers' format ({{layers}} layers); Caffe upgrades it on every load. 'caffe2torch encode --upgrade' converts it.",
    },
  }),
  scope: "file",
  check(context) {
    for (const d of context.read.diagnostics) {
      if (d.code === "upgraded-format") context.report({ range: d.range, messageId: "legacy", data: d.data });
    }
  },
};
