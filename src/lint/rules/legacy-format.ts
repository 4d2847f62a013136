import { ruleMeta, type Rule } from "../rule.js";

/**
 * `legacy-format`: V0 (`layers { layer { … } }`) and V1 (`layers { type: CONVOLUTION }`) files
 * still load — Caffe upgrades them in memory on every read (UpgradeNetAsNeeded) — but every tool
 * written after 2015, and every fork field, assumes the current `layer` form.
 */
export const legacyFormat: Rule = {
  meta: ruleMeta({
    id: "legacy-format",
    defaultSeverity: "info",
    description: "A V0/V1 (legacy `layers`) file; `caffe2torch encode --upgrade` rewrites it in the current format.",
    fixable: false,
    messages: {
      legacy: "This file uses the legacy {{format}} 'layers' format; Caffe upgrades it on every load. Run 'caffe2torch encode --upgrade' to rewrite it.",
    },
  }),
  scope: "file",
  check(context) {
    const { read } = context;
    if (read.format !== "V0" && read.format !== "V1") return;
    context.report({ range: read.sourceMap.rangeOf(read.net, "layers"), messageId: "legacy", data: { format: read.format } });
  },
};
