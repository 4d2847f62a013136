/**
 * torch.nn.BatchNorm{1,2,3}d as PyTorch 1.13 computes it on the CPU in float32.
 *
 * The module semantics follow torch/nn/modules/batchnorm.py (_BatchNorm.forward) and
 * Normalization.cpp (batch_norm_cpu_update_stats_template, the running-stat update); the per-element
 * arithmetic is ATen's AVX2 kernels, emulated in torch-kernels.ts.
 */
import { fmaf } from "./float32.js";
import { channelLayout, type Tensor } from "./tensor.js";
import { simdTorchCollectStats, simdTorchTransform } from "./torch-batch-norm-simd.js";
import { torchBackwardSums, torchCollectStats, torchTransform } from "./torch-kernels.js";
import { freshFloats } from "./float-pool.js";

/** The PyTorch class for an input rank: BatchNorm1d for rank 2 and 3, 2d for 4, 3d for 5; null otherwise. */
export function torchModuleForRank(rank: number): "BatchNorm1d" | "BatchNorm2d" | "BatchNorm3d" | null {
  if (rank === 2 || rank === 3) return "BatchNorm1d";
  if (rank === 4) return "BatchNorm2d";
  if (rank === 5) return "BatchNorm3d";
  return null;
}

/** Constructor options, mirroring nn.BatchNorm2d(num_features, eps, momentum, affine, track_running_stats). */
export interface TorchBatchNormOptions {
  readonly numFeatures: number;
  /** Default 1e-5. */
  readonly eps?: number;
  /** Default 0.1; null means a cumulative moving average (momentum 1/num_batches_tracked). */
  readonly momentum?: number | null;
  /** Default true: learnable weight (ones) and bias (zeros). */
  readonly affine?: boolean;
  /** Default true: running_mean/running_var/num_batches_tracked buffers exist. */
  readonly trackRunningStats?: boolean;
  /** Initial running_mean (default zeros), when tracking. */
  readonly runningMean?: ArrayLike<number>;
  /** Initial running_var (default ones), when tracking. */
  readonly runningVar?: ArrayLike<number>;
  /** Initial weight (default ones), when affine. */
  readonly weight?: ArrayLike<number>;
  /** Initial bias (default zeros), when affine. */
  readonly bias?: ArrayLike<number>;
}

/** A BatchNorm module's parameters, buffers and mode. Forwards mutate the buffers, as in PyTorch. */
export interface TorchBatchNorm {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Float32Array | null;
  readonly bias: Float32Array | null;
  readonly runningMean: Float32Array | null;
  readonly runningVar: Float32Array | null;
  /** null when not tracking running stats (the buffer is None in PyTorch). */
  numBatchesTracked: number | null;
  /** `module.train()` (true) or `module.eval()` (false). */
  training: boolean;
}

function filled(length: number, value: number, init?: ArrayLike<number>): Float32Array {
  if (init === undefined) return new Float32Array(length).fill(value);
  if (init.length !== length) throw new RangeError(`expected ${length} values, got ${init.length}`);
  return Float32Array.from(init);
}

/** Creates a module as nn.BatchNorm*d.__init__ + reset_parameters do; it starts in training mode. */
export function createTorchBatchNorm(options: TorchBatchNormOptions): TorchBatchNorm {
  const c = options.numFeatures;
  const affine = options.affine ?? true;
  const track = options.trackRunningStats ?? true;
  return {
    numFeatures: c,
    eps: options.eps ?? 1e-5,
    momentum: options.momentum === undefined ? 0.1 : options.momentum,
    affine,
    trackRunningStats: track,
    weight: affine ? filled(c, 1, options.weight) : null,
    bias: affine ? filled(c, 0, options.bias) : null,
    runningMean: track ? filled(c, 0, options.runningMean) : null,
    runningVar: track ? filled(c, 1, options.runningVar) : null,
    numBatchesTracked: track ? 0 : null,
    training: true,
  };
}

/** What the backward needs from a forward (PyTorch's save_mean / save_invstd and the input). */
export interface TorchBatchNormSaved {
  readonly input: Tensor;
  /** The mean used: the batch mean, or running_mean in eval. */
  readonly mean: Float32Array;
  /** The invstd used: `1/sqrt(var + eps)` of the batch, or of running_var in eval. */
  readonly invstd: Float32Array;
  /** Whether batch statistics were used (PyTorch's `bn_training`). */
  readonly batchStats: boolean;
}

