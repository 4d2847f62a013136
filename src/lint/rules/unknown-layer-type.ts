import { BN_TYPES } from "../../caffe/bn-variant.js";
import { fileLayers } from "../analysis.js";
import { forkOfLayerType, isBvlcLayerType } from "../layer-types.js";
import { ruleMeta, type Rule } from "../rule.js";

/**
 * `unknown-layer-type`: `type` is a free string in caffe.proto, so protoc accepts any name, but
 * BVLC Caffe's LayerRegistry aborts at net construction ("Unknown layer type: …"). Fork layers
 * without fork parameters (a `DepthwiseConvolution` reads the ordinary convolution_param) pass
 * every schema check and only fail here. Fork BatchNorm layers are `bn-fork-layer`'s.
 */
export const unknownLayerType: Rule = {
  meta: ruleMeta({
    id: "unknown-layer-type",
    defaultSeverity: "warning",
    description: "A layer type BVLC Caffe does not have (a fork layer): BVLC Caffe aborts ('Unknown layer type').",
    fixable: false,
    messages: {
      fork: "Layer '{{layer}}' has type '{{type}}', which BVLC Caffe does not have; it comes from {{fork}}.",
      unknown: "Layer '{{layer}}' has type '{{type}}', which BVLC Caffe does not have ('Unknown layer type'); it needs the Caffe fork that defines it.",
      missing: "Layer '{{layer}}' has no type; Caffe cannot create it.",
    },
  }),
  scope: "file",
  check(context) {
    const { sourceMap } = context.read;
    for (const layer of fileLayers(context.read)) {
      if (isBvlcLayerType(layer.type) || BN_TYPES.has(layer.type)) continue;
      const range = sourceMap.rangeOf(layer.param, "type") ?? sourceMap.rangeOf(layer.param);
      if (layer.type === "") {
        // A V1 layer whose enum type has no current name is `legacy-upgrade`'s finding.
        if (context.read.format === "current") context.report({ range, messageId: "missing", data: { layer: layer.name } });
        continue;
      }
      const fork = forkOfLayerType(layer.type);
      context.report({ range, messageId: fork ? "fork" : "unknown", data: { layer: layer.name, type: layer.type, fork: fork ?? null } });
    }
  },
};
