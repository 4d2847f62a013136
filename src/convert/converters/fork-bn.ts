import { lrMultInForce, moduleForShape, Notes, writtenLrMult, type BlockContext, type BlockConverter, type BlockOutcome } from "../context.js";
import { oneMinusDecimal } from "../decimal.js";
import { forkBlock } from "./fork-block.js";

/** caffe-segnet's BNLayer::LayerSetUp hard-codes `var_eps_ = 1e-9`. */
const SEGNET_EPS = 1e-9;

/**
 * The `BN` layer of the Caffe forks (no such type in BVLC). Which fork is meant is read from its
 * bn_param (see src/caffe/bn-variant.ts); each is mapped only as far as its code makes certain.
 */
export const forkBnConverter: BlockConverter = {
  layerType: "BN",
  convert(ctx: BlockContext): BlockOutcome {
    const variant = ctx.pairing.variant;
    if (variant.family === "segnet") return segnet(ctx, variant.mode);
    if (variant.family === "pspnet") return pspnet(ctx, variant);
    const notes = new Notes();
    const why = variant.family === "unrecognised" ? variant.reason : "not a BN fork";
    const fields = variant.family === "unrecognised" ? variant.fields : [];
    notes.add("fork-unrecognised", { type: ctx.bn.type, fields: fields.length ? fields.join(", ") : "none", why });
    const params = ctx.bn.param.param ?? [];
    return forkBlock(ctx, {
      caffe: {
        type: "BN",
        use_global_stats: ctx.phase === "TEST",
        use_global_stats_explicit: false,
        use_global_stats_by_phase: { TRAIN: false, TEST: true },
        moving_average_fraction: 0,
        eps: 0,
        stats_lr_mult: params.slice(2).map(writtenLrMult),
        scale_lr_mult: params.slice(0, 2).map(writtenLrMult),
        bias_term: true,
        fork: { family: "unrecognised", settings: { reason: why } },
      },
      torch: {
        module: null,
        num_features: null,
        eps: 0,
        momentum: null,
        affine: true,
        track_running_stats: true,
        weight_requires_grad: null,
        bias_requires_grad: null,
        mode: ctx.phase === "TEST" ? "eval" : "train",
      },
      exact: false,
      notes,
    });
  },
};

/**
 * caffe-segnet / ENet BN (BNLayer::Forward_cpu): blobs [scale, shift]. LEARN normalises with the
 * current batch's mean and biased variance (E[x²] − E[x]²) in every phase and stores nothing;
 * INFERENCE computes scale·x + shift only.
 */
function segnet(ctx: BlockContext, mode: "LEARN" | "INFERENCE"): BlockOutcome {
  const notes = new Notes();
  const { module, num_features } = moduleForShape(ctx.inputShape, notes);
  const params = ctx.bn.param.param ?? [];
  const learn = mode === "LEARN";
  notes.add(learn ? "fork-segnet-learn" : "fork-segnet-inference");
  return forkBlock(ctx, {
    caffe: {
      type: "BN",
      use_global_stats: !learn,
      use_global_stats_explicit: false,
      // The segnet/ENet BN decides by bn_mode alone, whatever the phase.
      use_global_stats_by_phase: { TRAIN: !learn, TEST: !learn },
      moving_average_fraction: 0,
      eps: learn ? SEGNET_EPS : 0,
      stats_lr_mult: [],
      scale_lr_mult: params.map(writtenLrMult),
      bias_term: true,
      fork: { family: "segnet", settings: { bn_mode: mode } },
    },
    torch: {
      module,
      num_features,
      // INFERENCE is exactly eval() with mean 0, variance 1 and eps 0.
      eps: learn ? SEGNET_EPS : 0,
      momentum: null,
      affine: true,
      track_running_stats: !learn,
      weight_requires_grad: lrMultInForce(params, 0) !== 0,
      bias_requires_grad: lrMultInForce(params, 1) !== 0,
      mode: learn ? "batch-stats" : ctx.phase === "TRAIN" ? "frozen" : "eval",
    },
    // Nothing is accumulated on either side, so nothing can drift apart.
    exact: true,
    notes,
  });
}

/**
 * PSPNet BN (hszhao/PSPNet BNLayer): blobs [slope, bias, mean, variance]. TEST or `frozen` use the
 * stored statistics; TRAIN otherwise normalises with batch statistics and updates
 * running ← momentum·running + (1 − momentum)·batch. `frozen` also forces slope/bias lr_mult to 0.
 */
function pspnet(ctx: BlockContext, v: { frozen: boolean; momentum: number; eps: number }): BlockOutcome {
  const notes = new Notes();
  const { module, num_features } = moduleForShape(ctx.inputShape, notes);
  const params = ctx.bn.param.param ?? [];
  const training = ctx.phase === "TRAIN";
  const momentum = oneMinusDecimal(v.momentum);
  notes.add("fork-pspnet", { fraction: v.momentum, momentum });
  if (v.frozen) notes.add("fork-pspnet-frozen");
  else if (training) notes.add("fork-pspnet-running");
  const globalStats = v.frozen || !training;
  return forkBlock(ctx, {
    caffe: {
      type: "BN",
      use_global_stats: globalStats,
      use_global_stats_explicit: false,
      // PSPNet's BN: `frozen` uses the stored statistics in both phases; otherwise TEST does.
      use_global_stats_by_phase: { TRAIN: v.frozen, TEST: true },
      moving_average_fraction: v.momentum,
      eps: v.eps,
      stats_lr_mult: params.slice(2, 4).map(writtenLrMult),
      scale_lr_mult: params.slice(0, 2).map(writtenLrMult),
      bias_term: true,
      fork: { family: "pspnet", settings: { frozen: v.frozen, momentum: v.momentum } },
    },
    torch: {
      module,
      num_features,
      eps: v.eps,
      momentum,
      affine: true,
      track_running_stats: true,
      weight_requires_grad: !v.frozen && lrMultInForce(params, 0) !== 0,
      bias_requires_grad: !v.frozen && lrMultInForce(params, 1) !== 0,
      mode: training ? (v.frozen ? "frozen" : "train") : "eval",
    },
    // Exact only when the statistics are never updated (frozen); training updates differ.
    exact: v.frozen,
    notes,
  });
}
