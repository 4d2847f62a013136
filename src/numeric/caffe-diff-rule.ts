/**
 * Which gradients Caffe computes for an Input → BatchNorm → optional Scale block, following the
 * need-backward bookkeeping of Caffe's Net::Init.
 *
 * The facts this encodes (pinned by the golden cases `train_no_loss_no_force_backward` …
 * `train_scale_lr0_force_backward`):
 * - Without force_backward and without a loss reaching the block, Caffe prunes every backward.
 * - force_backward makes every layer run its backward and sets param_propagate_down for every
 *   parameter, so even `lr_mult: 0` Scale parameters get gradients.
 * - Net::Init decides a layer's need for backward from the `param {}` blocks *in the prototxt*; a
 *   missing block counts as lr_mult 1. BatchNormLayer adds its own `lr_mult: 0` blocks only to its
 *   private copy at setup, too late to matter. So an undeclared BN "needs backward" when a loss reaches
 *   it, and — since BatchNormLayer::Backward_cpu ignores propagate_down — it writes the input diff even
 *   though the Input layer's top does not need one. Declaring `param { lr_mult: 0 }` ×3 prevents that.
 * - A Scale's parameter gradients need `lr_mult ≠ 0` (or force_backward).
 */

/** The net facts that decide the backward of the block. */
export interface CaffeBackwardSetup {
  /** Whether a backward runs at all after the forward. */
  readonly backwardRun: boolean;
  /** NetParameter.force_backward. */
  readonly forceBackward: boolean;
  /** The loss_weight on the block's top, or null when the top is not a loss. */
  readonly topLossWeight: number | null;
  /** Whether the BatchNorm layer declares `param { lr_mult: 0 }` for its three blobs. */
  readonly bnDeclaresParamLrMult0: boolean;
  /** Whether a Scale follows the BatchNorm. */
  readonly scale: boolean;
  /** Whether that Scale has a bias (bias_term). */
  readonly scaleBiasTerm: boolean;
  /** The lr_mult of the Scale's params, or null when it declares no `param {}` blocks (lr_mult 1). */
  readonly scaleLrMult: number | null;
}

/** Which diffs end up computed (non-pruned) after a Caffe backward. */
export interface CaffeComputedDiffs {
  /** The BN input's diff (the `data` blob). */
  readonly bottom: boolean;
  /** The Scale's gamma diff. */
  readonly scale: boolean;
  /** The Scale's beta diff. */
  readonly bias: boolean;
}

/** Applies Net::Init's rules to the block; see the module comment. */
export function caffeComputedDiffs(setup: CaffeBackwardSetup): CaffeComputedDiffs {
  const none = { bottom: false, scale: false, bias: false };
  if (!setup.backwardRun) return none;
  if (setup.forceBackward) {
    return { bottom: true, scale: setup.scale, bias: setup.scale && setup.scaleBiasTerm };
  }
  const lossReachesBlock = setup.topLossWeight !== null && setup.topLossWeight !== 0;
  if (!lossReachesBlock) return none;
  const bnNeedsBackward = !setup.bnDeclaresParamLrMult0;
  const scaleParams = setup.scale && (setup.scaleLrMult ?? 1) !== 0;
  return { bottom: bnNeedsBackward, scale: scaleParams, bias: scaleParams && setup.scaleBiasTerm };
}
