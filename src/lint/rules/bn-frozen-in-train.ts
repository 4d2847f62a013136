import { ruleMeta, type Rule } from "../rule.js";

/**
 * `bn-frozen-in-train`: `use_global_stats: true` in TRAIN makes Caffe's BatchNormLayer normalise
 * with the stored statistics and never update them — the usual way to fine-tune a pretrained net
 * (the MSRA ResNets were fine-tuned so), but a silent mistake when training from scratch. In
 * PyTorch this is a BatchNorm kept in `eval()` mode (or `track_running_stats` frozen) while training.
 * Only nets that can train (with a loss layer in TRAIN) are checked.
 */
export const bnFrozenInTrain: Rule = {
  meta: ruleMeta({
    id: "bn-frozen-in-train",
    defaultSeverity: "info",
    description: "`use_global_stats: true` on a BatchNorm active in TRAIN: statistics stay frozen while training.",
    fixable: false,
    messages: {
      frozen: "BatchNorm '{{layer}}' sets use_global_stats: true in TRAIN: its statistics stay frozen while training (fine-tuning).",
    },
  }),
  scope: "phase",
  check(context) {
    if (context.phase !== "train" || !context.analysis.trainable) return;
    for (const layer of context.analysis.model.layers) {
      if (layer.type !== "BatchNorm" || layer.param.batch_norm_param?.use_global_stats !== true) continue;
      context.report({
        range: context.read.sourceMap.rangeOf(layer.param.batch_norm_param, "use_global_stats"),
        messageId: "frozen",
        data: { layer: layer.name },
        phase: "train",
      });
    }
  },
};
