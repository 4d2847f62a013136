/**
 * `verify --weights`: what each block starts from when a trained caffemodel is given.
 *
 * The two sides start from different material, so that the check is real:
 * - Caffe's side gets the caffemodel's own blobs (mean_sum, var_sum, scale factor; the Scale's gamma
 *   and beta, or the Bias layer's beta), read again from the file, and computes with them as
 *   BatchNormLayer does (`sum·fround(1/s)` at TEST time, `sum ← f·sum + batch`, `s ← f·s + 1` while
 *   training);
 * - PyTorch's side gets the converted state — running_mean, running_var, weight, bias,
 *   num_batches_tracked and (for the `--exact` modules) caffe_scale_factor — as `convert --weights`
 *   writes it to model.safetensors and `build()` loads it: the state is serialised and parsed back.
 */
import type { BlockWeights, ConvertBlock, WeightsInfo } from "../convert/types.js";
import { caffeBatchNormBlobsFrom, caffeEffectiveStats, type CaffeBatchNormBlobs } from "../numeric/caffe-batch-norm.js";
import { planModules } from "../emit/python-plan.js";
import type { AttachedWeights } from "../weights/attach.js";
import { readBlockBlobs, type BlockLayerSpec } from "../weights/block-blobs.js";
import { readCaffemodel, type WeightLayer } from "../weights/caffemodel.js";
import { parseSafetensors, safetensorsBytes, type SafetensorsTensor } from "../weights/safetensors.js";
import { range } from "../weights/statistics.js";

/** Caffe's side of a block, from the caffemodel's blobs. */
export interface CaffeStart {
  /** The BatchNorm's three blobs as stored. */
  readonly blobs: CaffeBatchNormBlobs;
  /** The Scale's gamma; null without a Scale. */
  readonly gamma: Float32Array | null;
  /** The Scale's bias (bias_term) or the Bias layer's blob; null when the block adds none. */
  readonly beta: Float32Array | null;
}

/** PyTorch's side of a block: the module's state_dict entries as model.safetensors holds them (null when absent). */
export interface TorchStart {
  readonly runningMean: Float32Array | null;
  readonly runningVar: Float32Array | null;
  readonly weight: Float32Array | null;
  readonly bias: Float32Array | null;
  readonly numBatchesTracked: number | null;
  /** `caffe_scale_factor` of the `--exact` modules; null when the state was converted without it. */
  readonly scaleFactor: number | null;
}

/** One block's starting values. */
export interface BlockStart {
  readonly caffe: CaffeStart;
  readonly torch: TorchStart;
}

/** The weights a verification starts from. */
export interface VerifyWeights {
  /** The caffemodel, as `convert --weights` reports it. */
  readonly info: WeightsInfo;
  /** By block index (ConvertResult.blocks order); blocks absent here start as without weights. */
  readonly blocks: ReadonlyMap<number, BlockStart>;
}

/**
 * The layers of a BVLC block, as attach.ts lists them for readBlockBlobs (ranges are only for
 * diagnostics, which attaching has already reported).
 */
function blockSpecs(block: ConvertBlock): BlockLayerSpec[] {
  const specs: BlockLayerSpec[] = [{ role: "BatchNorm", name: block.batchnorm, blobs: 3, range: undefined }];
  if (block.scale !== null) specs.push({ role: "Scale", name: block.scale, blobs: block.caffe.bias_term ? 2 : 1, range: undefined });
  if (block.bias !== null) specs.push({ role: "Bias", name: block.bias, blobs: 1, range: undefined });
  return specs;
}

function f32(tensors: ReadonlyMap<string, SafetensorsTensor>, name: string): Float32Array | null {
  const t = tensors.get(name);
  return t !== undefined && t.dtype === "F32" ? t.data : null;
}

function torchStart(tensors: ReadonlyMap<string, SafetensorsTensor>, key: string): TorchStart {
  const tracked = tensors.get(`${key}.num_batches_tracked`);
  const scale = f32(tensors, `${key}.caffe_scale_factor`);
  return {
    runningMean: f32(tensors, `${key}.running_mean`),
    runningVar: f32(tensors, `${key}.running_var`),
    weight: f32(tensors, `${key}.weight`),
    bias: f32(tensors, `${key}.bias`),
    numBatchesTracked: tracked !== undefined && tracked.dtype === "I64" ? Number(tracked.data[0]) : null,
    scaleFactor: scale === null ? null : (scale[0] as number),
  };
}

/**
 * The starting values of every block that has weights, from a successful {@link attachWeights}
 * (no error diagnostics) and the caffemodel's bytes. Attach with `exact: true`: the `--exact`
 * modules need caffe_scale_factor, and verify runs them beside the plain ones for train-mode blocks
 * (a plain module ignores the extra buffer).
 *
 * Caffe's blobs are matched by name as Net::CopyTrainedLayersFrom matches them (a later layer of
 * the same name wins), as attaching did.
 */
export function verifyWeights(attached: AttachedWeights, caffemodel: Uint8Array): VerifyWeights {
  const info = attached.result.weights;
  if (info === undefined) throw new Error("verifyWeights: the result has no weights attached");
  const model = readCaffemodel(caffemodel);
  const sources = new Map<string, WeightLayer>();
  for (const layer of model.layers) sources.set(layer.name, layer);
  // What build() loads: the state as serialised into model.safetensors, parsed back.
  const tensors = parseSafetensors(safetensorsBytes(attached.state, attached.metadata)).tensors;
  const blocks = new Map<number, BlockStart>();
  for (const plan of planModules(attached.result)) {
    const block = plan.block;
    if (plan.skipReason !== null || block.weights === undefined || block.weights === null) continue;
    const { blobs } = readBlockBlobs(blockSpecs(block), model, sources, block.torch.num_features);
    if (blobs === null) continue;
    blocks.set(plan.index, {
      caffe: { blobs: caffeBatchNormBlobsFrom(blobs.meanSum, blobs.varSum, blobs.scaleFactor), gamma: blobs.gamma, beta: blobs.beta },
      torch: torchStart(tensors, plan.key),
    });
  }
  return { info, blocks };
}

/**
 * The report's summary of what Caffe's side started from: its scale factor and the range of the
 * effective statistics its blobs give (as `convert --weights` summarises them), and the
 * num_batches_tracked PyTorch's side loaded.
 */
export function startSummary(start: BlockStart): BlockWeights {
  const stats = caffeEffectiveStats(start.caffe.blobs);
  const mean = range(stats.mean);
  const variance = range(stats.variance);
  return {
    scale_factor: start.caffe.blobs.scaleFactor[0] as number,
    mean_min: mean?.min ?? null,
    mean_max: mean?.max ?? null,
    var_min: variance?.min ?? null,
    var_max: variance?.max ?? null,
    num_batches_tracked: start.torch.numBatchesTracked,
  };
}
