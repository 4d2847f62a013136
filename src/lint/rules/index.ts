import type { Rule, RuleMeta } from "../rule.js";
import { bnBatchStatsAtTest } from "./bn-batch-stats-at-test.js";
import { bnEpsBelowCudnn } from "./bn-eps-below-cudnn.js";
import { bnForkLayer } from "./bn-fork-layer.js";
import { bnFrozenInTrain } from "./bn-frozen-in-train.js";
import { bnMafRange } from "./bn-maf-range.js";
import { bnMultipleConsumers } from "./bn-multiple-consumers.js";
import { bnSingleValuePerChannel } from "./bn-single-value-per-channel.js";
import { bnStatsLrMult } from "./bn-stats-lr-mult.js";
import { bnWithoutScale } from "./bn-without-scale.js";
import { convBiasBeforeBn } from "./conv-bias-before-bn.js";
import { duplicateLayerName } from "./duplicate-layer-name.js";
import { duplicateTop } from "./duplicate-top.js";
import { floatOutOfRange } from "./float-out-of-range.js";
import { includeAndExclude } from "./include-and-exclude.js";
import { invalidDisableDirective } from "./invalid-disable-directive.js";
import { legacyFormat } from "./legacy-format.js";
import { legacyUpgrade } from "./legacy-upgrade.js";
import { mixedLayerFormats } from "./mixed-layer-formats.js";
import { reluMaskOverwritten } from "./relu-mask-overwritten.js";
import { scaleWithoutBias } from "./scale-without-bias.js";
import { solverIterSize } from "./solver-iter-size.js";
import { solverMomentum } from "./solver-momentum.js";
import { solverNetPath } from "./solver-net-path.js";
import { solverPolicyParams } from "./solver-policy-params.js";
import { solverTypeDeprecated } from "./solver-type-deprecated.js";
import { solverUnknownValue } from "./solver-unknown-value.js";
import { syntax } from "./syntax.js";
import { undefinedBottom } from "./undefined-bottom.js";
import { unknownField } from "./unknown-field.js";
import { unknownLayerType } from "./unknown-layer-type.js";

/**
 * Every lint rule, in the order findings of one line are listed. Explicit: adding a rule means
 * adding it here (and a docs page and tests — test/lint/consistency.test.ts checks both).
 */
const RULE_LIST: readonly Rule[] = [
  syntax,
  unknownField,
  unknownLayerType,
  floatOutOfRange,
  invalidDisableDirective,
  mixedLayerFormats,
  legacyFormat,
  legacyUpgrade,
  bnStatsLrMult,
  bnBatchStatsAtTest,
  bnFrozenInTrain,
  bnWithoutScale,
  scaleWithoutBias,
  bnMultipleConsumers,
  bnEpsBelowCudnn,
  bnMafRange,
  bnForkLayer,
  bnSingleValuePerChannel,
  convBiasBeforeBn,
  reluMaskOverwritten,
  undefinedBottom,
  duplicateTop,
  duplicateLayerName,
  includeAndExclude,
  solverTypeDeprecated,
  solverUnknownValue,
  solverNetPath,
  solverPolicyParams,
  solverMomentum,
  solverIterSize,
];

/** Builds an id → rule map, refusing duplicate and non-kebab-case ids. */
export function ruleRegistry(rules: readonly Rule[]): ReadonlyMap<string, Rule> {
  const byId = new Map<string, Rule>();
  for (const rule of rules) {
    const id = rule.meta.id;
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id)) throw new Error(`lint rule id '${id}' is not kebab-case`);
    if (byId.has(id)) throw new Error(`duplicate lint rule id '${id}'`);
    byId.set(id, rule);
  }
  return byId;
}

/** The registered rules by id. */
export const RULES: ReadonlyMap<string, Rule> = ruleRegistry(RULE_LIST);

/** The registered rules' metadata by id (what formatters need). */
export const RULE_METAS: ReadonlyMap<string, RuleMeta> = new Map([...RULES].map(([id, rule]) => [id, rule.meta]));
