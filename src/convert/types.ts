/**
 * The output contract of `caffe2torch convert --format json`. Other tools read this shape:
 * add fields freely, never rename or remove one.
 */

/** The Caffe side of a block, as written (and defaulted) in the prototxt. */
export interface CaffeBlockConfig {
  type: "BatchNorm" | "BN";
  /** The value in force in this phase (Caffe's default: true in TEST, false in TRAIN). */
  use_global_stats: boolean;
  /** Whether `use_global_stats` was written in the prototxt (false: Caffe's phase default applies). */
  use_global_stats_explicit: boolean;
  /**
   * Whether this layer normalises with its stored statistics when the net runs in each phase
   * (BVLC: the written value, else true in TEST and false in TRAIN; forks: their own rules, e.g.
   * SegNet's `bn_mode: INFERENCE` and PSPNet's `frozen` use stored statistics in both). The
   * emitted `set_training` follows it: training ↔ Caffe's TRAIN, evaluating ↔ Caffe's TEST.
   */
  use_global_stats_by_phase: { TRAIN: boolean; TEST: boolean };
  /** As written (decimal), default 0.999. */
  moving_average_fraction: number;
  /** As written (decimal), default 1e-5. */
  eps: number;
  /** lr_mult of each `param {}` of the BatchNorm layer (null for a `param {}` without lr_mult). */
  stats_lr_mult: (number | null)[];
  /** lr_mult of each `param {}` of the paired Scale (null entries default to 1); null when no Scale. */
  scale_lr_mult: (number | null)[] | null;
  /** The paired Scale's bias_term; null when no Scale. */
  bias_term: boolean | null;
  /** lr_mult of each `param {}` of the paired Bias layer (null entries default to 1); absent or null when no Bias layer. */
  bias_lr_mult?: (number | null)[] | null;
  /**
   * For fork layers (which hold gamma/beta themselves): which fork's semantics apply and the
   * settings read from its fork-only fields. For them `stats_lr_mult` lists the statistics
   * blobs' lr_mult, `scale_lr_mult` those of the layer's own gamma and beta, and a fork that
   * keeps no running statistics reports `moving_average_fraction: 0` (each batch's own).
   */
  fork?: ForkInfo;
}

/** The fork semantics recognised for a BatchNorm-type layer. */
export interface ForkInfo {
  /** `nvcaffe`: NVIDIA Caffe 0.17 BatchNorm with scale_bias; `segnet`: caffe-segnet/ENet BN; `pspnet`: PSPNet BN; `unrecognised`: none of them. */
  family: "nvcaffe" | "segnet" | "pspnet" | "unrecognised";
  /** The fork-only settings in force (e.g. `bn_mode`, `frozen`, `momentum`, `scale_bias`). */
  settings: Record<string, string | number | boolean>;
}

/** How the PyTorch module must be driven to behave as Caffe does in the chosen phase. */
export type TorchMode = "train" | "frozen" | "eval" | "batch-stats";

/** The PyTorch configuration equivalent to a block. */
export interface TorchBlockConfig {
  /** null when the input rank is unknown (see notes). */
  module: "BatchNorm1d" | "BatchNorm2d" | "BatchNorm3d" | null;
  /** Channels (dim 1 of the input); null when unknown. */
  num_features: number | null;
  eps: number;
  /** 1 − moving_average_fraction on the decimal written; null means cumulative average (fraction 1). */
  momentum: number | null;
  affine: boolean;
  track_running_stats: boolean;
  /** null when not affine. */
  weight_requires_grad: boolean | null;
  /** null when not affine. */
  bias_requires_grad: boolean | null;
  mode: TorchMode;
}

/** A note explaining a decision or a divergence; `code` is stable, `message` is English. */
export interface BlockNote {
  code: string;
  message: string;
}

