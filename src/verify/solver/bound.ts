/**
 * How far two correct float32 executions of the same update rule may drift apart: the bound
 * `verify --solver` holds `--exact` (and a plain mapping that claims equality) to.
 *
 * Caffe and the emitted PyTorch compute the same formulas with different roundings: OpenBLAS's
 * saxpby rounds two products where torch's `add_(alpha=)` fuses one, torch's LambdaLR computes the
 * group lr in double where Caffe rounds `rate·lr_mult` to float, clipping norms are summed in
 * different orders. Each iteration each side rounds every value at most ~8 times (regularisation 1,
 * history 2–3, update 3–4, the subtraction 1), each rounding off by at most u = 2⁻²⁴ of the value
 * it rounds, so per iteration the two parameters move apart by at most
 *
 *     u·(2·|θ| + K·H·gross),   K = 16 (8 per side)
 *
 * (θ itself is rounded once per side, by the subtraction θ − update; everything else is part of
 * the update)
 * where `gross` is the size of the update's terms before they cancel (CaffeStep.gross) and H how
 * many iterations an error stays in the history the update reads: an error in a momentum history
 * decays as momentumⁱ (Σ = 1/(1 − momentum), capped by the iterations run); an error in a sum of
 * squares (AdaGrad, RMSProp's and Adam's second moments) is relative and enters the update halved
 * by the square root. Clipping adds √N·u relative to every update (the global norm is a float sum
 * over N values, whose error grows as √N in practice and which both sides order differently).
 * The bound of a blob is the sum of these increments over the iterations so far, per blob with its
 * largest |θ| and gross; errors are compared scaled by max(1, max |θ|) as the rest of verify does.
 *
 * The bound is a worst case built from counts, above what two correct executors show (measured: at
 * most 9% of it replaying every golden Caffe recording, 11% between the emitted --exact and Caffe on
 * seeded gradients) and far below what a wrong rule produces (SGD's plain momentum at an lr change:
 * 10³–10⁵ times the bound; Adam with torch's epsilon placement on the golden case: 85 times).
 */
import type { SolverType } from "../../solver/settings.js";

/** float32's unit roundoff. */
export const U = 2 ** -24;
/** Roundings per value per iteration, both sides together. */
export const ROUNDINGS = 16;

/** The decays of the histories an update reads, by solver type. */
export interface HistoryDecays {
  momentum: number;
  momentum2: number;
  rmsDecay: number;
}

/** H at iteration k (0-based): how many iterations a rounding error stays in the update. */
export function historyFactor(type: SolverType, d: HistoryDecays, k: number): number {
  const span = (decay: number): number => (decay >= 1 ? k + 1 : Math.min(k + 1, 1 / (1 - decay)));
  switch (type) {
    case "SGD":
      return span(d.momentum);
    case "Nesterov":
      return span(d.momentum);
    case "AdaGrad":
      return 1 + (k + 1) / 2;
    case "RMSProp":
      return 1 + span(d.rmsDecay) / 2;
    case "AdaDelta":
      return 1 + span(d.momentum);
    case "Adam":
      return span(d.momentum) + span(d.momentum2) / 2;
  }
}

/** One iteration's growth of a blob's bound (absolute, in the blob's units). */
export function boundIncrement(maxParam: number, gross: number, history: number, clipValues: number | null): number {
  const clipping = clipValues === null ? 0 : Math.sqrt(clipValues);
  return U * (2 * maxParam + ROUNDINGS * (history + clipping) * gross);
}
