/**
 * BatchNorm, as BVLC Caffe's BatchNormLayer (batch_norm_layer.cpp): global statistics
 * `mean_sum·fround(1/s)`, `var_sum·fround(1/s)` (zero when s = 0) in TEST unless
 * `use_global_stats: false` is written; batch statistics otherwise (TRAIN's default). With batch
 * statistics the forward also folds the batch into the three blobs, as Forward_cpu does
 * (`s ← maf·s + 1`, `mean_sum ← mean + maf·mean_sum`, `var_sum ← m/(m−1)·var + maf·var_sum`),
 * and hands them to `updateParams`. The arithmetic is numeric/caffe-batch-norm.ts, which
 * reproduces Caffe's bits.
 */
import { batchNormParamOf } from "../../caffe/layers/batch-norm.js";
import { bnVariant } from "../../caffe/bn-variant.js";
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
    const channels = x.shape.length === 1 ? 1 : x.shape[1]!;
    const settings = caffeBatchNormSettings(batchNormParamOf(ctx.layer), ctx.phase);
    const stored = [param(ctx, 0, [channels]), param(ctx, 1, [channels]), param(ctx, 2, [1])] as const;
    // Copies: a batch-statistics forward updates the blobs, and the caller's weights stay as given.
    const blobs = caffeBatchNormBlobsFrom(stored[0].data, stored[1].data, stored[2].data[0]!);
    const out = caffeBatchNormForward({ shape: [...x.shape], data: x.data }, blobs, settings);
    if (!settings.useGlobalStats) {
      // In the shapes the caffemodel gave (legacy 4-axis ones included), so they can be fed back.
      const given = ctx.params;
      ctx.updateParams?.([blobs.meanSum, blobs.varSum, blobs.scaleFactor].map((data, i) => ({ shape: [...given[i]!.shape], data, ...(given[i]!.legacy && { legacy: true }) })));
    }
    return [{ shape: [...x.shape], data: out.top.data }];
  },
};
