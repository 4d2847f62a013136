/**
 * The output contract of `caffe2torch verify NET.prototxt --json`. Other tools read this shape:
 * add fields freely, never rename or remove one. Field names are snake_case, as in `convert`'s JSON.
 *
 * Every error is scaled: `|torch − caffe| / max(1, |caffe|)` (src/numeric/compare.ts), Caffe's value
 * being the reference. `tolerance` bounds the scaled error of every quantity we claim equivalent.
 */
import type { BlockWeights, TorchMode, WeightsInfo } from "../convert/types.js";

/** Which PyTorch configuration is verified: the emitted `nn.BatchNorm*d` or the `--exact` subclass. */
export type Configuration = "plain" | "exact";

/**
 * The outcome for one block.
 * - `agree`: every compared quantity is within tolerance (or, value by value, within float32's error
 *   bound for its operands: `VerifyMetric.float32_bound`).
 * - `lag`: the running statistics (and so the eval output) of the plain momentum mapping trail
 *   Caffe's bias-corrected estimate, exactly as predicted by `torch_k = (1 − w_k)·caffe_k + w_k·init`,
 *   w_k = (1 − (1 − f)·s₀)·f^k (lag.ts);
 *   not a failure unless `--strict`.
 * - `mismatch`: a quantity we claim equivalent differs beyond tolerance (or a lag does not follow the
 *   prediction).
 * - `skipped`: not executed (a fork's semantics, or a rank BatchNorm*d does not take); see `reason`.
 * - `error`: PyTorch refuses the configuration on this input (e.g. one value per channel in train mode).
 */
export type Verdict = "agree" | "lag" | "mismatch" | "skipped" | "error";

/** Why a block was skipped or errored: a stable code. */
export type VerifyReasonCode =
  /** A Caffe fork's BatchNorm (NVIDIA Caffe, SegNet/ENet BN, PSPNet BN): its semantics are not executed. */
  | "fork-semantics"
  /** The input rank is not one BatchNorm1d/2d/3d accepts (2 to 5). */
  | "rank-unsupported"
  /** Batch statistics over one value per channel: PyTorch raises where Caffe outputs zeros. */
  | "single-value-per-channel"
  /** The input holds more values than verify runs (MAX_VERIFY_VALUES): a file may declare any shape. */
  | "too-large";

/** The worst disagreement of one quantity over the steps it was compared at. */
export interface VerifyMetric {
  /** The largest scaled error `|torch − caffe| / max(1, |caffe|)`. */
  max_error: number;
  /** The largest plain `|torch − caffe|`. */
  max_abs_error: number;
  /** The step (1-based training step) of the largest scaled error; 0 for the evaluation forward. */
  step: number;
  /** Flat index of the largest scaled error (a channel for statistics), -1 when nothing was compared. */
  index: number;
  /** PyTorch's and Caffe's values there. */
  torch: number;
  caffe: number;
  /** Whether we claim this quantity equivalent (then it decides the verdict). */
  claimed: boolean;
  /**
   * Every element within the tolerance: `max_error ≤ tolerance`, except elements whose difference
   * stays within float32's error bound for their operands (then `float32_bound` counts them).
   */
  within: boolean;
  /** The output-relative tolerance applied to `max_error`. */
  tolerance: number;
  /** null when no element needed the float32 bound; else what it accepted (float32-bound.ts). */
  float32_bound: Float32BoundUse | null;
}

/**
 * Elements beyond the output-relative tolerance that the float32 error bound of their operands
 * accepted: the difference two correct float32 evaluation orders may show (statistics far larger than
 * the input's spread cancel). The element shown is the closest call (largest error / bound).
 */
export interface Float32BoundUse {
  /** How many compared elements (over all forwards) needed the bound. */
  elements: number;
  /** The closest call: its step, flat index, |torch − caffe| and bound there. */
  step: number;
  index: number;
  error: number;
  bound: number;
  /** |μ| and σ = √(var + eps) of that element's channel: how far the statistics outweigh the spread. */
  mean: number;
  std: number;
}

/** The running-statistics gap of one step, in the lag report. */
export interface LagStep {
  /** Training steps done (k). */
  step: number;
  /**
   * w_k = (1 − (1 − f)·s₀)·f^k: the weight PyTorch's initial value still has after k steps (f^k
   * from fresh blobs, s₀ = 0).
   */
  init_weight: number;
  /** max over channels |running_mean − Caffe's effective mean|. */
  running_mean_gap: number;
  /** The same gap predicted by `w_k·|init − caffe_k|` (max over channels). */
  predicted_mean_gap: number;
  running_var_gap: number;
  predicted_var_gap: number;
}

/** How the plain mapping lags Caffe's running statistics (train-mode blocks of the plain configuration). */
export interface LagReport {
  /** Caffe's moving_average_fraction f as float32 holds it. */
  moving_average_fraction: number;
  /** PyTorch's momentum (1 − f as written). */
  momentum: number | null;
  /** Caffe's scale factor s₀ before the first step: 0 for fresh blobs, the caffemodel's with `--weights`. */
  start_scale_factor: number;
  /** w₀ = 1 − (1 − f)·s₀: the initial value's weight before any step (1 for fresh blobs). */
  start_weight: number;
  /** w_K after the K steps run. */
  init_weight: number;
  /** The steps after which |w_k| < 1e-3 (the initial value is forgotten to 0.1 %); null when never. */
  steps_until_forgotten: number | null;
  /** The gaps after the last step (K). */
  final: LagStep;
  /** Gaps at steps 1, 2, 5, 10, 20, 50, … and K. */
  per_step: LagStep[];
  /**
   * The largest scaled residual of `torch_k = (1 − w_k)·caffe_k + w_k·init` over all steps and
   * channels: how well the lag is explained.
   */
  relation_max_error: number;
  /** `relation_max_error ≤ relation_tolerance`. */
  relation_holds: boolean;
  /** The tolerance of the relation: float32 running averages drift by rounding over many steps. */
  relation_tolerance: number;
  /**
   * Channel-steps left out of `relation_max_error` because their residual lies within float32's
   * error bound of the running statistics (float32-bound.ts): rounding alone could explain it.
   */
  relation_float32_bound: number;
}

