import { diagnostic, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { layerPosition, lrMultInForce, moduleForShape, Notes, shapeFields, writtenLrMult, type BlockContext, type BlockConverter, type BlockOutcome } from "../context.js";
import { oneMinusDecimal, stepsUntilBelow } from "../decimal.js";
import { unpairedReason } from "../notes.js";
import type { TorchMode } from "../types.js";
import { convertNvcaffeBatchNorm } from "./nvcaffe-batch-norm.js";

/** Caffe's BatchNormParameter defaults. */
const DEFAULT_FRACTION = 0.999;
const DEFAULT_EPS = 1e-5;
/** BVLC BatchNorm has three blobs: mean sum, variance sum, scale factor. */
const BN_BLOBS = 3;
/** The weight of the initial value below which PyTorch's running statistics count as converged. */
const FORGOTTEN = 1e-3;

/**
 * The PyTorch mode for Caffe's use_global_stats in a phase. BatchNormLayer::LayerSetUp defaults
 * use_global_stats to (phase == TEST) when it is not written.
 */
export function torchMode(phase: "TRAIN" | "TEST", useGlobalStats: boolean): TorchMode {
  if (phase === "TRAIN") return useGlobalStats ? "frozen" : "train";
  return useGlobalStats ? "eval" : "batch-stats";
}

/**
 * BVLC `BatchNorm` (with its fused Scale/Bias). NVIDIA Caffe's BatchNorm with scale_bias shares
 * the type string and is handed to its own module.
 */
export const batchNormConverter: BlockConverter = {
  layerType: "BatchNorm",
  convert(ctx: BlockContext): BlockOutcome {
    if (ctx.pairing.variant.family === "nvcaffe") return convertNvcaffeBatchNorm(ctx);
    const notes = new Notes();
    const diagnostics: Diagnostic[] = [];
    const bnp = ctx.bn.param.batch_norm_param ?? {};
    const fraction = bnp.moving_average_fraction ?? DEFAULT_FRACTION;
    const eps = bnp.eps ?? DEFAULT_EPS;
    const useGlobalStats = bnp.use_global_stats ?? ctx.phase === "TEST";
    const mode = torchMode(ctx.phase, useGlobalStats);

    const { module, num_features } = moduleForShape(ctx.inputShape, notes);
    if (mode === "frozen") notes.add("mode-frozen");
    if (mode === "batch-stats") notes.add("mode-batch-stats");

    // BatchNormLayer::LayerSetUp: every declared param must have lr_mult exactly 0 (ParamSpec's
    // default is 1), and Net::Init refuses more param blocks than the layer's three blobs.
    const params = ctx.bn.param.param ?? [];
    params.slice(0, BN_BLOBS).forEach((p, index) => {
      if (p.lr_mult !== 0) notes.add("stats-lr-mult", { index, lr_mult: writtenLrMult(p) });
    });
    if (params.length > BN_BLOBS) notes.add("too-many-params", { count: params.length, blobs: BN_BLOBS });

    // The affine part comes from the fused Scale (gamma, and beta with bias_term) or Bias layer.
    const scale = ctx.scale;
    const bias = ctx.bias;
    const biasTerm = scale ? scale.param.scale_param?.bias_term ?? false : null;
    let weightGrad: boolean | null = null;
    let biasGrad: boolean | null = null;
    if (scale) {
      weightGrad = lrMultInForce(scale.param.param, 0) !== 0;
      if (biasTerm) biasGrad = lrMultInForce(scale.param.param, 1) !== 0;
      else if (bias) {
        biasGrad = lrMultInForce(bias.param.param, 0) !== 0;
        notes.add("bias-layer", { bias: bias.name });
      } else {
        biasGrad = false;
        notes.add("scale-without-bias", { scale: scale.name });
      }
      const fixedZeroBias = !biasTerm && !bias;
      if (!weightGrad && (!biasGrad || fixedZeroBias)) notes.add("affine-frozen");
      else if (!weightGrad) notes.add("affine-partly-frozen", { frozen: "gamma (the Scale's weight)" });
      else if (!biasGrad && !fixedZeroBias) notes.add("affine-partly-frozen", { frozen: "beta (the bias)" });
    } else {
      notes.add("no-scale", { reason: unpairedReason(ctx.pairing.unpaired ?? "no-scale") });
    }

    // Momentum: PyTorch's running ← (1 − momentum)·running + momentum·batch against Caffe's
    // sums weighted by the fraction (BatchNormLayer::Forward_cpu).
    let momentum: number | null = fraction === 1 ? null : oneMinusDecimal(fraction);
    let exact = fraction === 0 || fraction === 1;
    if (fraction < 0 || fraction > 1 || !Number.isFinite(fraction)) {
      exact = false;
      notes.add("fraction-out-of-range", { fraction });
      diagnostics.push(
        diagnostic("fraction-out-of-range", "error", ctx.sourceMap.rangeOf(bnp, "moving_average_fraction") ?? ctx.sourceMap.rangeOf(ctx.bn.param), {
          layer: ctx.bn.name,
          fraction,
        }),
      );
    } else if (fraction === 1) notes.add("momentum-cumulative");
    else if (fraction === 0) notes.add("momentum-last-batch");
    else if (ctx.exact) {
      exact = true;
      notes.add("exact-emulation", { fraction });
    } else {
      notes.add("momentum-not-exact", { fraction, momentum, steps: stepsUntilBelow(fraction, FORGOTTEN) });
    }
    if (momentum !== null && !Number.isFinite(momentum)) momentum = null;

    const { line, column } = layerPosition(ctx.bn, ctx.sourceMap, ctx.lines);
    const block: BlockOutcome["block"] = {
      batchnorm: ctx.bn.name,
      scale: scale?.name ?? null,
      bias: bias?.name ?? null,
      input: ctx.input,
      output: ctx.output,
      ...shapeFields(ctx.inputShape),
      caffe: {
        type: "BatchNorm",
        use_global_stats: useGlobalStats,
        use_global_stats_explicit: bnp.use_global_stats !== undefined,
        // As Caffe's BatchNormLayer::LayerSetUp: the written value, else true exactly in TEST.
        use_global_stats_by_phase: {
          TRAIN: bnp.use_global_stats ?? false,
          TEST: bnp.use_global_stats ?? true,
        },
        moving_average_fraction: fraction,
        eps,
        stats_lr_mult: params.map(writtenLrMult),
        scale_lr_mult: scale ? (scale.param.param ?? []).map(writtenLrMult) : null,
        bias_term: biasTerm,
        bias_lr_mult: bias ? (bias.param.param ?? []).map(writtenLrMult) : null,
      },
      torch: {
        module,
        num_features,
        eps,
        momentum,
        affine: scale !== null,
        track_running_stats: mode !== "batch-stats",
        weight_requires_grad: weightGrad,
        bias_requires_grad: biasGrad,
        mode,
      },
      exact,
      notes: notes.list,
      line,
      column,
    };
    const unpaired = ctx.pairing.unpaired
      ? { batchnorm: ctx.bn.name, code: ctx.pairing.unpaired, reason: unpairedReason(ctx.pairing.unpaired) }
      : undefined;
    return unpaired ? { block, unpaired, diagnostics } : { block, diagnostics };
  },
};
