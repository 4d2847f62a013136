/**
 * The seeded data a block is verified on: per-channel input distributions, gamma/beta, the stored
 * statistics for modes that read them, and one input per forward.
 *
 * Everything is drawn from `seed`, the block's index and the step, so a block's data does not depend
 * on which other blocks run, and input k can be drawn without drawing inputs 0…k−1.
 */
import { caffeBatchNormBlobsFrom, caffeEffectiveStats, type CaffeBatchNormBlobs } from "../numeric/caffe-batch-norm.js";
import { createRng, type Rng } from "../numeric/rng.js";
import { channelLayout, numel, type Tensor } from "../numeric/tensor.js";
import type { ConvertBlock } from "../convert/types.js";

/** A block's verification data. */
export interface BlockScenario {
  readonly shape: readonly number[];
  readonly channels: number;
  /** Per channel, the mean and standard deviation inputs are drawn with. */
  readonly channelMean: Float32Array;
  readonly channelStd: Float32Array;
  /** The Scale's gamma, or null without a Scale. */
  readonly gamma: Float32Array | null;
  /** beta (the Scale's bias or the Bias layer's), or null when the block adds none. */
  readonly beta: Float32Array | null;
  /**
   * Caffe's three blobs before the first forward: seeded, with a scale factor s ≠ 1, for modes that
   * read the stored statistics (eval, frozen) — what a trained caffemodel provides; null (fresh zero
   * blobs, s = 0) for modes that compute them from batches.
   */
  readonly preset: CaffeBatchNormBlobs | null;
  /** The input of training forward `k` (0-based), or of the evaluation forward for `k = steps`. */
  input(k: number): Tensor;
}

/** A 32-bit hash of a few integers (murmur3's finaliser over a running combination). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng.nextFloat();
}

/** Whether the block's mode reads Caffe's stored statistics (so they must be preset, as from a caffemodel). */
export function readsStoredStatistics(block: ConvertBlock): boolean {
  return block.torch.mode === "eval" || block.torch.mode === "frozen";
}

/**
 * The scenario of block `index` with input shape `shape`.
 *
 * Channel means ~ N(0, 1.5²) and standard deviations in [0.6, 2] keep every statistic away from
 * PyTorch's initial 0 and 1, so a lag is visible; gamma ∈ [0.5, 1.5] and beta ~ N(0, 0.5²) are
 * non-trivial, so a swapped or dropped affine part shows. Preset statistics are near (not equal to)
 * the input distribution, with s ∈ [2, 1000) so that Caffe's multiplication by fround(1/s) matters.
 */
export function blockScenario(block: ConvertBlock, index: number, shape: readonly number[], seed: number): BlockScenario {
  const { channels, spatial, num } = channelLayout(shape);
  const rng = createRng(mixSeed(seed, index, 0));
  const channelMean = new Float32Array(channels);
  const channelStd = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    channelMean[c] = 1.5 * rng.nextNormal();
    channelStd[c] = Math.exp(uniform(rng, Math.log(0.6), Math.log(2)));
  }
  const affine = block.scale !== null;
  const gamma = affine ? Float32Array.from({ length: channels }, () => uniform(rng, 0.5, 1.5)) : null;
  const hasBeta = block.caffe.bias_term === true || block.bias !== null;
  const beta = hasBeta ? Float32Array.from({ length: channels }, () => 0.5 * rng.nextNormal()) : null;

  let preset: CaffeBatchNormBlobs | null = null;
  if (readsStoredStatistics(block)) {
    const s = Math.fround(uniform(rng, 2, 1000));
    const meanSum = new Float32Array(channels);
    const varSum = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const std = channelStd[c] as number;
      meanSum[c] = ((channelMean[c] as number) + 0.2 * std * rng.nextNormal()) * s;
      varSum[c] = std * std * uniform(rng, 0.7, 1.3) * s;
    }
    preset = caffeBatchNormBlobsFrom(meanSum, varSum, s);
  }

  const input = (k: number): Tensor => {
    const r = createRng(mixSeed(seed, index, k + 1));
    const data = new Float32Array(numel(shape));
    for (let n = 0; n < num; n++) {
      for (let c = 0; c < channels; c++) {
        const mean = channelMean[c] as number;
        const std = channelStd[c] as number;
        const base = (n * channels + c) * spatial;
        for (let i = base; i < base + spatial; i++) data[i] = mean + std * r.nextNormal();
      }
    }
    return { shape: [...shape], data };
  };
  return { shape: [...shape], channels, channelMean, channelStd, gamma, beta, preset, input };
}

/** The effective statistics PyTorch loads for a preset (Caffe's sums times fround(1/s), float32). */
export function presetStatistics(scenario: BlockScenario): { mean: Float32Array; variance: Float32Array } | null {
  return scenario.preset === null ? null : caffeEffectiveStats(scenario.preset);
}