/** The other configuration run beside the verified one (train-mode blocks), to show what it does. */
export interface AlternativeReport {
  configuration: Configuration;
  running_mean: VerifyMetric;
  running_var: VerifyMetric;
  eval_output: VerifyMetric;
  /** `agree` or `lag`, judged with the tolerance. */
  verdict: "agree" | "lag";
}

/** One BatchNorm block. */
export interface BlockVerification {
  batchnorm: string;
  scale: string | null;
  bias: string | null;
  /** 1-based position of the BatchNorm layer in the prototxt. */
  line: number;
  column: number;
  mode: TorchMode;
  /** The PyTorch class verified (BatchNorm1d/2d/3d, or Caffe* for `--exact`); null when skipped. */
  module: string | null;
  /** The input shape used (batch set by `--batch`, or as `--input-shape` gave it); null when skipped before a shape was needed. */
  shape: number[] | null;
  /** `inferred` from the net's own declarations, or `input-shape` when inferred from the shapes `--input-shape` gave its inputs. */
  shape_source: "inferred" | "input-shape" | null;
  /**
   * What the statistics started from: `caffemodel` (`--weights`: Caffe's side from the caffemodel's
   * BatchNorm and Scale/Bias blobs, PyTorch's from the converted state), `seeded` (seeded blobs with
   * s ≠ 1, for modes that read stored statistics), `fresh` (s = 0 and PyTorch's initial buffers, for
   * modes that compute them); null when the block did not run.
   */
  statistics: "caffemodel" | "seeded" | "fresh" | null;
  /**
   * With `statistics: "caffemodel"`: Caffe's side before the first forward — its scale factor and
   * the range of the effective statistics (sum·fround(1/s)) of its blobs — and the
   * num_batches_tracked PyTorch's side loaded (as `convert --weights` summarises a block); else null.
   */
  weights: BlockWeights | null;
  moving_average_fraction: number;
  momentum: number | null;
  configuration: Configuration;
  /** Whether the running statistics are claimed to equal Caffe's (convert's `exact`, or statistics only read). */
  claimed_exact: boolean;
  /**
   * The tolerance of the running statistics and the evaluation output: the run's `tolerance` plus
   * float32 drift over the averaged steps, `2⁻²³·min(steps, 1/(1 − f))` (src/verify/tolerance.ts).
   */
  statistics_tolerance: number;
  verdict: Verdict;
  reason: VerifyReasonCode | null;
  /** Whether this block lets the run pass (`lag` passes unless `--strict`, `skipped` unless `--strict`). */
  ok: boolean;
  /** Training forwards run before the evaluation (0 when the mode only reads the statistics in TEST). */
  steps: number;
  /** Block outputs of the training forwards; null when none ran. */
  train_output: VerifyMetric | null;
  /** The block output of the evaluation forward. */
  eval_output: VerifyMetric | null;
  /** running_mean / running_var against Caffe's effective statistics, after every step; null without running statistics. */
  running_mean: VerifyMetric | null;
  running_var: VerifyMetric | null;
  /**
   * The plain mapping's lag, for train-mode blocks with 0 < f < 1 — whether plain is the verified
   * configuration or the alternative; null otherwise.
   */
  lag: LagReport | null;
  /** The other configuration, for train-mode blocks; null otherwise. */
  alternative: AlternativeReport | null;
  /** Names of claimed quantities beyond tolerance (`train_output`, `eval_output`, `running_mean`, `running_var`, `lag_relation`). */
  failures: string[];
}

/** Block counts by verdict. */
export interface VerifySummary {
  blocks: number;
  /** Blocks that ran and were compared (`agree`, `lag` or `mismatch`); 0 makes the run fail. */
  verified: number;
  agree: number;
  lag: number;
  mismatch: number;
  skipped: number;
  error: number;
}

/** The whole `verify` result. */
export interface VerifyReport {
  source: string;
  net: string | null;
  phase: "TEST" | "TRAIN";
  configuration: Configuration;
  /** Training steps requested (K). */
  steps: number;
  /**
   * The batch of the generated inputs: `--batch`, else the first `--input-shape`'s (blocks then keep
   * the batch their shape was inferred with; each block's `shape` shows it), else 2.
   */
  batch: number;
  seed: number;
  /** The scaled tolerance `|a − b| / max(1, |ref|)`. */
  tolerance: number;
  strict: boolean;
  /** With `--weights`: the caffemodel (as `convert --weights` reports it); null without. */
  weights: WeightsInfo | null;
  /**
   * At least one block verified and every block ok: exit 0; otherwise exit 1. Nothing verified
   * (no block, or every block skipped) is not ok, whatever `strict` says.
   */
  ok: boolean;
  summary: VerifySummary;
  blocks: BlockVerification[];
}
