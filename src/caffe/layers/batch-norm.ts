import type { NetLayer } from "../net.js";
import { layerParams } from "./params.js";

/** A BatchNorm layer's batch_norm_param: defaults applied to the numbers, use_global_stats null when not written. */
export interface BatchNormParam {
  readonly eps: number;
  readonly movingAverageFraction: number;
  /** As written; null leaves the phase's default (BatchNormLayer::LayerSetUp: true in TEST). */
  readonly useGlobalStats: boolean | null;
}

/**
 * The batch_norm_param of a BVLC BatchNorm layer, read from the net itself with caffe.proto's
 * defaults (eps 1e-5, moving_average_fraction 0.999): what the Caffe executor and the Caffe side of
 * `verify` compute with, independently of what `convert` made of the layer.
 */
export function batchNormParamOf(layer: NetLayer): BatchNormParam {
  const p = layerParams(layer, "batch_norm_param");
  return {
    eps: p.num("eps"),
    movingAverageFraction: p.num("moving_average_fraction"),
    useGlobalStats: p.has("use_global_stats") ? p.bool("use_global_stats") : null,
  };
}
