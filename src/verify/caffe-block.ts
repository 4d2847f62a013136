/**
 * What the Caffe side of a block computes with, read from the net itself — the BatchNorm layer's
 * batch_norm_param and the Scale's bias_term, with caffe.proto's defaults (caffe/layers) — never
 * from what `convert` reported (`block.caffe.*`): a parameter the converter misreads would otherwise
 * be wrong on both sides, and the comparison could not see it.
 */
import { batchNormParamOf } from "../caffe/layers/batch-norm.js";
import { layerParams } from "../caffe/layers/params.js";
import type { NetLayer, NetModel } from "../caffe/net.js";
import type { ConvertBlock } from "../convert/types.js";
import { caffeBatchNormSettings, type CaffeBatchNormSettings } from "../numeric/caffe-batch-norm.js";

/** A block's Caffe layers, as the net holds them. */
export interface CaffeBlockLayers {
  readonly batchNorm: NetLayer;
  readonly scale: NetLayer | null;
  readonly bias: NetLayer | null;
}

/**
 * The layers of `block` in `net` (the net the result was converted from, in its phase), found by the
 * names the block carries. Throws when one is missing: the result is not of this net.
 */
export function caffeBlockLayers(block: ConvertBlock, net: NetModel): CaffeBlockLayers {
  const find = (name: string): NetLayer => {
    const layer = net.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`verify: the net has no layer ${name} (block ${block.batchnorm}); the conversion is not of this net`);
    return layer;
  };
  return {
    batchNorm: find(block.batchnorm),
    scale: block.scale === null ? null : find(block.scale),
    bias: block.bias === null ? null : find(block.bias),
  };
}

/** How Caffe runs a block in a phase, from its layers' own parameters. */
export interface CaffeBlockSettings {
  /** The training forwards: the phase's net (use_global_stats as written, else the phase's default). */
  readonly training: CaffeBatchNormSettings;
  /** The evaluation forward: a TEST net's (use_global_stats as written, else true). */
  readonly evaluation: CaffeBatchNormSettings;
  /** Whether the Scale adds its own bias (scale_param.bias_term). */
  readonly scaleBias: boolean;
}

/** The settings of a block's layers in `phase` (BatchNormLayer::LayerSetUp, ScaleLayer::LayerSetUp). */
export function caffeBlockSettings(layers: CaffeBlockLayers, phase: "TRAIN" | "TEST"): CaffeBlockSettings {
  const param = batchNormParamOf(layers.batchNorm);
  return {
    training: caffeBatchNormSettings(param, phase),
    evaluation: caffeBatchNormSettings(param, "TEST"),
    scaleBias: layers.scale !== null && layerParams(layers.scale, "scale_param").bool("bias_term"),
  };
}
