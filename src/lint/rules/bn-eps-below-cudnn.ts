import { unknownMessage } from "../../caffe/param-view.js";
import { fileLayers } from "../analysis.js";
import { ruleMeta, type Rule } from "../rule.js";

/**
 * cuDNN's CUDNN_BN_MIN_EPSILON: cuDNN up to 7.4 returns CUDNN_STATUS_BAD_PARAM for a smaller eps
 * (7.5 lowered the limit to 0). PyTorch only takes the cuDNN path when `eps >= 1e-5` and falls back
 * to its native kernel otherwise, so results differ slightly by backend.
 */
const CUDNN_BN_MIN_EPSILON = 1e-5;

/** `bn-eps-below-cudnn`: a BatchNorm eps below cuDNN's minimum. */
export const bnEpsBelowCudnn: Rule = {
  meta: ruleMeta({
    id: "bn-eps-below-cudnn",
    defaultSeverity: "warning",
    description: "A BatchNorm eps below 1e-5, which cuDNN up to 7.4 rejects.",
    fixable: false,
    messages: {
      below: "BatchNorm '{{layer}}' has eps {{eps}}, below cuDNN's minimum 1e-5 (cuDNN up to 7.4 rejects it; PyTorch then avoids cuDNN).",
    },
  }),
  scope: "file",
  check(context) {
    const { sourceMap } = context.read;
    for (const layer of fileLayers(context.read)) {
      if (layer.type === "BatchNorm") {
        const eps = layer.param.batch_norm_param?.eps;
        if (eps === undefined || !(eps < CUDNN_BN_MIN_EPSILON)) continue;
        context.report({ range: sourceMap.rangeOf(layer.param.batch_norm_param!, "eps"), messageId: "below", data: { layer: layer.name, eps } });
      } else if (layer.type === "BN") {
        // The PSPNet fork's bn_param carries its own eps (default 1e-5).
        const view = unknownMessage(layer.param, "bn_param", sourceMap);
        const eps = view?.number("eps");
        if (eps === undefined || !(eps < CUDNN_BN_MIN_EPSILON)) continue;
        context.report({ range: view!.rangeOf("eps"), messageId: "below", data: { layer: layer.name, eps } });
      }
    }
  },
};
