import { bnVariant } from "../../caffe/bn-variant.js";
import type { ParamSpec } from "../../schema/caffe-types.js";
import { fileLayers } from "../analysis.js";
import type { TextEdit } from "../edits.js";
import { ruleMeta, type Rule } from "../rule.js";

/**
 * BatchNorm keeps three statistics blobs (mean, variance, moving-average factor). Caffe's
 * BatchNormLayer::LayerSetUp adds `param { lr_mult: 0 }` for each one the file leaves out, and
 * CHECKs that every `param` the file does give has lr_mult 0 ("Cannot configure batch
 * normalization statistics as layer parameters."), so any other value — including an absent
 * lr_mult, which defaults to 1 — aborts net construction.
 */
const STATISTICS_BLOBS = 3;
/** NVIDIA Caffe's BatchNorm with scale_bias adds gamma and beta as blobs 4 and 5. */
const NVCAFFE_BLOBS = 5;

/** `bn-stats-lr-mult`: a BatchNorm `param` that would make the statistics learnable. */
export const bnStatsLrMult: Rule = {
  meta: ruleMeta({
    id: "bn-stats-lr-mult",
    defaultSeverity: "error",
    description: "A BatchNorm `param` with lr_mult other than 0, or without lr_mult (which defaults to 1): Caffe aborts.",
    fixable: true,
    messages: {
      nonZero: "BatchNorm '{{layer}}': param {{index}} has lr_mult {{value}}; Caffe aborts unless the statistics have lr_mult 0.",
      missing: "BatchNorm '{{layer}}': param {{index}} has no lr_mult, which defaults to 1; Caffe aborts unless the statistics have lr_mult 0.",
      tooMany: "BatchNorm '{{layer}}' has {{count}} param blocks but only {{blobs}} blobs; Caffe aborts ('Too many params specified for layer').",
    },
    fixMessages: {
      nonZero: "Set lr_mult of param {{index}} of BatchNorm '{{layer}}' to 0.",
      missing: "Add lr_mult: 0 to param {{index}} of BatchNorm '{{layer}}'.",
    },
  }),
  scope: "file",
  check(context) {
    const { read, fixes } = context;
    for (const layer of fileLayers(read)) {
      if (layer.type !== "BatchNorm") continue;
      const params: ParamSpec[] = layer.param.param ?? [];
      const blobs = bnVariant(layer, read.sourceMap).family === "nvcaffe" ? NVCAFFE_BLOBS : STATISTICS_BLOBS;
      params.slice(0, STATISTICS_BLOBS).forEach((spec, i) => {
        const data = { layer: layer.name, index: i + 1 };
        if (spec.lr_mult === undefined) {
          const syntax = fixes.messageSyntax(spec);
          const edit = syntax && fixes.insertFirstField(syntax, "lr_mult: 0");
          context.report({ range: read.sourceMap.get(spec)?.range, messageId: "missing", data, fix: fixOf(edit) });
        } else if (spec.lr_mult !== 0) {
          const field = fixes.fieldSyntax(spec, "lr_mult");
          const edit = field && fixes.replaceValue(field, "0");
          context.report({
            range: read.sourceMap.rangeOf(spec, "lr_mult"),
            messageId: "nonZero",
            data: { ...data, value: spec.lr_mult },
            fix: fixOf(edit),
          });
        }
      });
      if (params.length > blobs) {
        context.report({
          range: params[blobs] && read.sourceMap.get(params[blobs])?.range,
          messageId: "tooMany",
          data: { layer: layer.name, count: params.length, blobs },
        });
      }
    }
  },
};

function fixOf(edit: TextEdit | undefined): TextEdit[] | undefined {
  return edit ? [edit] : undefined;
}
