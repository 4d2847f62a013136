/**
 * Replays one golden case through the PyTorch executor, once per recorded torch variant
 * (`mapped`, `cumulative`, `mapped_default_init`), each with the module configuration the trace
 * records.
 */
import { caseComputedDiffs, stepPhases, upstreamGrad } from "./golden-replay-caffe.js";
import type { CaseRecorder } from "./golden-report.js";
import { readTensor, type GoldenCase, type TensorRecord, type TorchVariantRecord } from "./golden-types.js";
import type { Tensor } from "./tensor.js";
import {
  createTorchBatchNorm,
  torchBatchNormBackward,
  torchBatchNormForward,
  torchModuleForRank,
  type TorchGradNeeds,
} from "./torch-batch-norm.js";

/** The gradients a variant's module computes, from its recorded requires_grad flags. */
function variantNeeds(c: GoldenCase, variant: TorchVariantRecord): TorchGradNeeds {
  const cfg = variant.config;
  const params = cfg.affine && cfg.weight_bias_requires_grad;
  return {
    input: c.params.backward_run && cfg.input_requires_grad,
    weight: c.params.backward_run && params,
    // A bias "fixed 0" (Scale without bias_term) is a constant, not a parameter with a gradient.
    bias: c.params.backward_run && params && cfg.bias === "copied from Scale",
  };
}

/** Checks that the variant's requires_grad flags mirror what Caffe computes (README section 2, `torch`). */
function checkRequiresGrad(c: GoldenCase, executor: string, needs: TorchGradNeeds, recorder: CaseRecorder): void {
  const caffe = caseComputedDiffs(c);
  if (needs.input !== caffe.bottom) recorder.find("requires-grad-mismatch", executor, "input", -1, caffe.bottom, needs.input);
  if (needs.weight !== caffe.scale) recorder.find("requires-grad-mismatch", executor, "weight", -1, caffe.scale, needs.weight);
  if (needs.bias !== caffe.bias) recorder.find("requires-grad-mismatch", executor, "bias", -1, caffe.bias, needs.bias);
}

function compareGrad(
  recorder: CaseRecorder,
  executor: string,
  metric: string,
  step: number,
  ours: Tensor | undefined,
  recorded: TensorRecord | undefined,
  path: string,
): void {
  if ((ours === undefined) !== (recorded === undefined)) {
    recorder.find("gradient-presence-mismatch", executor, metric, step, recorded !== undefined, ours !== undefined);
    return;
  }
  if (ours !== undefined && recorded !== undefined) recorder.compare(executor, metric, step, ours, readTensor(recorded, path));
}

/** Replays one torch variant into `recorder`. */
function replayVariant(c: GoldenCase, name: string, variant: TorchVariantRecord, recorder: CaseRecorder): void {
  const executor = `torch:${name}`;
  const path = `${c.name}.torch.${name}`;
  const cfg = variant.config;
  const expectedModule = torchModuleForRank(c.params.input_shape.length);
  if (expectedModule !== cfg.module) recorder.find("setting-mismatch", executor, "module", -1, cfg.module, expectedModule);
  const scale = c.scale_init;
  const module = createTorchBatchNorm({
    numFeatures: cfg.num_features,
    eps: cfg.eps,
    momentum: cfg.momentum,
    affine: cfg.affine,
    runningMean: readTensor(cfg.initial_running_mean, `${path}.config.initial_running_mean`).data,
    runningVar: readTensor(cfg.initial_running_var, `${path}.config.initial_running_var`).data,
    ...(cfg.affine && scale !== null && { weight: readTensor(scale.scale, `${c.name}.scale_init.scale`).data }),
    ...(cfg.affine && cfg.bias === "copied from Scale" && scale?.bias && { bias: readTensor(scale.bias, `${c.name}.scale_init.bias`).data }),
  });
  const needs = variantNeeds(c, variant);
  checkRequiresGrad(c, executor, needs, recorder);
  const phases = stepPhases(c);
  const ugs = c.params.effective_use_global_stats_per_phase;

  variant.steps.forEach((record, k) => {
    const stepPath = `${path}.steps[${k}]`;
    // PyTorch runs in eval() exactly where Caffe uses its stored statistics.
    const mode = ugs[phases[k] ?? record.phase] === true ? "eval" : "train";
    if (mode !== record.torch_mode) recorder.find("torch-mode-mismatch", executor, "torch_mode", k, record.torch_mode, mode);
    module.training = mode === "train";
    const inputRecord = c.inputs[k];
    if (inputRecord === undefined) {
      recorder.find("missing-record", executor, "inputs", k, "tensor", null);
      return;
    }
    const input = readTensor(inputRecord, `${c.name}.inputs[${k}]`);
    const { output, saved } = torchBatchNormForward(module, input);
    const channels = cfg.num_features;
    recorder.compare(executor, "top", k, output, readTensor(record.top, `${stepPath}.top`));
    if (module.runningMean !== null && module.runningVar !== null) {
      recorder.compare(executor, "running_mean", k, { shape: [channels], data: module.runningMean }, readTensor(record.running_mean, `${stepPath}.running_mean`));
      recorder.compare(executor, "running_var", k, { shape: [channels], data: module.runningVar }, readTensor(record.running_var, `${stepPath}.running_var`));
    }
    recorder.compareScalar(executor, "num_batches_tracked", k, module.numBatchesTracked ?? 0, record.num_batches_tracked);

    if (!needs.input && !needs.weight && !needs.bias) {
      compareGrad(recorder, executor, "bottom_diff", k, undefined, record.bottom_diff, `${stepPath}.bottom_diff`);
      compareGrad(recorder, executor, "scale_diff", k, undefined, record.scale_diff, `${stepPath}.scale_diff`);
      compareGrad(recorder, executor, "bias_diff", k, undefined, record.bias_diff, `${stepPath}.bias_diff`);
      return;
    }
    const dy = upstreamGrad(c, k, recorder, executor);
    if (dy === null) return;
    const grads = torchBatchNormBackward(module, saved, dy, needs);
    const asTensor = (v: Float32Array | undefined): Tensor | undefined => (v === undefined ? undefined : { shape: [channels], data: v });
    compareGrad(recorder, executor, "bottom_diff", k, grads.gradInput, record.bottom_diff, `${stepPath}.bottom_diff`);
    compareGrad(recorder, executor, "scale_diff", k, asTensor(grads.gradWeight), record.scale_diff, `${stepPath}.scale_diff`);
    compareGrad(recorder, executor, "bias_diff", k, asTensor(grads.gradBias), record.bias_diff, `${stepPath}.bias_diff`);
  });
}

/** Replays every torch variant of a case into `recorder`. */
export function replayTorch(c: GoldenCase, recorder: CaseRecorder): void {
  for (const [name, variant] of Object.entries(c.torch)) replayVariant(c, name, variant, recorder);
}
