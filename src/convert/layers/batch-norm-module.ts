import type { ConvertBlock } from "../types.js";
import type { ModuleSpec, PyValue } from "../torch-graph.js";

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
