/**
 * Hand-built ConvertResults for the emitter tests: every module rank, affine on and off, every
 * mode, every combination of statistics per phase (use_global_stats_by_phase, written here from
 * each block's settings as Caffe and the forks define it), the BN forks, momentum null/0.001/1,
 * unknown rank and channels, and layer names chosen to break naive code generation.
 */
import type {
  ConvertBlock,
  ConvertResult,
  TorchBlockConfig,
} from "../../src/convert/types.js";
import { withEquivalence } from "../../src/convert/equivalence.js";

/** Overrides for {@link block}: top-level fields plus partial caffe/torch parts. */
export interface BlockOverrides extends Partial<Omit<ConvertBlock, "caffe" | "torch">> {
  caffe?: Partial<ConvertBlock["caffe"]>;
  torch?: Partial<TorchBlockConfig>;
}

/** Gives blocks the source lines 10, 20, … so every call builds an identical result. */
function numbered(blocks: ConvertBlock[]): ConvertBlock[] {
  return blocks.map((b, i) => ({ ...b, line: 10 * (i + 1), column: 3 }));
}

/**
 * A 2d, affine, TEST-phase `eval` BVLC block named `name` with use_global_stats not written
 * (Caffe: batch statistics in TRAIN, stored ones in TEST), with overrides applied. An override
 * of use_global_stats_explicit must override use_global_stats_by_phase too.
 */
export function block(name: string, overrides: BlockOverrides = {}): ConvertBlock {
  const { caffe, torch, ...top } = overrides;
  // The equivalence follows from the rest, as convert derives it, unless an override sets it.
  const built = {
    batchnorm: name,
    scale: `${name}_scale`,
    bias: null,
    input: `${name}_in`,
    output: `${name}_in`,
    input_shape: [1, 4, 5, 5],
    caffe: {
      type: "BatchNorm",
      use_global_stats: true,
      use_global_stats_explicit: false,
      use_global_stats_by_phase: { TRAIN: false, TEST: true },
      moving_average_fraction: 0.999,
      eps: 1e-5,
      stats_lr_mult: [0, 0, 0],
      scale_lr_mult: [1, 1],
      bias_term: true,
      ...caffe,
    },
    torch: {
      module: "BatchNorm2d",
      num_features: 4,
      eps: 1e-5,
      momentum: 0.001,
      affine: true,
      track_running_stats: true,
      weight_requires_grad: true,
      bias_requires_grad: true,
      mode: "eval",
      ...torch,
    },
    exact: false,
    notes: [],
    line: 1,
    column: 1,
    ...top,
  };
  return top.equivalence ? { ...built, equivalence: top.equivalence } : withEquivalence(built);
}

/** Names that must survive as string literals and become distinct, safe keys. */
export const HOSTILE_NAMES = [
  "a/b",
  "a_b",
  "a.b",
  "1x",
  "class",
  'x"y\\z\n',
  "名前",
  "`",
  "",
  "training",
  "keys",
  "_modules",
  "tab\there # not a comment",
  '"""',
  "emoji 🙂 \u2028 end",
  "lone \ud800 surrogate",
] as const;

/** Written use_global_stats: Caffe's BatchNormLayer then uses it in both phases. */
const WRITTEN_TRUE = {
  use_global_stats: true,
  use_global_stats_explicit: true,
  use_global_stats_by_phase: { TRAIN: true, TEST: true },
} as const;
const WRITTEN_FALSE = {
  use_global_stats: false,
  use_global_stats_explicit: true,
  use_global_stats_by_phase: { TRAIN: false, TEST: false },
} as const;

