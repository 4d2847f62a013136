import { unknownMessage } from "../../caffe/param-view.js";
import type { Range } from "../../diagnostics/range.js";
import { fileLayers } from "../analysis.js";
import { ruleMeta, type FileContext, type Rule } from "../rule.js";

/**
 * `bn-maf-range`: Caffe's BatchNormLayer updates its statistics as
 * `s ← maf·s + batch` with the factor `f ← maf·f + 1`, so moving_average_fraction must lie in
 * [0, 1] for the stored mean to be an average at all (PyTorch's `momentum = 1 − maf`). At exactly
 * 0 only the last batch counts; at exactly 1 every batch counts equally (a cumulative average,
 * PyTorch's `momentum=None`) — both legitimate, but worth knowing.
 */
export const bnMafRange: Rule = {
  meta: ruleMeta({
    id: "bn-maf-range",
    defaultSeverity: "error",
    description: "A BatchNorm moving_average_fraction outside [0, 1] (info when exactly 0 or 1).",
    fixable: false,
    messages: {
      outside: "BatchNorm '{{layer}}' has {{field}} {{value}}, outside [0, 1]: the running statistics are not an average.",
      zero: "BatchNorm '{{layer}}' has {{field}} 0: the running statistics keep only the last batch.",
      one: "BatchNorm '{{layer}}' has {{field}} 1: the running statistics are a cumulative average of every batch (PyTorch momentum=None).",
    },
  }),
  scope: "file",
  check(context) {
    const { sourceMap } = context.read;
    for (const layer of fileLayers(context.read)) {
      if (layer.type === "BatchNorm") {
        const bn = layer.param.batch_norm_param;
        const value = bn?.moving_average_fraction;
        if (value !== undefined) check(context, layer.name, "moving_average_fraction", value, sourceMap.rangeOf(bn!, "moving_average_fraction"), true);
      } else if (layer.type === "BN") {
        // The PSPNet fork's `momentum` is a moving-average factor too, so it must also lie in [0, 1];
        // its update rule differs from BVLC's, so the 0 and 1 notes do not apply to it.
        const view = unknownMessage(layer.param, "bn_param", sourceMap);
        const value = view?.number("momentum");
        if (value !== undefined) check(context, layer.name, "momentum", value, view!.rangeOf("momentum"), false);
      }
    }
  },
};

function check(context: FileContext, layer: string, field: string, value: number, range: Range | undefined, edges: boolean): void {
  const data = { layer, field, value };
  if (!(value >= 0 && value <= 1)) context.report({ range, messageId: "outside", data });
  else if (!edges) return;
  else if (value === 0) context.report({ range, messageId: "zero", data, severity: "info" });
  else if (value === 1) context.report({ range, messageId: "one", data, severity: "info" });
}
