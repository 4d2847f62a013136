import type { Severity } from "../../diagnostics/diagnostic.js";
import { ruleMeta, type Rule } from "../rule.js";

/** Upgrade codes this rule reports, with the message id and how bad each is. */
const CODES: Readonly<Record<string, { messageId: string; severity: Severity }>> = {
  "unknown-v0-layer-type": { messageId: "unknownV0Type", severity: "error" },
  "v0-padding-misuse": { messageId: "paddingMisuse", severity: "error" },
  "upgraded-layer-without-type": { messageId: "withoutType", severity: "warning" },
  "v0-field-ignored": { messageId: "fieldIgnored", severity: "warning" },
  "v0-upgrade-drops-fields": { messageId: "dropsFields", severity: "warning" },
};

/**
 * `legacy-upgrade`: what Caffe's in-memory upgrade of a V0/V1 file (UpgradeV0Net, UpgradeV1Net)
 * dies of or silently drops: an unknown V0 layer type or a misplaced V0 padding layer (Caffe
 * aborts), a V1 layer whose type has no current name (Caffe cannot create it), V0 options the
 * upgrade ignores.
 */
export const legacyUpgrade: Rule = {
  meta: ruleMeta({
    id: "legacy-upgrade",
    defaultSeverity: "error",
    description: "Caffe's upgrade of a V0/V1 file fails (unknown layer type, misplaced padding) or drops fields.",
    fixable: false,
    messages: {
      unknownV0Type: "V0 layer '{{layer}}' has type '{{type}}', which Caffe's upgrade does not know; Caffe aborts ('Unknown layer name').",
      paddingMisuse: "V0 padding layer '{{padding}}' cannot be folded into layer '{{layer}}' ({{reason}}); Caffe's upgrade aborts.",
      withoutType: "Layer '{{layer}}' has V1 type '{{value}}', which has no current layer type; Caffe cannot create it after the upgrade.",
      fieldIgnored: "V0 layer '{{layer}}' of type '{{type}}' sets '{{field}}', which the upgrade drops (Caffe: 'Unknown parameter').",
      dropsFields: "This V0 entry has no 'layer'; the upgrade keeps only bottom and top and drops {{fields}}.",
    },
  }),
  scope: "file",
  check(context) {
    for (const d of context.read.diagnostics) {
      const known = Object.hasOwn(CODES, d.code) ? CODES[d.code] : undefined;
      if (known) context.report({ range: d.range, messageId: known.messageId, data: d.data, severity: known.severity });
    }
  },
};
