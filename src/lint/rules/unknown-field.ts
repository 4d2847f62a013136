import { BN_TYPES } from "../../caffe/bn-variant.js";
import { fileLayers, layerAt } from "../analysis.js";
import { ruleMeta, type Rule } from "../rule.js";

/**
 * Fork fields that `bn-fork-layer` already explains on BatchNorm-type layers: reporting them
 * twice (once per field, once per layer) would double every finding of a fork net.
 */
const BN_FORK_FIELDS: ReadonlySet<string> = new Set(["bn_param", "scale_bias", "scale_filler", "bias_filler"]);

/** `unknown-field`: a field or enum value that BVLC Caffe's caffe.proto does not define. */
export const unknownField: Rule = {
  meta: ruleMeta({
    id: "unknown-field",
    defaultSeverity: "warning",
    description: "A field or enum value that is not in BVLC Caffe's schema (named fork when known).",
    fixable: false,
    messages: {
      field: "'{{field}}' is not a field of {{message}}; BVLC Caffe refuses this file.",
      fieldFork: "'{{field}}' is not a field of {{message}}; it comes from {{fork}}, and BVLC Caffe refuses it.",
      fieldSuggestion: "'{{field}}' is not a field of {{message}}; did you mean '{{suggestion}}'?",
      enumValue: "'{{value}}' is not a value of {{enum}} ('{{field}}'); BVLC Caffe refuses this file.",
      enumValueFork: "'{{value}}' is not a value of {{enum}} ('{{field}}'); it comes from {{fork}}.",
      enumValueSuggestion: "'{{value}}' is not a value of {{enum}} ('{{field}}'); did you mean '{{suggestion}}'?",
    },
  }),
  scope: "reader",
  check(context) {
    let layers: ReturnType<typeof fileLayers> | undefined;
    for (const d of context.read.diagnostics) {
      if (d.severity === "error") continue;
      if (d.code === "unknown-field") {
        const field = String(d.data["field"]);
        if (BN_FORK_FIELDS.has(field) && d.range) {
          layers ??= fileLayers(context.read);
          const owner = layerAt(context.read, layers, d.range.offset);
          if (owner && BN_TYPES.has(owner.type)) continue;
        }
        const messageId = d.data["fork"] ? "fieldFork" : d.data["suggestion"] ? "fieldSuggestion" : "field";
        context.report({ range: d.range, messageId, data: d.data });
      } else if (d.code === "unknown-enum-value") {
        const messageId = d.data["fork"] ? "enumValueFork" : d.data["suggestion"] ? "enumValueSuggestion" : "enumValue";
        context.report({ range: d.range, messageId, data: d.data });
      }
    }
  },
};
