import type { ConvertBlock } from "../types.js";
import type { ModuleSpec, ParamBinding, PyValue } from "../torch-graph.js";
import { bindBlob, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** PyTorch's BatchNorm defaults, left out of the generated call when equal. */
const TORCH_EPS = 1e-5;
const TORCH_MOMENTUM = 0.1;

/**
 * The module of a BatchNorm block, exactly as `convert` configures it (one source of truth):
 * `nn.BatchNormNd(C, eps, momentum = 1 − fraction, affine, track_running_stats)`, or with
 * `--exact` the subclass that keeps Caffe's scale factor.
 */
export function batchNormModule(block: ConvertBlock, exact: boolean): ModuleSpec | null {
  const t = block.torch;
  if (t.module === null || t.num_features === null) return null;
  const kwargs: Record<string, PyValue> = {};
  if (t.eps !== TORCH_EPS) kwargs["eps"] = t.eps;
  const emulate = exact && block.caffe.fork === undefined && t.track_running_stats;
  if (emulate) kwargs["moving_average_fraction"] = block.caffe.moving_average_fraction;
  else if (t.momentum !== TORCH_MOMENTUM) kwargs["momentum"] = t.momentum;
  if (!t.affine) kwargs["affine"] = false;
  if (!t.track_running_stats) kwargs["track_running_stats"] = false;
  return { cls: emulate ? `Caffe${t.module}` : `nn.${t.module}`, args: [t.num_features], kwargs };
}

/** BVLC BatchNorm: blobs [mean·s, var·s, s] → running_mean, running_var (sum · 1/s), and s. */
function convertBatchNorm(ctx: LayerContext): LayerConversion | LayerRefusal {
  const block = ctx.block;
  if (!block) return { refused: "no-block" };
  if (block.caffe.fork !== undefined) return { refused: "fork-batch-norm", data: { family: block.caffe.fork.family } };
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

/** BatchNorm (BVLC). */
export const batchNormConverter: LayerConverter = { types: ["BatchNorm"], convert: convertBatchNorm };
