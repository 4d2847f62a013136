/**
 * Embed, as BVLC Caffe's EmbedLayer (embed_layer.cpp): each input value, an integer id below
 * input_dim, selects a row of the [input_dim, num_output] weights; the bias is then added.
 */
import { layerParams } from "../../caffe/layers/params.js";
import { blobOf, needBottoms, param } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";

export const embed: LayerExecutor = {
  types: ["Embed"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "embed_param");
    const n = p.num("num_output");
    const k = p.num("input_dim");
    const biasTerm = p.bool("bias_term");
    const weight = param(ctx, 0, [k, n]).data;
    const bias = biasTerm ? param(ctx, 1, [n]).data : null;
    const top = blobOf([...x.shape, n]);
    for (let m = 0; m < x.data.length; m++) {
      const id = x.data[m]!;
      // Caffe casts to int (and only DCHECKs the range): an id outside [0, input_dim) reads out of bounds.
      const index = Math.trunc(id);
      if (index < 0 || index >= k || index !== id) fail("embed-id", { layer: ctx.layer.name, id, inputDim: k });
      top.data.set(weight.subarray(index * n, (index + 1) * n), m * n);
      if (bias) for (let j = 0; j < n; j++) top.data[m * n + j] = top.data[m * n + j]! + bias[j]!;
    }
    return [top];
  },
};
