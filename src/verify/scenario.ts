/**
 * The seeded data a block is verified on: per-channel input distributions, gamma/beta, the stored
 * statistics for modes that read them, and one input per forward.
 *
 * Everything is drawn from `seed`, the block's index and the step, so a block's data does not depend
 * on which other blocks run, and input k can be drawn without drawing inputs 0…k−1.
 *
 * Each input is drawn so that its per-channel batch statistics are exactly (before float32 rounding)
 * a seeded mean and standard deviation: bell-shaped deviates, standardised over the batch. Plain normal
 * draws would now and then give a batch whose values nearly coincide (with m = 2 values per channel,
 * a rank-2 block at batch 2, this happens within a few thousand steps); normalising such a batch
 * amplifies float32 rounding by |x|/σ in Caffe and PyTorch alike, and the two would differ by their
 * conditioning rather than by their semantics.
 */
import { caffeBatchNormBlobsFrom, caffeEffectiveStats, type CaffeBatchNormBlobs } from "../numeric/caffe-batch-norm.js";
import { createRng, type Rng } from "../numeric/rng.js";
import { channelLayout, numel, type Tensor } from "../numeric/tensor.js";
import type { ConvertBlock } from "../convert/types.js";
import type { BlockStart, TorchStart } from "./weights.js";

/**
 * What a block's statistics start from: `caffemodel` (`--weights`: Caffe's blobs and PyTorch's
 * converted state), `seeded` (seeded blobs with s ≠ 1, for modes that read stored statistics) or
 * `fresh` (s = 0 and PyTorch's initial buffers, for modes that compute them from batches).
 */
export type StatisticsSource = "caffemodel" | "seeded" | "fresh";

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
  /** With `--weights`: PyTorch's converted state (else PyTorch loads {@link presetStatistics} and gamma/beta). */
  readonly torchStart: TorchStart | null;
  readonly statistics: StatisticsSource;
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

/**
 * Fills `out` with bell-shaped deviates of mean 0 and variance 1: sums of four 16-bit uniforms
 * (Irwin–Hall), centred and scaled by √3, from a mulberry32 stream (rng.ts's generator, inlined here
 * because inputs have millions of elements). The shape hardly matters: each batch is standardised
 * afterwards.
 */
function fillBell(out: Float64Array, seed: number): void {
  let state = seed | 0;
  const scale = Math.sqrt(3) / 65536;
  for (let j = 0; j < out.length; j++) {
    state = (state + 0x6d2b79f5) | 0;
    let z = Math.imul(state ^ (state >>> 15), state | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    const a = (z ^ (z >>> 14)) >>> 0;
    state = (state + 0x6d2b79f5) | 0;
    z = Math.imul(state ^ (state >>> 15), state | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    const b = (z ^ (z >>> 14)) >>> 0;
    out[j] = ((a & 0xffff) + (a >>> 16) + (b & 0xffff) + (b >>> 16) - 131072) * scale;
  }
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
 *
 * With `start` (`--weights`), whatever the mode: Caffe's blobs, gamma and beta are the caffemodel's,
 * PyTorch starts from the converted state, and inputs are drawn around the trained statistics
 * (channel mean = effective mean, standard deviation = √(effective variance), where finite and
 * positive; the seeded values elsewhere), as the data the net was trained on would be. The seeded
 * draws are still made, so the inputs' randomness does not depend on whether weights are given.
 */
export function blockScenario(
  block: ConvertBlock,
  index: number,
  shape: readonly number[],
  seed: number,
  start: BlockStart | null = null,
): BlockScenario {
  const { channels, spatial, num } = channelLayout(shape);
  const rng = createRng(mixSeed(seed, index, 0));
  const channelMean = new Float32Array(channels);
  const channelStd = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    channelMean[c] = 1.5 * rng.nextNormal();
    channelStd[c] = Math.exp(uniform(rng, Math.log(0.6), Math.log(2)));
  }
  const affine = block.scale !== null;
  let gamma: Float32Array | null = affine ? Float32Array.from({ length: channels }, () => uniform(rng, 0.5, 1.5)) : null;
  const hasBeta = block.caffe.bias_term === true || block.bias !== null;
  let beta: Float32Array | null = hasBeta ? Float32Array.from({ length: channels }, () => 0.5 * rng.nextNormal()) : null;

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
  let statistics: StatisticsSource = preset === null ? "fresh" : "seeded";
  if (start !== null) {
    const blobs = start.caffe.blobs;
    if (blobs.meanSum.length !== channels) {
      throw new Error(`blockScenario: ${block.batchnorm} has ${channels} channels, its caffemodel blobs ${blobs.meanSum.length}`);
    }
    preset = caffeBatchNormBlobsFrom(blobs.meanSum, blobs.varSum, blobs.scaleFactor[0] as number);
    const trained = caffeEffectiveStats(preset);
    for (let c = 0; c < channels; c++) {
      const m = trained.mean[c] as number;
      const v = trained.variance[c] as number;
      if (Number.isFinite(m)) channelMean[c] = m;
      if (Number.isFinite(v) && v > 0) channelStd[c] = Math.sqrt(v);
    }
    gamma = start.caffe.gamma && Float32Array.from(start.caffe.gamma);
    beta = start.caffe.beta && Float32Array.from(start.caffe.beta);
    statistics = "caffemodel";
  }

  const input = (k: number): Tensor => {
    const r = createRng(mixSeed(seed, index, k + 1));
    const data = new Float32Array(numel(shape));
    const z = new Float64Array(num * spatial);
    for (let c = 0; c < channels; c++) {
      // This batch's statistics: near the channel's, different at every step.
      const std = channelStd[c] as number;
      const batchMean = (channelMean[c] as number) + 0.3 * std * r.nextNormal();
      const batchStd = std * Math.exp(0.2 * r.nextNormal());
      fillBell(z, r.nextUint32());
      let sum = 0;
      for (let j = 0; j < z.length; j++) sum += z[j]!;
      const mu = sum / z.length;
      let squares = 0;
      for (let j = 0; j < z.length; j++) squares += (z[j]! - mu) ** 2;
      const sd = Math.sqrt(squares / z.length);
      const scale = sd > 0 ? batchStd / sd : 0;
      for (let n = 0, j = 0; n < num; n++) {
        const base = (n * channels + c) * spatial;
        for (let i = base; i < base + spatial; i++, j++) data[i] = batchMean + (z[j]! - mu) * scale;
      }
    }
    return { shape: [...shape], data };
  };
  return { shape: [...shape], channels, channelMean, channelStd, gamma, beta, preset, torchStart: start?.torch ?? null, statistics, input };
}

/** The effective statistics PyTorch loads for a preset (Caffe's sums times fround(1/s), float32). */
export function presetStatistics(scenario: BlockScenario): { mean: Float32Array; variance: Float32Array } | null {
  return scenario.preset === null ? null : caffeEffectiveStats(scenario.preset);
}
