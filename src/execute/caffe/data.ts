/**
 * Layers without arithmetic at the edges of a net: Input (input_layer.cpp; its tops are the values
 * the caller feeds), Parameter (parameter_layer.cpp; its top is its blob) and Silence
 * (silence_layer.cpp; no top).
 */
import { layerParams } from "../../caffe/layers/params.js";
import { count, param } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";

/** Input: each top takes the fed blob of its name, which must hold as many values as its shape says. */
export const input: LayerExecutor = {
  types: ["Input"],
  forward(ctx) {
    return ctx.layer.tops.map((name) => {
      const blob = ctx.inputs.get(name);
      if (!blob) fail("missing-input", { layer: ctx.layer.name, blob: name });
      if (count(blob.shape) !== blob.data.length) fail("input-size", { blob: name, shape: [...blob.shape], values: blob.data.length });
      return { shape: [...blob.shape], data: blob.data };
    });
  },
};

/** Parameter: the top is blob 0, of parameter_param.shape. */
export const parameter: LayerExecutor = {
  types: ["Parameter"],
  forward(ctx) {
    const shape = layerParams(ctx.layer, "parameter_param").msg("shape").list("dim");
    return [param(ctx, 0, shape)];
  },
};

/** Silence: consumes its bottoms. */
export const silence: LayerExecutor = {
  types: ["Silence"],
  forward: () => [],
};
