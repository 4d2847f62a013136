import { layerParams } from "../../caffe/layers/params.js";
import { bindBlob, fillerOf, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * Embed → `nn.Embedding(input_dim, num_output)` on the ids as integers, or with `bias_term` (the
 * default) the `Embed` helper that adds the bias. embed_layer.cpp stores the weight `[input_dim,
 * num_output]`, Embedding's own layout, and reads each float id through static_cast<int>, which
 * `.long()` reproduces (truncation); the top is the input's shape plus num_output.
 */
function convertEmbed(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "embed_param");
  const [k, n] = [p.num("input_dim"), p.num("num_output")];
  // EmbedLayer::LayerSetUp requires both positive.
  if (k < 1 || n < 1) return { refused: "embed-size", data: { input_dim: k, num_output: n } };
  const bias = p.bool("bias_term");
  const params = [bindBlob(ctx, 0, { key: keyOf(ctx.attr, "weight"), shape: [k, n], filler: fillerOf(p.msg("weight_filler")) })];
  if (bias) params.push(bindBlob(ctx, 1, { key: keyOf(ctx.attr, "bias"), shape: [n], filler: fillerOf(p.msg("bias_filler")) }));
  return {
    module: { cls: bias ? "Embed" : "nn.Embedding", args: [k, n], kwargs: {} },
    call: { kind: "module", input: "{0}.long()" },
    helpers: bias ? ["Embed"] : [],
    params,
  };
}

/** Embed. */
export const embedConverter: LayerConverter = { types: ["Embed"], convert: convertEmbed };