/** One BatchNorm-type layer active in the phase, with what pairs with it. */
export interface ConvertBlock {
  /** Name of the BatchNorm layer. */
  batchnorm: string;
  /** Name of the paired Scale layer, or null. */
  scale: string | null;
  /** Name of the paired Bias layer, or null. */
  bias: string | null;
  /** Blob read by the BatchNorm. */
  input: string;
  /** Blob written by the last layer of the block. */
  output: string;
  /** Inferred input shape, or null when unknown. */
  input_shape: number[] | null;
  /** What is known of the input shape when not all of it is (null per unknown dim; null when even the rank is unknown). */
  input_dims?: (number | null)[] | null;
  caffe: CaffeBlockConfig;
  torch: TorchBlockConfig;
  /**
   * Whether `momentum` reproduces Caffe's running statistics from the first step (kept as it was;
   * `equivalence` says what it mixes, inference and training, apart).
   */
  exact: boolean;
  /** What the module reproduces: Caffe's outputs, and Caffe's running statistics as training goes on. */
  equivalence: BlockEquivalence;
  notes: BlockNote[];
  /**
   * With `--weights`: a summary of the trained statistics loaded for this block; null when the
   * caffemodel's values could not be used (see the diagnostics). Absent without `--weights`.
   */
  weights?: BlockWeights | null;
  /** 1-based line and column of the BatchNorm layer in the source. */
  line: number;
  column: number;
}

/**
 * What a converted block reproduces (src/convert/equivalence.ts).
 * - `inference`: the module's forward in this phase's mode gives Caffe's output, with Caffe's
 *   statistics loaded as sums·fround(1/s) where it reads them (`--weights` writes them): `exact`;
 *   `unknown` for a fork whose semantics are not recognised.
 * - `training`: as training goes on, the running statistics follow Caffe's: `exact` (from the first
 *   step: fraction 0 or 1, or `--exact`); `lags` (the plain momentum mapping trails Caffe's
 *   bias-corrected estimate for `lag_steps` steps; `--exact` removes that); `differs` (an update rule
 *   PyTorch does not have: a fork's, or a fraction outside [0, 1]); `none` (nothing accumulates:
 *   batch statistics only, or frozen statistics); `unknown`.
 */
export interface BlockEquivalence {
  inference: "exact" | "unknown";
  training: "exact" | "lags" | "differs" | "none" | "unknown";
  /**
   * With `lags`: the steps until PyTorch's initial value weighs less than 0.1 % (from a caffemodel's
   * statistics, fewer; 0 when its scale factor has converged); else null.
   */
  lag_steps: number | null;
}

/**
 * The trained statistics of one block, from the caffemodel (`convert --weights`). Mean and
 * variance are the effective ones PyTorch receives: Caffe's sums times fround(1/s), float32.
 */
export interface BlockWeights {
  /** Caffe's stored scale factor s (the BatchNorm's third blob). */
  scale_factor: number;
  /** Smallest and largest running_mean; null when there are no channels or a value is not finite. */
  mean_min: number | null;
  mean_max: number | null;
  /** Smallest and largest running_var; null when there are no channels or a value is not finite. */
  var_min: number | null;
  var_max: number | null;
  /** The training updates s implies, written as num_batches_tracked; null when s no longer tells. */
  num_batches_tracked: number | null;
}

/** Where the weights came from (`convert --weights`). */
export interface WeightsInfo {
  /** The caffemodel's path as given. */
  source: string;
  /** The caffemodel's layer field: `layer`, legacy `V1` or `V0` `layers`, or `empty`. */
  format: "layer" | "V1" | "V0" | "empty";
  /** Caffemodel layers matching no layer of the net in this phase (Caffe ignores them), in file order. */
  unused_layers: string[];
}

/** A BatchNorm that could not be fused with a following Scale, and why. */
export interface UnpairedEntry {
  batchnorm: string;
  reason: string;
  code: string;
}

/** A diagnostic rendered for JSON consumers. */
export interface JsonDiagnostic {
  code: string;
  severity: "error" | "warning" | "info";
  message: string;
  line: number | null;
  column: number | null;
}

/** The whole `convert` result. */
export interface ConvertResult {
  source: string;
  net: string | null;
  phase: "TEST" | "TRAIN";
  blocks: ConvertBlock[];
  unpaired: UnpairedEntry[];
  diagnostics: JsonDiagnostic[];
  /** With `--weights`: the caffemodel the statistics came from. Absent without `--weights`. */
  weights?: WeightsInfo;
}
