import { layerParams, paramsOf } from "../../caffe/layers/params.js";
import { loadCaffeSchema } from "../../schema/load.js";
import { bindBlob, fillerOf, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * Parameter → the `Parameter` helper holding one nn.Parameter of `parameter_param.shape`, returned
 * as the top. parameter_layer.hpp shapes its blob from that field and fills nothing (a fresh Caffe
 * blob reads as zeros), hence FillerParameter's defaults, constant 0.
 */
function convertParameter(ctx: LayerContext): LayerConversion | LayerRefusal {
  const shape = layerParams(ctx.layer, "parameter_param").msg("shape").list("dim");
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) return { refused: "parameter-shape", data: { shape: shape.join(",") } };
  const filler = fillerOf(paramsOf(undefined, loadCaffeSchema().message("caffe.FillerParameter")));
  return {
    module: { cls: "Parameter", args: [{ tuple: shape }], kwargs: {} },
    call: { kind: "module" },
    helpers: ["Parameter"],
    params: [bindBlob(ctx, 0, { key: keyOf(ctx.attr, "weight"), shape, filler })],
  };
}

/** Parameter. */
export const parameterConverter: LayerConverter = { types: ["Parameter"], convert: convertParameter };
