/**
 * BatchNorm, as BVLC Caffe's BatchNormLayer (batch_norm_layer.cpp): global statistics
 * `mean_sum·fround(1/s)`, `var_sum·fround(1/s)` (zero when s = 0) in TEST unless
 * `use_global_stats: false` is written; batch statistics otherwise. The arithmetic is
 * numeric/caffe-batch-norm.ts, which reproduces Caffe's bits.
 */
import { bnVariant } from "../../caffe/bn-variant.js";
import { layerParams } from "../../caffe/layers/params.js";
import { caffeBatchNormBlobsFrom, caffeBatchNormForward, caffeBatchNormSettings } from "../../numeric/caffe-batch-norm.js";
import { needBottoms, param } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";
import { nvcaffeBatchNorm } from "./fork-batch-norm.js";

export const batchNorm: LayerExecutor = {
  types: ["BatchNorm"],
  forward(ctx) {
    // NVIDIA Caffe's BatchNorm with scale_bias holds five blobs and other semantics (fork-batch-norm.ts).
    if (bnVariant(ctx.layer, ctx.sourceMap).family === "nvcaffe") return nvcaffeBatchNorm(ctx);
    needBottoms(ctx, 1);
    // Net::CopyTrainedLayersFrom checks the blob count: BVLC's layer has 3 (NVIDIA's with scale_bias 5).
    if (ctx.params.length !== 3) fail("param-count", { layer: ctx.layer.name, expected: 3, actual: ctx.params.length });
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "batch_norm_param");
    const channels = x.shape.length === 1 ? 1 : x.shape[1]!;
    const settings = caffeBatchNormSettings(
      {
        eps: p.num("eps"),
        movingAverageFraction: p.num("moving_average_fraction"),
        useGlobalStats: p.has("use_global_stats") ? p.bool("use_global_stats") : null,
      },
      ctx.phase,
    );
    // Copies: a batch-statistics forward updates the blobs, and the caller's weights stay as given.
    const blobs = caffeBatchNormBlobsFrom(param(ctx, 0, [channels]).data, param(ctx, 1, [channels]).data, param(ctx, 2, [1]).data[0]!);
    const out = caffeBatchNormForward({ shape: [...x.shape], data: x.data }, blobs, settings);
    return [{ shape: [...x.shape], data: out.top.data }];
  },
};
