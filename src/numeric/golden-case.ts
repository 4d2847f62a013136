/**
 * Facts about a golden case that both replays need: the phase of each step, which diffs Caffe
 * computes, and the upstream gradient of a step.
 */
import type { CaffePhase } from "./caffe-batch-norm.js";
import { caffeComputedDiffs, type CaffeComputedDiffs } from "./caffe-diff-rule.js";
import type { CaseRecorder } from "./golden-report.js";
import { readTensor, type GoldenCase } from "./golden-types.js";
import type { Tensor } from "./tensor.js";

/** The phase of every step, in order (steps are numbered across phases). */
export function stepPhases(c: GoldenCase): CaffePhase[] {
  return c.phases.flatMap((p) => new Array<CaffePhase>(p.forwards).fill(p.phase));
}

/** The diffs Caffe computes in this case, by our reading of Net::Init (caffe-diff-rule.ts). */
export function caseComputedDiffs(c: GoldenCase): CaffeComputedDiffs {
  const p = c.params;
  return caffeComputedDiffs({
    backwardRun: p.backward_run,
    forceBackward: p.force_backward,
    topLossWeight: p.scale_top_loss_weight,
    bnDeclaresParamLrMult0: p.bn_declares_param_lr_mult0,
    scale: p.scale,
    scaleBiasTerm: p.scale_bias_term === true,
    scaleLrMult: p.scale_lr_mult,
  });
}

/** The upstream gradient of a step, or null (with a finding) when the trace lacks it. */
export function upstreamGrad(c: GoldenCase, step: number, recorder: CaseRecorder, executor: string): Tensor | null {
  const record = c.upstream_grads?.[step] ?? null;
  if (record === null) {
    recorder.find("missing-record", executor, "upstream_grads", step, "tensor", null);
    return null;
  }
  return readTensor(record, `${c.name}.upstream_grads[${step}]`);
}
