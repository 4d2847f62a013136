import { ruleMeta, type Rule } from "../rule.js";

/**
 * `scale-without-bias`: Caffe's ScaleLayer has `bias_term: false` by default, so a BatchNorm ⇢
 * Scale pair without `bias_term: true` (and no Bias layer after it) learns gamma but no beta.
 * PyTorch's BatchNorm has one `affine` switch for both, so the block does not map onto it exactly.
 */
export const scaleWithoutBias: Rule = {
  meta: ruleMeta({
    id: "scale-without-bias",
    defaultSeverity: "warning",
    description: "A Scale paired with a BatchNorm without `bias_term: true` and no Bias layer after it: gamma without beta.",
    fixable: false,
    messages: {
      noBias: "Scale '{{scale}}' after BatchNorm '{{layer}}' has no bias_term: true (Caffe's default is false) and no Bias layer follows: gamma without beta.",
    },
  }),
  scope: "phase",
  check(context) {
    const { model, pairings } = context.analysis;
    for (const pairing of pairings) {
      if (pairing.scale === null || pairing.bias !== null) continue;
      const scale = model.layers[pairing.scale]!;
      if (scale.param.scale_param?.bias_term === true) continue;
      context.report({
        range: context.read.sourceMap.rangeOf(scale.param),
        messageId: "noBias",
        data: { scale: scale.name, layer: model.layers[pairing.bn]!.name },
      });
    }
  },
};
