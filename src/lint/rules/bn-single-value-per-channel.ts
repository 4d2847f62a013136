import { bnVariant } from "../../caffe/bn-variant.js";
import { ruleMeta, type Rule } from "../rule.js";

/**
 * `bn-single-value-per-channel`: with batch statistics, each channel's mean and variance are taken
 * over every axis but the channel axis. When that is a single value (a rank-2 InnerProduct output
 * with batch 1, or 1×1 maps with batch 1) the variance is 0 and the output is 0 (plus beta). Caffe
 * computes it silently; PyTorch's `F.batch_norm` raises "Expected more than 1 value per channel
 * when training". Only nets that can train (a loss layer in TRAIN) are checked.
 */
export const bnSingleValuePerChannel: Rule = {
  meta: ruleMeta({
    id: "bn-single-value-per-channel",
    defaultSeverity: "warning",
    description: "A BatchNorm using batch statistics in TRAIN on an input with one value per channel: PyTorch raises there.",
    fixable: false,
    messages: {
      single:
        "BatchNorm '{{layer}}' uses batch statistics in TRAIN on input shape {{shape}}: one value per channel, so the output is constant; PyTorch raises here.",
    },
  }),
  scope: "phase",
  check(context) {
    const { analysis, read } = context;
    if (context.phase !== "train" || !analysis.trainable) return;
    for (const pairing of analysis.pairings) {
      const layer = analysis.model.layers[pairing.bn]!;
      if (!usesBatchStatistics(pairing.variant, layer.param.batch_norm_param?.use_global_stats)) continue;
      const shape = pairing.inputVersion === null ? null : analysis.shapes[pairing.inputVersion];
      if (!shape || shape.length < 2) continue;
      const others = shape.filter((_, axis) => axis !== 1);
      if (others.some((d) => d === null) || others.reduce<number>((p, d) => p * d!, 1) !== 1) continue;
      context.report({
        range: read.sourceMap.rangeOf(layer.param),
        messageId: "single",
        data: { layer: layer.name, shape: shape.map((d) => d ?? "?").join("×") },
        phase: "train",
      });
    }
  },
};

/** Whether a BatchNorm-type layer normalises with batch statistics in TRAIN. */
function usesBatchStatistics(variant: ReturnType<typeof bnVariant>, useGlobalStats: boolean | undefined): boolean {
  switch (variant.family) {
    case "bvlc":
    case "nvcaffe":
      // Caffe's default in TRAIN: use_global_stats = (phase == TEST) = false.
      return useGlobalStats !== true;
    case "segnet":
      return variant.mode === "LEARN";
    case "pspnet":
      return !variant.frozen;
    case "unrecognised":
      return false;
  }
}
