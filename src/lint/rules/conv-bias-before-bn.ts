import type { BnVariant } from "../../caffe/bn-variant.js";
import type { NetLayer } from "../../caffe/net.js";
import { ruleMeta, type Rule } from "../rule.js";

/** Layer types with a learned bias, and the param message holding their `bias_term` (default true). */
const BIASED: Readonly<Record<string, "convolution_param" | "inner_product_param">> = {
  Convolution: "convolution_param",
  Deconvolution: "convolution_param",
  DepthwiseConvolution: "convolution_param",
  ConvolutionDepthwise: "convolution_param",
  InnerProduct: "inner_product_param",
};

/**
 * `conv-bias-before-bn`: a Convolution or InnerProduct whose only reader is a BatchNorm. The
 * BatchNorm subtracts the per-channel mean, which cancels any per-channel bias added just before,
 * so the bias is dead weight (PyTorch models write `Conv2d(…, bias=False)` before BatchNorm).
 * Not fixable: a trained .caffemodel has the bias blob, and removing `bias_term` breaks loading it.
 */
export const convBiasBeforeBn: Rule = {
  meta: ruleMeta({
    id: "conv-bias-before-bn",
    defaultSeverity: "info",
    description: "A Convolution/InnerProduct bias directly before a BatchNorm, which cancels it by subtracting the mean.",
    fixable: false,
    messages: {
      redundant:
        "{{type}} '{{layer}}' learns a bias (bias_term defaults to true) that BatchNorm '{{bn}}' cancels by subtracting the mean; bias_term: false saves the parameters.",
      redundantWritten:
        "{{type}} '{{layer}}' learns a bias (bias_term: true) that BatchNorm '{{bn}}' cancels by subtracting the mean; bias_term: false saves the parameters.",
    },
  }),
  scope: "phase",
  check(context) {
    const { model, graph, pairings } = context.analysis;
    const { sourceMap } = context.read;
    for (const pairing of pairings) {
      if (pairing.inputVersion === null || !subtractsMean(pairing.variant)) continue;
      const version = graph.versions[pairing.inputVersion]!;
      if (!version.producer || version.consumers.length !== 1) continue;
      const producer = model.layers[version.producer.layer]!;
      const owner = biasOwner(producer);
      if (!owner || owner.bias_term === false) continue;
      // Written or defaulted: the message says which, rather than claim a default the file overrides.
      const written = owner.bias_term === true;
      context.report({
        range: (written ? sourceMap.rangeOf(owner, "bias_term") : undefined) ?? sourceMap.rangeOf(producer.param),
        messageId: written ? "redundantWritten" : "redundant",
        data: { type: producer.type, layer: producer.name, bn: model.layers[pairing.bn]!.name },
      });
    }
  },
};

/** The param message that holds the layer's bias_term, or undefined for layers without a bias. */
function biasOwner(layer: NetLayer): { bias_term?: boolean } | undefined {
  const key = BIASED[layer.type];
  if (!key) return undefined;
  return (layer.param[key] as { bias_term?: boolean } | undefined) ?? {};
}

/** Whether the BatchNorm subtracts a mean (SegNet's INFERENCE mode is a plain affine map). */
function subtractsMean(variant: BnVariant): boolean {
  return variant.family !== "unrecognised" && !(variant.family === "segnet" && variant.mode === "INFERENCE");
}