/** A forward's output and saved values. */
export interface TorchBatchNormResult {
  readonly output: Tensor;
  readonly saved: TorchBatchNormSaved;
}

/**
 * The moving-average factor _BatchNorm.forward passes to F.batch_norm: in training with tracking it
 * first increments num_batches_tracked, then uses `momentum`, or `1/num_batches_tracked` when
 * momentum is null.
 */
function nextAverageFactor(module: TorchBatchNorm): number {
  if (!module.training || !module.trackRunningStats || module.numBatchesTracked === null) {
    return module.momentum ?? 0;
  }
  module.numBatchesTracked += 1;
  return module.momentum === null ? 1 / module.numBatchesTracked : module.momentum;
}

/**
 * Runs the module on `input` ([N, C, ...]), updating the running buffers in training mode.
 *
 * As PyTorch does: batch statistics are used in training, or in eval when there are no running
 * buffers; normalisation uses the biased batch variance while running_var receives the unbiased one.
 *
 * @throws RangeError when batch statistics would reduce over one value per channel (PyTorch raises
 *   "Expected more than 1 value per channel when training").
 */
export function torchBatchNormForward(module: TorchBatchNorm, input: Tensor): TorchBatchNormResult {
  return forwardWithFactor(module, input, () => nextAverageFactor(module));
}

/**
 * The forward with the moving-average factor supplied by the caller; used by the Caffe-emulating
 * module, which replaces PyTorch's momentum schedule. `factor` is called once, only when the running
 * statistics are updated.
 */
export function forwardWithFactor(
  module: TorchBatchNorm,
  input: Tensor,
  factor: () => number,
): TorchBatchNormResult {
  const { num, channels, spatial, m } = channelLayout(input.shape);
  if (channels !== module.numFeatures) {
    throw new RangeError(`expected ${module.numFeatures} channels, got ${channels}`);
  }
  const batchStats = module.training || module.runningMean === null || module.runningVar === null;
  const x = input.data;
  let mean: Float32Array;
  const invstd = new Float32Array(channels);
  if (batchStats) {
    // F.batch_norm checks this whenever batch statistics are used (_verify_batch_size).
    if (m <= 1) {
      throw new RangeError(`expected more than 1 value per channel when training, got input shape [${input.shape.join(",")}]`);
    }
    const stats = simdTorchCollectStats(x, num, channels, spatial) ?? torchCollectStats(x, num, channels, spatial);
    mean = stats.mean;
    for (let c = 0; c < channels; c++) {
      // `_var_sum_a[f] / n` divides a float by an integer in float; InvStd<double> then takes
      // 1/sqrt(var + eps) in double, stored as float; 0 when var and eps are 0.
      const biased = Math.fround((stats.varSum[c] as number) / m);
      invstd[c] = biased === 0 && module.eps === 0 ? 0 : 1 / Math.sqrt(biased + module.eps);
    }
    const track = module.training && module.runningMean !== null && module.runningVar !== null;
    if (track) updateRunningStats(module, mean, stats.varSum, m, factor());
  } else {
    mean = Float32Array.from(module.runningMean as Float32Array);
    const rv = module.runningVar as Float32Array;
    const eps32 = Math.fround(module.eps);
    // batch_norm_cpu_collect_linear_and_constant_terms (eval): opmath float throughout.
    for (let c = 0; c < channels; c++) invstd[c] = 1 / Math.fround(Math.sqrt(Math.fround((rv[c] as number) + eps32)));
  }
  const y = freshFloats(x.length);
  if (!simdTorchTransform(x, y, num, channels, spatial, mean, invstd, module.weight, module.bias)) {
    torchTransform(x, y, num, channels, spatial, mean, invstd, module.weight, module.bias);
  }
  return {
    output: { shape: [...input.shape], data: y },
    saved: { input, mean, invstd, batchStats },
  };
}

/**
 * The running-statistics update of batch_norm_cpu_update_stats_template, with PyTorch's precisions:
 * the momentum is cast to float; running_mean is updated in float; the unbiased variance
 * `var_sum/(m−1)` is a float division, widened to double for `momentum·unbiased + (1−momentum)·rv`.
 */
