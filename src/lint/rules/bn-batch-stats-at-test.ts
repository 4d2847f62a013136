import { ruleMeta, type Rule } from "../rule.js";

/**
 * `bn-batch-stats-at-test`: Caffe's BatchNormLayer uses `use_global_stats` when it is set and
 * otherwise `phase == TEST`; an explicit `false` therefore normalises every TEST batch with its
 * own mean and variance, so a prediction depends on the other images in the batch (and a batch of
 * one is normalised to zero). PyTorch's equivalent is running a BatchNorm in `train()` mode.
 */
export const bnBatchStatsAtTest: Rule = {
  meta: ruleMeta({
    id: "bn-batch-stats-at-test",
    defaultSeverity: "error",
    description: "`use_global_stats: false` on a BatchNorm active in TEST: inference uses batch statistics.",
    fixable: false,
    messages: {
      batchStats:
        "BatchNorm '{{layer}}' sets use_global_stats: false and is active in TEST, so inference normalises with each batch's own statistics.",
    },
  }),
  scope: "phase",
  check(context) {
    if (context.phase !== "test") return;
    for (const layer of context.analysis.model.layers) {
      if (layer.type !== "BatchNorm" || layer.param.batch_norm_param?.use_global_stats !== false) continue;
      context.report({
        range: context.read.sourceMap.rangeOf(layer.param.batch_norm_param, "use_global_stats"),
        messageId: "batchStats",
        data: { layer: layer.name },
        phase: "test",
      });
    }
  },
};
