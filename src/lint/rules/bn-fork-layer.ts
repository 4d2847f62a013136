import { BN_TYPES, bnVariant } from "../../caffe/bn-variant.js";
import { rangeOf } from "../../textproto/tree.js";
import { fileLayers } from "../analysis.js";
import { ruleMeta, type Rule } from "../rule.js";

/** Fields of NVIDIA Caffe's BatchNormParameter that switch on its built-in scale and bias. */
const NVCAFFE_FIELDS = ["scale_bias", "scale_filler", "bias_filler"];

/**
 * `bn-fork-layer`: BatchNorm layers that only a fork of Caffe can run — NVIDIA Caffe's BatchNorm
 * with `scale_bias` (gamma/beta inside the layer, five blobs), and the `BN` layer of the SegNet,
 * ENet and PSPNet forks (`bn_param`). BVLC Caffe refuses the fields or has no such layer type, and
 * each fork stores its blobs in its own order, which a converter must know.
 */
export const bnForkLayer: Rule = {
  meta: ruleMeta({
    id: "bn-fork-layer",
    defaultSeverity: "warning",
    description: "A fork BatchNorm (`type: \"BN\"`, `bn_param`, NVIDIA `scale_bias`): it needs that fork of Caffe.",
    fixable: false,
    messages: {
      nvcaffe: "BatchNorm '{{layer}}' sets {{field}} (NVIDIA Caffe: gamma and beta inside the BatchNorm); BVLC Caffe refuses it.",
      segnet: "'{{layer}}' is a BN layer of the SegNet/ENet Caffe forks (bn_mode {{mode}}); BVLC Caffe has no BN layer type.",
      pspnet: "'{{layer}}' is a BN layer of the PSPNet Caffe fork (frozen: {{frozen}}); BVLC Caffe has no BN layer type.",
      unrecognised: "'{{layer}}' is a BN layer of an unrecognised Caffe fork ({{reason}}); BVLC Caffe has no BN layer type.",
    },
  }),
  scope: "file",
  check(context) {
    const { sourceMap } = context.read;
    for (const layer of fileLayers(context.read)) {
      if (!BN_TYPES.has(layer.type)) continue;
      const variant = bnVariant(layer, sourceMap);
      const typeRange = sourceMap.rangeOf(layer.param, "type") ?? sourceMap.rangeOf(layer.param);
      switch (variant.family) {
        case "bvlc":
          break;
        case "nvcaffe": {
          const bn = layer.param.batch_norm_param;
          const node = bn ? sourceMap.unknownFields(bn).find((f) => NVCAFFE_FIELDS.includes(f.name)) : undefined;
          context.report({
            range: node ? rangeOf(node) : typeRange,
            messageId: "nvcaffe",
            data: { layer: layer.name, field: node?.name ?? "scale_bias" },
          });
          break;
        }
        case "segnet":
          context.report({ range: typeRange, messageId: "segnet", data: { layer: layer.name, mode: variant.mode } });
          break;
        case "pspnet":
          context.report({ range: typeRange, messageId: "pspnet", data: { layer: layer.name, frozen: variant.frozen } });
          break;
        case "unrecognised":
          context.report({ range: typeRange, messageId: "unrecognised", data: { layer: layer.name, reason: variant.reason } });
          break;
      }
    }
  },
};