function updateRunningStats(
  module: TorchBatchNorm,
  mean: Float32Array,
  varSum: Float32Array,
  m: number,
  factor: number,
): void {
  const rm = module.runningMean as Float32Array;
  const rv = module.runningVar as Float32Array;
  const momentum = Math.fround(factor);
  const keep = Math.fround(1 - momentum);
  for (let c = 0; c < mean.length; c++) {
    rm[c] = Math.fround(momentum * (mean[c] as number)) + Math.fround(keep * (rm[c] as number));
    const unbiased = Math.fround((varSum[c] as number) / (m - 1)); // float / int, then widened to double
    rv[c] = momentum * unbiased + Math.fround(keep * (rv[c] as number));
  }
}

/** Which gradients to compute (PyTorch's output_mask from requires_grad). */
export interface TorchGradNeeds {
  readonly input: boolean;
  readonly weight: boolean;
  readonly bias: boolean;
}

/** Gradients from {@link torchBatchNormBackward}; absent when not requested. */
export interface TorchBatchNormGradients {
  readonly gradInput?: Tensor;
  readonly gradWeight?: Float32Array;
  readonly gradBias?: Float32Array;
}

/**
 * The backward of a forward, as batch_norm_cpu_backward_{contiguous,channels_last}_impl compute it:
 * per channel `sum = Σdy`, `dotp = Σ(x − mean)·dy` (torch-kernels.ts), `gradWeight = dotp·invstd`,
 * `gradBias = sum`; with batch statistics `dx = ((dy − sum/m) − (x − mean)·k)·invstd·w` with
 * `k = dotp·invstd²/m`, otherwise `dx = dy·invstd·w` (eval: invstd recomputed in double from
 * running_var, as the backward kernel does).
 */
export function torchBatchNormBackward(
  module: TorchBatchNorm,
  saved: TorchBatchNormSaved,
  gradOutput: Tensor,
  needs: TorchGradNeeds,
): TorchBatchNormGradients {
  const { num, channels, spatial, m } = channelLayout(gradOutput.shape);
  const x = saved.input.data;
  const dy = gradOutput.data;
  const dx = needs.input ? new Float32Array(dy.length) : null;
  const gradWeight = needs.weight ? new Float32Array(channels) : null;
  const gradBias = needs.bias ? new Float32Array(channels) : null;
  for (let c = 0; c < channels; c++) {
    const w = module.weight === null ? 1 : (module.weight[c] as number);
    const mu = saved.mean[c] as number;
    const invstd = saved.batchStats
      ? (saved.invstd[c] as number)
      : Math.fround(1 / Math.sqrt(((module.runningVar as Float32Array)[c] as number) + module.eps));
    const { sum, dotp } = torchBackwardSums(x, dy, num, channels, spatial, c, mu);
    if (gradWeight !== null) gradWeight[c] = dotp * invstd; // double (or float) · float, stored as float
    if (gradBias !== null) gradBias[c] = sum;
    if (dx === null) continue;
    if (saved.batchStats) {
      const k = Math.fround(Math.fround(Math.fround(Math.fround(dotp) * invstd) * invstd) / m);
      const gradMean = Math.fround(sum / m);
      for (let n = 0; n < num; n++) {
        const base = (n * channels + c) * spatial;
        for (let i = base; i < base + spatial; i++) {
          // (dy − grad_mean − (x − mean)·k)·invstd·w, the product fused into the subtraction.
          const centred = fmaf(-Math.fround((x[i] as number) - mu), k, Math.fround((dy[i] as number) - gradMean));
          dx[i] = Math.fround(centred * invstd) * w;
        }
      }
    } else {
      for (let n = 0; n < num; n++) {
        const base = (n * channels + c) * spatial;
        for (let i = base; i < base + spatial; i++) dx[i] = Math.fround((dy[i] as number) * invstd) * w;
      }
    }
  }
  return {
    ...(dx !== null && { gradInput: { shape: [...gradOutput.shape], data: dx } }),
    ...(gradWeight !== null && { gradWeight }),
    ...(gradBias !== null && { gradBias }),
  };
}
