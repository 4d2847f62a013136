/**
 * Pooling, as BVLC Caffe's PoolingLayer sets it up and runs it on the CPU (pooling_layer.cpp).
 */
import { layerParams } from "../../caffe/layers/params.js";
import { avePool, maxPool, type PoolGeometry } from "../../numeric/kernels/pool.js";
import { blobOf, needBottoms } from "../blob.js";
import { fail, type LayerContext, type LayerExecutor } from "../types.js";

/**
 * The window geometry of PoolingLayer::LayerSetUp and Reshape: kernel_size or kernel_h/kernel_w
 * (global pooling: the whole plane), pad or pad_h/pad_w, stride or stride_h/stride_w; the pooled
 * size is `ceil((size + 2·pad − k) / stride) + 1` (a float division; `floor` with round_mode
 * FLOOR), and when there is any padding a last window that would start in the padding is dropped
 * (`(pooled − 1)·stride ≥ size + pad`).
 */
export function poolGeometry(ctx: LayerContext, height: number, width: number): PoolGeometry {
  const p = layerParams(ctx.layer, "pooling_param");
  const global = p.bool("global_pooling");
  const kernelH = global ? height : p.has("kernel_size") ? p.num("kernel_size") : p.num("kernel_h");
  const kernelW = global ? width : p.has("kernel_size") ? p.num("kernel_size") : p.num("kernel_w");
  const padH = p.has("pad_h") ? p.num("pad_h") : p.num("pad");
  const padW = p.has("pad_h") ? p.num("pad_w") : p.num("pad");
  const strideH = p.has("stride_h") ? p.num("stride_h") : p.num("stride");
  const strideW = p.has("stride_h") ? p.num("stride_w") : p.num("stride");
  if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0) fail("pool-zero-size", { layer: ctx.layer.name, kernelH, kernelW, strideH, strideW });
  if ((padH > 0 || padW > 0) && (padH >= kernelH || padW >= kernelW)) fail("pool-pad-too-large", { layer: ctx.layer.name, padH, padW, kernelH, kernelW });
  const round = p.enumName("round_mode") === "FLOOR" ? Math.floor : Math.ceil;
  const pooled = (size: number, k: number, pad: number, stride: number): number => {
    let out = round(Math.fround(Math.fround(size + 2 * pad - k) / stride)) + 1;
    if ((padH > 0 || padW > 0) && (out - 1) * stride >= size + pad) out--;
    return out;
  };
  const pooledHeight = pooled(height, kernelH, padH, strideH);
  const pooledWidth = pooled(width, kernelW, padW, strideW);
  if (pooledHeight <= 0 || pooledWidth <= 0) fail("pool-empty-output", { layer: ctx.layer.name, pooledHeight, pooledWidth });
  return { height, width, pooledHeight, pooledWidth, kernelH, kernelW, strideH, strideW, padH, padW };
}

/** PoolingLayer::Forward_cpu (MAX with its optional mask top, AVE); STOCHASTIC has no CPU forward in Caffe. */
export const pooling: LayerExecutor = {
  types: ["Pooling"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    if (x.shape.length !== 4) fail("pool-not-4d", { layer: ctx.layer.name, shape: [...x.shape] });
    const [num, channels, height, width] = x.shape as [number, number, number, number];
    const g = poolGeometry(ctx, height, width);
    const shape = [num, channels, g.pooledHeight, g.pooledWidth];
    const method = layerParams(ctx.layer, "pooling_param").enumName("pool");
    const top = blobOf(shape);
    if (method === "MAX") {
      const mask = ctx.layer.tops.length > 1 ? blobOf(shape) : null;
      maxPool(x.data, num * channels, g, top.data, mask?.data ?? null);
      return mask ? [top, mask] : [top];
    }
    if (method === "AVE") {
      if (ctx.layer.tops.length > 1) fail("pool-mask-needs-max", { layer: ctx.layer.name });
      avePool(x.data, num * channels, g, top.data);
      return [top];
    }
    return fail("pool-method-unsupported", { layer: ctx.layer.name, method });
  },
};
