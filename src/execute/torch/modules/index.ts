/**
 * Every module class the PyTorch-semantics executor runs, one explicit list keyed by the class
 * name as the emitted model.py writes it (`nn.Conv2d`, or a helper's own name); a class claimed
 * twice throws at load.
 */
import { ACTIVATION_MODULES } from "./activation.js";
import { CONV_MODULES } from "./conv.js";
import { CTC_MODULES } from "./ctc.js";
import { DETECTION_LOSS_MODULES } from "./detection-losses.js";
import { DETECTION_MODULES } from "./detection.js";
import { DETECTION_OUTPUT_MODULES } from "./detection-output.js";
import { HELPER_MODULES } from "./helpers.js";
import { LOSS_MODULES } from "./losses.js";
import type { ModuleImpl } from "./module.js";
import { NORM_MODULES } from "./norm.js";
import { POOL_MODULES } from "./pool.js";

/** Every module implementation. */
export const MODULES: readonly ModuleImpl[] = [...CONV_MODULES, ...POOL_MODULES, ...NORM_MODULES, ...ACTIVATION_MODULES, ...HELPER_MODULES, ...LOSS_MODULES, ...DETECTION_MODULES, ...DETECTION_OUTPUT_MODULES, ...CTC_MODULES, ...DETECTION_LOSS_MODULES];

/** Implementations by class name (refusing a class listed twice). */
export function modulesByClass(list: readonly ModuleImpl[] = MODULES): ReadonlyMap<string, ModuleImpl> {
  const map = new Map<string, ModuleImpl>();
  for (const m of list) {
    for (const cls of m.classes) {
      if (map.has(cls)) throw new Error(`module class ${cls} has two implementations`);
      map.set(cls, m);
    }
  }
  return map;
}

const BY_CLASS = modulesByClass();

/** The implementation of a module class, if there is one. */
export function moduleOf(cls: string): ModuleImpl | undefined {
  return BY_CLASS.get(cls);
}

/** The module classes the executor runs, sorted. */
export function executedClasses(): string[] {
  return [...BY_CLASS.keys()].sort();
}
