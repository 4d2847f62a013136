import type { ConvertBlock, ConvertResult } from "../convert/types.js";
import { assignKeys } from "../convert/names.js";

/**
 * The `module.training` flag a block's module needs, with and without training, as
 * `set_training(modules, training)` applies it.
 */
export interface TrainingFlags {
  /** Flag when `set_training(modules, True)`. */
  whenTraining: boolean;
  /** Flag when `set_training(modules, False)`. */
  whenNotTraining: boolean;
}

/** One block as the Python emitter writes it. */
export interface PlannedModule {
  block: ConvertBlock;
  /** 0-based position in `result.blocks`. */
  index: number;
  /** ModuleDict key (a safe Python identifier), unique over all blocks, skipped ones included. */
  key: string;
  /** Why no module is built, or null when one is. Our own fixed text, never a layer name. */
  skipReason: string | null;
  flags: TrainingFlags;
}

/**
 * The flags for a block: training ↔ the net running in Caffe's TRAIN phase, evaluating ↔ TEST.
 * In each, the module is in train() exactly when Caffe's layer normalises with batch statistics
 * in that phase (`caffe.use_global_stats_by_phase`), so:
 *
 * - `train` blocks (TRAIN, batch statistics): train() while training; in eval() otherwise when
 *   Caffe's TEST phase uses the stored statistics (the default), in train() when the prototxt
 *   writes `use_global_stats: false` (Caffe's TEST would use batch statistics too).
 * - `frozen` blocks (stored statistics while training): eval() even while training, as Caffe's
 *   BatchNormLayer never updates them (gamma/beta in the module may still learn).
 * - `eval` blocks (TEST, stored statistics): eval(); while training, train() only if Caffe's
 *   TRAIN phase would switch to batch statistics (BVLC's default, NVCaffe, PSPNet without
 *   `frozen`), else eval() (a written `use_global_stats: true`, SegNet's `bn_mode: INFERENCE`,
 *   PSPNet's `frozen`).
 * - `batch-stats` blocks (TEST with `use_global_stats: false`, or SegNet's `bn_mode: LEARN` in
 *   either phase): built with `track_running_stats=False`, which uses batch statistics in
 *   train() and eval() alike; the flag follows the rule above, so it says what the layer does.
 */
export function trainingFlags(block: Pick<ConvertBlock, "caffe">): TrainingFlags {
  const byPhase = block.caffe.use_global_stats_by_phase;
  return { whenTraining: !byPhase.TRAIN, whenNotTraining: !byPhase.TEST };
}

/** Why a block cannot be built, or null. */
export function skipReason(block: ConvertBlock): string | null {
  const { module, num_features: features } = block.torch;
  if (module === null) return "input rank unknown: cannot choose BatchNorm1d/2d/3d";
  if (features === null) return "number of channels unknown: num_features cannot be set";
  if (!Number.isSafeInteger(features) || features < 0) {
    return "num_features is not a non-negative integer";
  }
  return null;
}

/** Keys, skip reasons and training flags for every block, in `result.blocks` order. */
export function planModules(result: ConvertResult): PlannedModule[] {
  const keys = assignKeys(result.blocks.map((b) => b.batchnorm));
  return result.blocks.map((block, index) => ({
    block,
    index,
    key: keys[index] ?? "layer",
    skipReason: skipReason(block),
    flags: trainingFlags(block),
  }));
}
