import type { ConvertBlock, ConvertResult, TorchMode } from "../convert/types.js";
import { assignKeys } from "./python-names.js";

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
 * The flags for a block, from what its BatchNorm does in the converted phase.
 *
 * - `train` (TRAIN, batch statistics, running statistics updated): `module.train(training)`,
 *   as torch.nn.BatchNorm is normally driven; eval() uses the running statistics as Caffe's TEST
 *   phase would by default.
 * - `frozen` (TRAIN with `use_global_stats: true`): Caffe's BatchNormLayer normalises with the
 *   stored statistics and never updates them, so the module stays in eval() even while
 *   training (gamma/beta in the module may still learn).
 * - `eval` (TEST with global statistics): if `use_global_stats: true` was written, the same
 *   prototxt in Caffe's TRAIN phase would also keep the statistics fixed, so the module stays in
 *   eval() like a frozen one; if it was Caffe's TEST default, Caffe's TRAIN phase would switch to
 *   batch statistics, so the module follows `training`.
 * - `batch-stats` (TEST with `use_global_stats: false`): built with
 *   `track_running_stats=False`, which makes torch.nn.BatchNorm use batch statistics in train()
 *   and eval() alike; we keep it in train() so the flag says what it does.
 */
export function trainingFlags(mode: TorchMode, useGlobalStatsExplicit: boolean): TrainingFlags {
  switch (mode) {
    case "train":
      return { whenTraining: true, whenNotTraining: false };
    case "frozen":
      return { whenTraining: false, whenNotTraining: false };
    case "eval":
      return useGlobalStatsExplicit
        ? { whenTraining: false, whenNotTraining: false }
        : { whenTraining: true, whenNotTraining: false };
    case "batch-stats":
      return { whenTraining: true, whenNotTraining: true };
  }
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
    flags: trainingFlags(block.torch.mode, block.caffe.use_global_stats_explicit),
  }));
}
