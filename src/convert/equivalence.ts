/**
 * The two questions a block's `exact` answers at once, apart: does the PyTorch module compute
 * Caffe's output (inference), and do its running statistics follow Caffe's when training goes on
 * (training)? A deploy net loaded from a caffemodel is exact in the first and lags in the second,
 * and a single "exact: no" made it read as if inference were approximate.
 */
import { stepsUntilBelow } from "./decimal.js";
import type { BlockEquivalence, ConvertBlock } from "./types.js";

/**
 * The weight of PyTorch's initial running value below which it counts as forgotten; the same
 * threshold as the `momentum-not-exact` note's k (converters/batch-norm.ts).
 */
export const FORGOTTEN_WEIGHT = 1e-3;

/**
 * The steps until the plain mapping's running statistics are within 0.1 % of Caffe's: f^k from
 * PyTorch's fresh start; with a caffemodel's scale factor s₀ loaded, w_k = (1 − (1 − f)·s₀)·f^k
 * (verify/lag.ts), so a converged s₀ leaves nothing to forget (0).
 */
function lagSteps(fraction: number, scaleFactor: number | null): number {
  const w0 = scaleFactor === null ? 1 : Math.abs(1 - (1 - fraction) * scaleFactor);
  if (w0 < FORGOTTEN_WEIGHT) return 0;
  return stepsUntilBelow(fraction, FORGOTTEN_WEIGHT / Math.min(1, w0));
}

/** What a converted block reproduces; reads only the block's plain data (and its weights, when attached). */
export function blockEquivalence(block: Omit<ConvertBlock, "equivalence">): BlockEquivalence {
  const family = block.caffe.fork?.family;
  const none: BlockEquivalence = { inference: "exact", training: "none", lag_steps: null };
  if (family === "unrecognised") return { inference: "unknown", training: "unknown", lag_steps: null };
  // Nothing accumulates: batch statistics only (track_running_stats=False), SegNet's BN, or
  // statistics that stay as loaded while training (frozen; PSPNet's `frozen`).
  if (!block.torch.track_running_stats || family === "segnet" || block.torch.mode === "frozen") return none;
  if (family === "pspnet") return block.exact ? none : { inference: "exact", training: "differs", lag_steps: null };
  if (family === "nvcaffe") return { inference: "exact", training: "differs", lag_steps: null };
  if (block.exact) return { inference: "exact", training: "exact", lag_steps: null };
  const f = block.caffe.moving_average_fraction;
  // A fraction outside [0, 1] has no equivalent momentum at all (the converter's error says so).
  if (!(f > 0 && f < 1)) return { inference: "exact", training: "differs", lag_steps: null };
  return { inference: "exact", training: "lags", lag_steps: lagSteps(f, block.weights?.scale_factor ?? null) };
}

/** The block with its `equivalence` (again, when its weights changed what it lags by). */
export function withEquivalence(block: Omit<ConvertBlock, "equivalence">): ConvertBlock {
  return { ...block, equivalence: blockEquivalence(block) };
}
