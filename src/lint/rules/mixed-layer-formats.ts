import { ruleMeta, type Rule } from "../rule.js";

/**
 * `mixed-layer-formats`: a file with both `layer` (current) and `layers` (V1) entries. Caffe's
 * UpgradeV1Net refuses it ("Refusing to upgrade inconsistent NetParameter input; the definition
 * includes both 'layer' and 'layers' fields"), so the net cannot be loaded at all.
 */
export const mixedLayerFormats: Rule = {
  meta: ruleMeta({
    id: "mixed-layer-formats",
    defaultSeverity: "error",
    description: "`layer` and legacy `layers` in one file: Caffe refuses to load it.",
    fixable: false,
    messages: {
      mixed: "This file has both 'layer' and legacy 'layers' entries; Caffe refuses to load such a net. Use one format (encode --upgrade converts 'layers').",
    },
  }),
  scope: "file",
  check(context) {
    const { read } = context;
    if (read.format !== "mixed") return;
    context.report({ range: read.sourceMap.rangeOf(read.net, "layers"), messageId: "mixed" });
  },
};
