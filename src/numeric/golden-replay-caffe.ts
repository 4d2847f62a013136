/**
 * Replays one golden case through the Caffe executor: Input → BatchNorm → optional Scale, one forward
 * (and backward) per step, with the BN blobs carried across steps and phases as Caffe's shared nets
 * carry them.
 */
import {
  caffeBatchNormBackward,
  caffeBatchNormBlobsFrom,
  caffeBatchNormForward,
  caffeBatchNormSettings,
  caffeEffectiveStats,
  type CaffePhase,
} from "./caffe-batch-norm.js";
import { caffeComputedDiffs, type CaffeComputedDiffs } from "./caffe-diff-rule.js";
import { caffeScaleBackward, caffeScaleForward } from "./caffe-scale.js";
import type { CaseRecorder } from "./golden-report.js";
import { readTensor, type GoldenCase, type TensorRecord } from "./golden-types.js";
import { zeros, type Tensor } from "./tensor.js";

const EXECUTOR = "caffe";

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

function checkSettings(c: GoldenCase, recorder: CaseRecorder): void {
  const p = c.params;
  const param = { movingAverageFraction: p.moving_average_fraction, eps: p.eps, useGlobalStats: p.use_global_stats };
  const train = caffeBatchNormSettings(param, "TRAIN");
  if (train.movingAverageFraction !== Math.fround(p.effective_moving_average_fraction)) {
    recorder.find("setting-mismatch", EXECUTOR, "moving_average_fraction", -1, p.effective_moving_average_fraction, train.movingAverageFraction);
  }
  if (train.eps !== Math.fround(p.effective_eps)) {
    recorder.find("setting-mismatch", EXECUTOR, "eps", -1, p.effective_eps, train.eps);
  }
  for (const [phase, expected] of Object.entries(p.effective_use_global_stats_per_phase)) {
    const ours = caffeBatchNormSettings(param, phase as CaffePhase).useGlobalStats;
    if (ours !== expected) recorder.find("setting-mismatch", EXECUTOR, `use_global_stats.${phase}`, -1, expected, ours);
  }
}

/** Compares a diff we computed (or zeros, when Caffe prunes it) against the recording. */
function compareDiff(
  recorder: CaseRecorder,
  step: number,
  metric: string,
  ours: { computed: boolean; value: Tensor | Float32Array | undefined; shape: number[] },
  recorded: { computed: boolean | undefined; value: TensorRecord | undefined },
  path: string,
): void {
  if (recorded.computed !== undefined && recorded.computed !== ours.computed) {
    recorder.find("computed-flag-mismatch", EXECUTOR, metric, step, recorded.computed, ours.computed);
  }
  if (recorded.value === undefined) return;
  const expected = readTensor(recorded.value, path);
  // Where Caffe prunes the backward the diff stays as zeroed before it: never invent a gradient there.
  const value = ours.computed && ours.value !== undefined ? ours.value : zeros(ours.shape);
  const actual = value instanceof Float32Array ? { shape: ours.shape, data: value } : value;
  recorder.compare(EXECUTOR, metric, step, actual, expected);
}

/** Replays the Caffe recordings of a case into `recorder`. */
export function replayCaffe(c: GoldenCase, recorder: CaseRecorder): void {
  const p = c.params;
  const path = `${c.name}.caffe`;
  checkSettings(c, recorder);
  const init = c.caffe.initial_bn_blobs;
  const blobs = caffeBatchNormBlobsFrom(
    readTensor(init.mean_sum, `${path}.initial_bn_blobs.mean_sum`).data,
    readTensor(init.var_sum, `${path}.initial_bn_blobs.var_sum`).data,
    init.scale_factor,
  );
  const initial = caffeEffectiveStats(blobs);
  const channels = blobs.meanSum.length;
  recorder.compare(EXECUTOR, "effective_mean", -1, { shape: [channels], data: initial.mean }, readTensor(init.effective_mean, `${path}.initial_bn_blobs.effective_mean`));
  recorder.compare(EXECUTOR, "effective_var", -1, { shape: [channels], data: initial.variance }, readTensor(init.effective_var, `${path}.initial_bn_blobs.effective_var`));

  const gamma = c.scale_init === null ? null : readTensor(c.scale_init.scale, `${c.name}.scale_init.scale`).data;
  const beta = c.scale_init?.bias && p.scale_bias_term ? readTensor(c.scale_init.bias, `${c.name}.scale_init.bias`).data : null;
  const needs = caseComputedDiffs(c);
  const param = { movingAverageFraction: p.moving_average_fraction, eps: p.eps, useGlobalStats: p.use_global_stats };
  const phases = stepPhases(c);

  c.caffe.steps.forEach((record, k) => {
    const stepPath = `${path}.steps[${k}]`;
    const inputRecord = c.inputs[k];
    if (inputRecord === undefined) {
      recorder.find("missing-record", EXECUTOR, "inputs", k, "tensor", null);
      return;
    }
    const bottom = readTensor(inputRecord, `${c.name}.inputs[${k}]`);
    const settings = caffeBatchNormSettings(param, phases[k] ?? record.phase);
    const bn = caffeBatchNormForward(bottom, blobs, settings);
    const top = gamma === null ? bn.top : caffeScaleForward(bn.top, gamma, beta);

    recorder.compare(EXECUTOR, "top", k, top, readTensor(record.top, `${stepPath}.top`));
    recorder.compare(EXECUTOR, "bn_mean_sum", k, { shape: [channels], data: blobs.meanSum }, readTensor(record.bn_mean_sum, `${stepPath}.bn_mean_sum`));
    recorder.compare(EXECUTOR, "bn_var_sum", k, { shape: [channels], data: blobs.varSum }, readTensor(record.bn_var_sum, `${stepPath}.bn_var_sum`));
    recorder.compareScalar(EXECUTOR, "bn_scale_factor", k, blobs.scaleFactor[0] as number, record.bn_scale_factor);
    const effective = caffeEffectiveStats(blobs);
    recorder.compare(EXECUTOR, "effective_mean", k, { shape: [channels], data: effective.mean }, readTensor(record.effective_mean, `${stepPath}.effective_mean`));
    recorder.compare(EXECUTOR, "effective_var", k, { shape: [channels], data: effective.variance }, readTensor(record.effective_var, `${stepPath}.effective_var`));

    if (!p.backward_run) return;
    const dy = upstreamGrad(c, k, recorder, EXECUTOR);
    if (dy === null) return;
    const scaleGrads =
      gamma === null
        ? null
        : caffeScaleBackward(dy, bn.top, gamma, { bottom: needs.bottom, scale: needs.scale, bias: needs.bias && beta !== null });
    const bnTopDiff = scaleGrads === null ? dy : scaleGrads.bottomDiff;
    const bottomDiff = needs.bottom && bnTopDiff !== undefined ? caffeBatchNormBackward(bnTopDiff, bn) : undefined;

    compareDiff(recorder, k, "bottom_diff", { computed: needs.bottom, value: bottomDiff, shape: bottom.shape },
      { computed: record.bottom_diff_computed, value: record.bottom_diff }, `${stepPath}.bottom_diff`);
    compareDiff(recorder, k, "scale_diff", { computed: needs.scale, value: scaleGrads?.scaleDiff, shape: [channels] },
      { computed: record.scale_diff_computed, value: record.scale_diff }, `${stepPath}.scale_diff`);
    compareDiff(recorder, k, "bias_diff", { computed: needs.bias, value: scaleGrads?.biasDiff, shape: [channels] },
      { computed: record.bias_diff_computed, value: record.bias_diff }, `${stepPath}.bias_diff`);
  });
}
