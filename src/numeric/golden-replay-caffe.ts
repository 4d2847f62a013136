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
import { caffeScaleBackward, caffeScaleForward } from "./caffe-scale.js";
import { caseComputedDiffs, stepPhases, upstreamGrad } from "./golden-case.js";
import type { CaseRecorder } from "./golden-report.js";
import { readTensor, type GoldenCase, type TensorRecord } from "./golden-types.js";
import { zeros, type Tensor } from "./tensor.js";

const EXECUTOR = "caffe";

/** batch_norm_param as the case's prototxt wrote it (null: absent). */
function caseParam(c: GoldenCase) {
  const p = c.params;
  return { movingAverageFraction: p.moving_average_fraction, eps: p.eps, useGlobalStats: p.use_global_stats };
}

/** Checks our defaults (caffeBatchNormSettings) against the values the trace says were in force. */
function checkSettings(c: GoldenCase, recorder: CaseRecorder): void {
  const p = c.params;
  const param = caseParam(c);
  const train = caffeBatchNormSettings(param, "TRAIN");
  const maf = p.effective_moving_average_fraction;
  if (train.movingAverageFraction !== Math.fround(maf)) {
    recorder.find("setting-mismatch", EXECUTOR, "moving_average_fraction", -1, maf, train.movingAverageFraction);
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
  const initPath = `${path}.initial_bn_blobs`;
  const blobs = caffeBatchNormBlobsFrom(
    readTensor(init.mean_sum, `${initPath}.mean_sum`).data,
    readTensor(init.var_sum, `${initPath}.var_sum`).data,
    init.scale_factor,
  );
  const channels = blobs.meanSum.length;
  const vector = (data: Float32Array): Tensor => ({ shape: [channels], data });
  const initial = caffeEffectiveStats(blobs);
  const initialMean = readTensor(init.effective_mean, `${initPath}.effective_mean`);
  const initialVar = readTensor(init.effective_var, `${initPath}.effective_var`);
  recorder.compare(EXECUTOR, "effective_mean", -1, vector(initial.mean), initialMean);
  recorder.compare(EXECUTOR, "effective_var", -1, vector(initial.variance), initialVar);

  const scale = c.scale_init;
  const gamma = scale === null ? null : readTensor(scale.scale, `${c.name}.scale_init.scale`).data;
  const beta = scale?.bias && p.scale_bias_term ? readTensor(scale.bias, `${c.name}.scale_init.bias`).data : null;
  const needs = caseComputedDiffs(c);
  const param = caseParam(c);
  const phases = stepPhases(c);

  c.caffe.steps.forEach((record, k) => {
    const stepPath = `${path}.steps[${k}]`;
    const recorded = (value: TensorRecord, key: string) => readTensor(value, `${stepPath}.${key}`);
    const inputRecord = c.inputs[k];
    if (inputRecord === undefined) {
      recorder.find("missing-record", EXECUTOR, "inputs", k, "tensor", null);
      return;
    }
    const bottom = readTensor(inputRecord, `${c.name}.inputs[${k}]`);
    const settings = caffeBatchNormSettings(param, phases[k] ?? record.phase);
    const bn = caffeBatchNormForward(bottom, blobs, settings);
    const top = gamma === null ? bn.top : caffeScaleForward(bn.top, gamma, beta);

    recorder.compare(EXECUTOR, "top", k, top, recorded(record.top, "top"));
    recorder.compare(EXECUTOR, "bn_mean_sum", k, vector(blobs.meanSum), recorded(record.bn_mean_sum, "bn_mean_sum"));
    recorder.compare(EXECUTOR, "bn_var_sum", k, vector(blobs.varSum), recorded(record.bn_var_sum, "bn_var_sum"));
    recorder.compareScalar(EXECUTOR, "bn_scale_factor", k, blobs.scaleFactor[0] as number, record.bn_scale_factor);
    const effective = caffeEffectiveStats(blobs);
    const effectiveMean = recorded(record.effective_mean, "effective_mean");
    recorder.compare(EXECUTOR, "effective_mean", k, vector(effective.mean), effectiveMean);
    recorder.compare(EXECUTOR, "effective_var", k, vector(effective.variance), recorded(record.effective_var, "effective_var"));

    if (!p.backward_run) return;
    const dy = upstreamGrad(c, k, recorder, EXECUTOR);
    if (dy === null) return;
    const scaleNeeds = { bottom: needs.bottom, scale: needs.scale, bias: needs.bias && beta !== null };
    const scaleGrads = gamma === null ? null : caffeScaleBackward(dy, bn.top, gamma, scaleNeeds);
    const bnTopDiff = scaleGrads === null ? dy : scaleGrads.bottomDiff;
    const bottomDiff = needs.bottom && bnTopDiff !== undefined ? caffeBatchNormBackward(bnTopDiff, bn) : undefined;

    type DiffKey = "bottom_diff" | "scale_diff" | "bias_diff";
    const diff = (metric: DiffKey, computed: boolean, value: Tensor | Float32Array | undefined) => {
      const ours = { computed, value, shape: metric === "bottom_diff" ? bottom.shape : [channels] };
      const theirs = { computed: record[`${metric}_computed`], value: record[metric] };
      compareDiff(recorder, k, metric, ours, theirs, `${stepPath}.${metric}`);
    };
    diff("bottom_diff", needs.bottom, bottomDiff);
    diff("scale_diff", needs.scale, scaleGrads?.scaleDiff);
    diff("bias_diff", needs.bias, scaleGrads?.biasDiff);
  });
}
