/**
 * InnerProduct, as BVLC Caffe's InnerProductLayer (inner_product_layer.cpp): the axes from `axis`
 * on are flattened into K; `top = bottom · Wᵀ` (W stored N × K, or K × N with `transpose`), then
 * the bias added by a K = 1 GEMM (each product rounded before its bias is added).
 */
import { layerParams } from "../../caffe/layers/params.js";
import { gemmNT, transpose } from "../../numeric/kernels/gemm.js";
import { axisOf, blobOf, count, needBottoms, param } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";

export const innerProduct: LayerExecutor = {
  types: ["InnerProduct"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const p = layerParams(ctx.layer, "inner_product_param");
    const x = ctx.bottoms[0]!;
    const axis = axisOf(ctx, p.num("axis"), x.shape.length);
    const m = count(x.shape, 0, axis);
    const k = count(x.shape, axis);
    const n = p.num("num_output");
    const transposed = p.bool("transpose");
    const biasTerm = p.bool("bias_term");
    if (ctx.params.length !== (biasTerm ? 2 : 1)) fail("param-count", { layer: ctx.layer.name, expected: biasTerm ? 2 : 1, actual: ctx.params.length });
    let weight = param(ctx, 0, transposed ? [k, n] : [n, k]).data;
    if (transposed) {
      const w = new Float32Array(n * k);
      transpose(weight, 0, k, n, w);
      weight = w;
    }
    const top = blobOf([...x.shape.slice(0, axis), n]);
    gemmNT(m, n, k, { data: x.data, offset: 0, stride: k }, { data: weight, offset: 0, stride: k }, { data: top.data, offset: 0, stride: n });
    if (biasTerm) {
      const bias = param(ctx, 1, [n]).data;
      // bias_multiplier (M) · bias (N): row m gets bias[j] in column j
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) top.data[i * n + j] = top.data[i * n + j]! + bias[j]!;
    }
    return [top];
  },
};
