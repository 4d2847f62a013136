/**
 * A PyTorch BatchNorm that keeps Caffe's statistics exactly from the first training step.
 *
 * Caffe keeps sums (`mean_sum ← f·mean_sum + mean`, `s ← f·s + 1`) and normalises at test time with
 * `mean_sum/s`. Since `f·s_{k−1} = s_k − 1`, the ratio obeys
 * `R_k = (1 − 1/s_k)·R_{k−1} + (1/s_k)·mean_k` — a PyTorch running average whose momentum is `1/s_k`.
 * With s₀ = 0 the first step has momentum 1, so the PyTorch initial buffers do not matter and
 * running_mean equals Caffe's effective mean from step one (plain `momentum = 1 − f` lags behind it
 * until `f^k` vanishes). The same holds for running_var with the unbiased variance, which is what
 * Caffe's var_sum accumulates.
 */
import {
  caffeBatchNormSettings,
  caffeEffectiveStats,
  type CaffeBatchNormBlobs,
  type CaffeBatchNormParam,
} from "./caffe-batch-norm.js";
import type { Tensor } from "./tensor.js";
import {
  createTorchBatchNorm,
  forwardWithFactor,
  type TorchBatchNorm,
  type TorchBatchNormOptions,
  type TorchBatchNormResult,
} from "./torch-batch-norm.js";

/** A PyTorch BatchNorm module plus Caffe's scale factor. */
export interface CaffeEmulatingBatchNorm {
  /** The PyTorch module; its running buffers hold Caffe's effective statistics. */
  readonly module: TorchBatchNorm;
  /** Caffe's moving_average_fraction as float32. */
  readonly movingAverageFraction: number;
  /** Caffe's scale factor s (float32), advanced by `s ← f·s + 1` per training step. */
  scaleFactor: number;
}

/** Options: the PyTorch module's options plus Caffe's maf and the state to start from. */
export interface CaffeEmulatingOptions extends Omit<TorchBatchNormOptions, "momentum" | "runningMean" | "runningVar"> {
  /** Caffe's moving_average_fraction (default 0.999); rounded to float32 as Caffe holds it. */
  readonly movingAverageFraction?: number | null;
  /**
   * Caffe's BatchNorm blobs to start from: the running statistics become their effective statistics
   * and the scale factor is taken over. Without them the layer is fresh: s = 0 and, as Caffe's
   * zero-guard gives at test time, mean 0 and variance 0 (not PyTorch's default variance 1).
   */
  readonly caffeBlobs?: CaffeBatchNormBlobs;
}

/** Creates the module in training mode. */
export function createCaffeEmulatingBatchNorm(options: CaffeEmulatingOptions): CaffeEmulatingBatchNorm {
  const param: CaffeBatchNormParam = { movingAverageFraction: options.movingAverageFraction ?? null };
  const blobs = options.caffeBlobs;
  const stats = blobs === undefined ? null : caffeEffectiveStats(blobs);
  const channels = options.numFeatures;
  return {
    // momentum is replaced by 1/s in every update; 0 documents that PyTorch's schedule is not used.
    module: createTorchBatchNorm({
      ...options,
      momentum: 0,
      runningMean: stats?.mean ?? new Float32Array(channels),
      runningVar: stats?.variance ?? new Float32Array(channels),
    }),
    movingAverageFraction: caffeBatchNormSettings(param, "TRAIN").movingAverageFraction,
    scaleFactor: blobs === undefined ? 0 : (blobs.scaleFactor[0] as number),
  };
}

/**
 * One forward. In training mode the scale factor advances in float32 exactly as Caffe's blob does and
 * the running statistics move with momentum `1/s`; num_batches_tracked still counts, as in PyTorch.
 */
export function caffeEmulatingForward(emulation: CaffeEmulatingBatchNorm, input: Tensor): TorchBatchNormResult {
  const module = emulation.module;
  return forwardWithFactor(module, input, () => {
    emulation.scaleFactor = Math.fround(Math.fround(emulation.scaleFactor * emulation.movingAverageFraction) + 1);
    if (module.numBatchesTracked !== null) module.numBatchesTracked += 1;
    return 1 / emulation.scaleFactor;
  });
}
