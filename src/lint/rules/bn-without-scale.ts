import type { UnpairedCode } from "../../caffe/pairing.js";
import { ruleMeta, type Rule } from "../rule.js";

/** Message ids by the pairing's reason (multiple consumers is `bn-multiple-consumers`). */
const MESSAGE_BY_REASON: Partial<Record<UnpairedCode, string>> = {
  "no-consumer": "noConsumer",
  "no-scale": "noScale",
  "scale-two-bottoms": "scaleTwoBottoms",
  "scale-axes": "scaleAxes",
};

/**
 * `bn-without-scale`: BVLC's BatchNorm only normalises; the learnable gamma/beta of the paper live
 * in a following Scale layer (bias_term: true). Without one the block is PyTorch's
 * `BatchNorm*d(affine=False)`, which is what the net computes, but is often an oversight.
 */
export const bnWithoutScale: Rule = {
  meta: ruleMeta({
    id: "bn-without-scale",
    defaultSeverity: "warning",
    description: "A BatchNorm whose output is not consumed by a Scale: no learnable affine (PyTorch `affine=False`).",
    fixable: false,
    messages: {
      noConsumer: "BatchNorm '{{layer}}' is not followed by a Scale (its output is not read by any layer): no learnable gamma/beta (affine=False).",
      noScale: "BatchNorm '{{layer}}' is followed by {{consumerType}} '{{consumer}}', not a Scale: no learnable gamma/beta (affine=False).",
      scaleTwoBottoms:
        "BatchNorm '{{layer}}' is followed by Scale '{{consumer}}' with two bottoms, which multiplies by another blob rather than a learned gamma: no learnable affine (affine=False).",
      scaleAxes:
        "BatchNorm '{{layer}}' is followed by Scale '{{consumer}}' that does not scale exactly the channel axis: it cannot act as the BatchNorm's gamma/beta.",
    },
  }),
  scope: "phase",
  check(context) {
    const { model, graph, pairings } = context.analysis;
    for (const pairing of pairings) {
      const messageId = pairing.unpaired && MESSAGE_BY_REASON[pairing.unpaired];
      if (!messageId) continue;
      const layer = model.layers[pairing.bn]!;
      const out = pairing.outputVersion === null ? undefined : graph.versions[pairing.outputVersion];
      const reader = out?.consumers.length === 1 ? model.layers[out.consumers[0]!.layer] : undefined;
      context.report({
        range: context.read.sourceMap.rangeOf(layer.param),
        messageId,
        data: { layer: layer.name, consumer: reader?.name ?? null, consumerType: reader?.type ?? null },
      });
    }
  },
};