/** A TEST-phase deploy net: every rank, affine off, fractions 1 and 0, batch-stats, unknowns. */
export function deployResult(): ConvertResult {
  return {
    source: 'nets/deploy "v2"\\\n.prototxt',
    net: "Res\u00e9Net \"50\"",
    phase: "TEST",
    blocks: numbered([
      block("conv1/bn", {
        caffe: { ...WRITTEN_TRUE, scale_lr_mult: [0, 0] },
        torch: { weight_requires_grad: false, bias_requires_grad: false },
      }),
      block("1x", {
        scale: null,
        input_shape: [8, 3],
        caffe: { moving_average_fraction: 1, scale_lr_mult: null, bias_term: null, eps: 1e-3 },
        torch: {
          module: "BatchNorm1d", num_features: 3, eps: 1e-3, momentum: null, affine: false,
          weight_requires_grad: null, bias_requires_grad: null,
        },
        exact: true,
      }),
      block("class", {
        input_shape: [1, 2, 3, 4, 5],
        caffe: { moving_average_fraction: 0, bias_term: false, scale_lr_mult: [1] },
        torch: { module: "BatchNorm3d", num_features: 2, momentum: 1, bias_requires_grad: false },
        exact: true,
        notes: [{ code: "scale-without-bias", message: "bias fixed at 0 | no `Bias` layer" }],
      }),
      block('x"y\\z\n', {
        caffe: WRITTEN_FALSE,
        torch: { track_running_stats: false, mode: "batch-stats" },
      }),
      block("名前", {
        input_shape: null,
        torch: { module: null, num_features: null },
        notes: [{ code: "unknown-rank", message: "shape unknown after Python layer" }],
      }),
      block("`", { torch: { num_features: 5 }, input_shape: [2, 5, 1, 1] }),
      block("", { torch: { module: "BatchNorm1d", num_features: 6 }, input_shape: [2, 6, 7] }),
      block("a.b"),
      block("a_b"),
      block("a/b"),
      block("training", { caffe: { eps: 2e-5 }, torch: { eps: 2e-5 } }),
      block("名前", { torch: { num_features: null } }),
      block("emoji 🙂 \u2028 end", { torch: { num_features: 3 } }),
      block("_modules"),
      block("keys", { torch: { module: "BatchNorm3d", num_features: 1 }, input_shape: [1, 1, 2, 2, 2] }),
      block('"""'),
      block("tab\there # not a comment"),
      block("lone \ud800 surrogate"),
    ]),
    unpaired: [{ batchnorm: "se|bn", reason: "Scale has two bottoms (`SE`)", code: "scale-two-bottoms" }],
    diagnostics: [
      { code: "unknown-layer-type", severity: "warning", message: "type Python <unknown>", line: 3, column: 5 },
    ],
  };
}

/**
 * A TRAIN-phase net: train (use_global_stats unset, and written false), frozen, fraction 1 and 0,
 * affine off, frozen gamma.
 */
export function trainResult(): ConvertResult {
  const train = { use_global_stats: false } as const;
  return {
    source: "train_val.prototxt",
    net: null,
    phase: "TRAIN",
    blocks: numbered([
      block("bn_train", { caffe: train, torch: { mode: "train" } }),
      block("bn_frozen", {
        caffe: { ...WRITTEN_TRUE, scale_lr_mult: [0, 1] },
        torch: { mode: "frozen", weight_requires_grad: false },
      }),
      block("bn_cumulative", {
        input_shape: [4, 3, 9],
        caffe: { ...train, moving_average_fraction: 1 },
        torch: { module: "BatchNorm1d", num_features: 3, momentum: null, mode: "train" },
        exact: true,
      }),
      block("bn_zero", {
        input_shape: [1, 2, 3, 3, 3],
        caffe: { ...train, moving_average_fraction: 0 },
        torch: { module: "BatchNorm3d", num_features: 2, momentum: 1, mode: "train" },
        exact: true,
      }),
      block("bn|no-scale", {
        scale: null,
        caffe: { ...train, moving_average_fraction: 0.9, scale_lr_mult: null, bias_term: null },
        torch: {
          momentum: 0.1, affine: false, mode: "train",
          weight_requires_grad: null, bias_requires_grad: null,
        },
      }),
      // Written false: Caffe's TEST phase would normalise this layer with batch statistics too.
      block("bn_batch_stats_always", { caffe: WRITTEN_FALSE, torch: { mode: "train" } }),
    ]),
    unpaired: [],
    diagnostics: [],
  };
}

