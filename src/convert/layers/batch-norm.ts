import type { ParamBinding } from "../torch-graph.js";
import { batchNormModule } from "./batch-norm-module.js";
import { bindBlob, keyOf } from "./bindings.js";
import { convertForkBatchNorm } from "./fork-batch-norm.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** BVLC BatchNorm: blobs [mean·s, var·s, s] → running_mean, running_var (sum · 1/s), and s. */
function convertBatchNorm(ctx: LayerContext): LayerConversion | LayerRefusal {
  const block = ctx.block;
  if (!block) return { refused: "no-block" };
  // NVIDIA Caffe's BatchNorm with scale_bias shares the type string and holds gamma/beta itself.
  if (block.caffe.fork !== undefined) return convertForkBatchNorm(ctx);
  const module = batchNormModule(block, ctx.exact);
  if (!module) return { refused: block.torch.module === null ? "input-shape-unknown" : "channels-unknown" };
  const c = block.torch.num_features!;
  const emulate = module.cls.startsWith("Caffe");
  const params: ParamBinding[] = [];
  const frozen: string[] = [];
  if (block.torch.track_running_stats) {
    params.push(
      bindBlob(ctx, 0, { key: keyOf(ctx.attr, "running_mean"), shape: [c], kind: "buffer", layout: { kind: "bn-statistic", scaleBlob: 2 } }),
      bindBlob(ctx, 1, { key: keyOf(ctx.attr, "running_var"), shape: [c], kind: "buffer", layout: { kind: "bn-statistic", scaleBlob: 2 } }),
      {
        ...bindBlob(ctx, 2, {
          key: emulate ? keyOf(ctx.attr, "caffe_scale_factor") : null,
          shape: [1],
          kind: "buffer",
          layout: { kind: "bn-scale-factor" },
        }),
        derived: { key: keyOf(ctx.attr, "num_batches_tracked"), layout: { kind: "bn-batches", fraction: block.caffe.moving_average_fraction } },
      },
    );
  } else {
    // Without running statistics the module has no buffers for the blobs, which Caffe still stores.
    for (let b = 0; b < 3; b++) params.push(bindBlob(ctx, b, { key: null, shape: b === 2 ? [1] : [c], kind: "buffer" }));
  }
  const constants = [];
  if (block.torch.affine) {
    if (block.torch.weight_requires_grad === false) frozen.push(keyOf(ctx.attr, "weight"));
    if (block.torch.bias_requires_grad === false) frozen.push(keyOf(ctx.attr, "bias"));
    // A Scale without bias term and no Bias layer: the affine module's beta stays 0.
    if (block.bias === null && block.caffe.bias_term === false) constants.push({ key: keyOf(ctx.attr, "bias"), shape: [c], value: 0 });
  }
  const evalWhileTraining = block.caffe.use_global_stats_by_phase.TRAIN;
  return { module, call: { kind: "module" }, params, constants, frozen, bnMode: block.torch.mode, evalWhileTraining };
}

/** BatchNorm (BVLC, and NVIDIA Caffe's with scale_bias). */
export const batchNormConverter: LayerConverter = { types: ["BatchNorm"], convert: convertBatchNorm };

/** `BN` of the SegNet / ENet and PSPNet forks. */
export const forkBatchNormConverter: LayerConverter = { types: ["BN"], convert: convertForkBatchNorm };
