import { moduleForShape, Notes, writtenLrMult, type BlockContext, type BlockOutcome } from "../context.js";
import { oneMinusDecimal } from "../decimal.js";
import { forkBlock } from "./fork-block.js";

/** NVCaffe's BatchNormParameter defaults match BVLC's. */
const DEFAULT_FRACTION = 0.999;
const DEFAULT_EPS = 1e-5;
/** NVCaffe's BatchNormLayer::LayerSetUp: `eps_ = std::max<float>(param.eps(), 0.00001f)`. */
const MIN_EPS = 1e-5;

/**
 * NVIDIA Caffe (0.17) `BatchNorm` with scale_bias, as its BatchNormLayer does on the CPU:
 * five blobs [mean, variance, variance correction (1, unused), scale, bias]; the phase alone picks
 * stored statistics (TEST) or batch statistics (TRAIN), use_global_stats is read but not used;
 * gamma/beta lr_mult are forced to 1. The TEST computation is PyTorch's eval() with the stored
 * mean and variance loaded as they are; training updates differ (see the notes), so never exact.
 */
export function convertNvcaffeBatchNorm(ctx: BlockContext): BlockOutcome {
  const notes = new Notes();
  const bnp = ctx.bn.param.batch_norm_param ?? {};
  const fraction = bnp.moving_average_fraction ?? DEFAULT_FRACTION;
  const written = bnp.eps ?? DEFAULT_EPS;
  const eps = Math.max(written, MIN_EPS);
  const training = ctx.phase === "TRAIN";
  const { module, num_features } = moduleForShape(ctx.inputShape, notes);
  notes.add("fork-nvcaffe");
  if (bnp.use_global_stats !== undefined) notes.add("fork-nvcaffe-phase");
  if (training) notes.add("fork-nvcaffe-running");
  const params = ctx.bn.param.param ?? [];
  for (const index of [3, 4]) {
    const lr = params[index]?.lr_mult;
    if (lr !== undefined && lr !== 1) notes.add("fork-nvcaffe-lr-mult", { index, lr_mult: lr });
  }
  return forkBlock(ctx, {
    caffe: {
      type: "BatchNorm",
      use_global_stats: !training,
      use_global_stats_explicit: bnp.use_global_stats !== undefined,
      // NVCaffe picks the statistics by phase and ignores use_global_stats.
      use_global_stats_by_phase: { TRAIN: false, TEST: true },
      moving_average_fraction: fraction,
      eps: written,
      stats_lr_mult: params.slice(0, 3).map(writtenLrMult),
      scale_lr_mult: params.slice(3, 5).map(writtenLrMult),
      bias_term: true,
      fork: { family: "nvcaffe", settings: { scale_bias: true, eps_in_force: eps } },
    },
    torch: {
      module,
      num_features,
      eps,
      momentum: fraction === 1 ? null : oneMinusDecimal(fraction),
      affine: true,
      track_running_stats: true,
      // NVCaffe forces gamma's and beta's lr_mult to 1, whatever the prototxt says.
      weight_requires_grad: true,
      bias_requires_grad: true,
      mode: training ? "train" : "eval",
    },
    exact: false,
    notes,
  });
}