/** A fork `BN` block (8 channels, 2d) as the fork converters build it in TEST. */
function forkBlock(name: string, overrides: BlockOverrides): ConvertBlock {
  return block(name, {
    scale: null,
    input_shape: [2, 8, 4, 4],
    ...overrides,
    caffe: { type: "BN", use_global_stats_explicit: false, stats_lr_mult: [], scale_lr_mult: [1, 1], bias_term: true, ...overrides.caffe },
    torch: { num_features: 8, ...overrides.torch },
  });
}

/**
 * A TEST-phase net of fork layers (as in fixtures/convert/fork-bn.prototxt and nvcaffe.prototxt):
 * SegNet/ENet `bn_mode` LEARN and INFERENCE, PSPNet with and without `frozen`, NVCaffe's
 * BatchNorm with scale_bias, and a BN of no recognised fork (no module).
 */
export function forkResult(): ConvertResult {
  return {
    source: "forks.prototxt",
    net: "forks",
    phase: "TEST",
    blocks: numbered([
      // LEARN: batch statistics in every phase, nothing stored.
      forkBlock("segnet_learn", {
        caffe: {
          use_global_stats: false, use_global_stats_by_phase: { TRAIN: false, TEST: false },
          moving_average_fraction: 0, eps: 1e-9, fork: { family: "segnet", settings: { bn_mode: "LEARN" } },
        },
        torch: { eps: 1e-9, momentum: null, track_running_stats: false, mode: "batch-stats" },
        exact: true,
      }),
      // INFERENCE: scale·x + shift in every phase.
      forkBlock("enet_inference", {
        caffe: {
          use_global_stats: true, use_global_stats_by_phase: { TRAIN: true, TEST: true },
          moving_average_fraction: 0, eps: 0, scale_lr_mult: [], fork: { family: "segnet", settings: { bn_mode: "INFERENCE" } },
        },
        torch: { eps: 0, momentum: null, mode: "eval" },
        exact: true,
      }),
      // frozen: stored statistics in both phases.
      forkBlock("psp_frozen", {
        caffe: {
          use_global_stats: true, use_global_stats_by_phase: { TRAIN: true, TEST: true },
          moving_average_fraction: 0.95, stats_lr_mult: [0, 0], fork: { family: "pspnet", settings: { frozen: true, momentum: 0.95 } },
        },
        torch: { momentum: 0.05, weight_requires_grad: false, bias_requires_grad: false, mode: "eval" },
        exact: true,
      }),
      // Not frozen: batch statistics in TRAIN, stored ones in TEST.
      forkBlock("psp_train", {
        caffe: {
          use_global_stats: true, use_global_stats_by_phase: { TRAIN: false, TEST: true },
          moving_average_fraction: 0.9, eps: 1e-4, fork: { family: "pspnet", settings: { frozen: false, momentum: 0.9 } },
        },
        torch: { eps: 1e-4, momentum: 0.1, mode: "eval" },
      }),
      // NVCaffe decides by phase and ignores use_global_stats.
      block("nvcaffe_bn", {
        scale: null,
        input_shape: [2, 6, 4, 4],
        caffe: {
          use_global_stats_by_phase: { TRAIN: false, TEST: true },
          moving_average_fraction: 0.9, eps: 1e-6, stats_lr_mult: [], scale_lr_mult: [], bias_term: true,
          fork: { family: "nvcaffe", settings: { scale_bias: true, eps_in_force: 1e-5 } },
        },
        torch: { num_features: 6, momentum: 0.1 },
      }),
      // No recognised fork: the phase default is assumed, and there is no module.
      forkBlock("mystery", {
        caffe: {
          use_global_stats: true, use_global_stats_by_phase: { TRAIN: false, TEST: true },
          moving_average_fraction: 0, eps: 0, scale_lr_mult: [], fork: { family: "unrecognised", settings: { reason: "unknown-fields" } },
        },
        torch: { module: null, num_features: null, eps: 0, momentum: null, weight_requires_grad: null, bias_requires_grad: null, mode: "eval" },
      }),
    ]),
    unpaired: [],
    diagnostics: [],
  };
}

/** A result with no blocks at all. */
export function emptyResult(): ConvertResult {
  return { source: "empty.prototxt", net: "empty", phase: "TEST", blocks: [], unpaired: [], diagnostics: [] };
}
