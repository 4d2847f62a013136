import { ruleMeta, type Rule } from "../rule.js";

/**
 * `bn-multiple-consumers`: when several layers read a BatchNorm's output, no single Scale is its
 * continuation, so the BatchNorm ⇢ Scale block cannot be fused into one PyTorch BatchNorm (the
 * other readers would see the un-scaled values). Usually a Scale was forgotten or placed on a branch.
 */
export const bnMultipleConsumers: Rule = {
  meta: ruleMeta({
    id: "bn-multiple-consumers",
    defaultSeverity: "warning",
    description: "A BatchNorm output read by several layers: it cannot be fused with a Scale.",
    fixable: false,
    messages: {
      consumers: "The output '{{blob}}' of BatchNorm '{{layer}}' is read by {{count}} layers ({{readers}}), so it cannot be fused with a Scale.",
    },
  }),
  scope: "phase",
  check(context) {
    const { model, graph, pairings } = context.analysis;
    for (const pairing of pairings) {
      if (pairing.unpaired !== "multiple-consumers" || pairing.outputVersion === null) continue;
      const layer = model.layers[pairing.bn]!;
      const version = graph.versions[pairing.outputVersion]!;
      const readers = version.consumers.map((c) => model.layers[c.layer]!.name);
      context.report({
        range: context.read.sourceMap.rangeOf(layer.param),
        messageId: "consumers",
        data: { layer: layer.name, blob: version.blob, count: readers.length, readers: readers.join(", ") },
      });
    }
  },
};
