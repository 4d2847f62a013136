/**
 * Hand-built ConvertResults for the emitter tests: every module rank, affine on and off, every
 * mode, momentum null/0.001/1, unknown rank and channels, and layer names chosen to break naive
 * code generation.
 */
import type {
  ConvertBlock,
  ConvertResult,
  TorchBlockConfig,
} from "../../src/convert/types.js";

/** Overrides for {@link block}: top-level fields plus partial caffe/torch parts. */
export interface BlockOverrides extends Partial<Omit<ConvertBlock, "caffe" | "torch">> {
  caffe?: Partial<ConvertBlock["caffe"]>;
  torch?: Partial<TorchBlockConfig>;
}

/** Gives blocks the source lines 10, 20, … so every call builds an identical result. */
function numbered(blocks: ConvertBlock[]): ConvertBlock[] {
  return blocks.map((b, i) => ({ ...b, line: 10 * (i + 1), column: 3 }));
}

/** A 2d, affine, TEST-phase `eval` block named `name`, with overrides applied. */
export function block(name: string, overrides: BlockOverrides = {}): ConvertBlock {
  const { caffe, torch, ...top } = overrides;
  return {
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

/** A TEST-phase deploy net: every rank, affine off, fractions 1 and 0, batch-stats, unknowns. */
export function deployResult(): ConvertResult {
  return {
    source: 'nets/deploy "v2"\\\n.prototxt',
    net: "Res\u00e9Net \"50\"",
    phase: "TEST",
    blocks: numbered([
      block("conv1/bn", {
        caffe: { use_global_stats_explicit: true, scale_lr_mult: [0, 0] },
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
        caffe: { use_global_stats: false, use_global_stats_explicit: true },
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

/** A TRAIN-phase net: train, frozen, fraction 1 and 0, affine off, frozen gamma. */
export function trainResult(): ConvertResult {
  const train = { use_global_stats: false } as const;
  return {
    source: "train_val.prototxt",
    net: null,
    phase: "TRAIN",
    blocks: numbered([
      block("bn_train", { caffe: train, torch: { mode: "train" } }),
      block("bn_frozen", {
        caffe: { use_global_stats: true, use_global_stats_explicit: true, scale_lr_mult: [0, 1] },
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
    ]),
    unpaired: [],
    diagnostics: [],
  };
}

/** A result with no blocks at all. */
export function emptyResult(): ConvertResult {
  return { source: "empty.prototxt", net: "empty", phase: "TEST", blocks: [], unpaired: [], diagnostics: [] };
}
