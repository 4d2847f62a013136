/**
 * Replays one golden case through the PyTorch executor, once per recorded torch variant
 * (`mapped`, `cumulative`, `mapped_default_init`), each with the module configuration the trace
 * records.
 */
import { caseComputedDiffs, stepPhases, upstreamGrad } from "./golden-case.js";
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
  const pairs: [string, boolean, boolean][] = [
    ["input", caffe.bottom, needs.input],
    ["weight", caffe.scale, needs.weight],
    ["bias", caffe.bias, needs.bias],
  ];
  for (const [metric, expected, actual] of pairs) {
    if (expected !== actual) recorder.find("requires-grad-mismatch", executor, metric, -1, expected, actual);
  }
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
  if (ours !== undefined && recorded !== undefined) {
    recorder.compare(executor, metric, step, ours, readTensor(recorded, path));
  }
}

/** Replays one torch variant into `recorder`. */
function replayVariant(c: GoldenCase, name: string, variant: TorchVariantRecord, recorder: CaseRecorder): void {
  const executor = `torch:${name}`;
  const path = `${c.name}.torch.${name}`;
  const cfg = variant.config;
  const expectedModule = torchModuleForRank(c.params.input_shape.length);
  if (expectedModule !== cfg.module) {
    recorder.find("setting-mismatch", executor, "module", -1, cfg.module, expectedModule);
  }
  const scale = c.scale_init;
  const gamma = cfg.affine && scale !== null ? readTensor(scale.scale, `${c.name}.scale_init.scale`).data : undefined;
  const copyBias = cfg.affine && cfg.bias === "copied from Scale" && scale?.bias;
  const beta = copyBias ? readTensor(scale.bias, `${c.name}.scale_init.bias`).data : undefined;
  const module = createTorchBatchNorm({
    numFeatures: cfg.num_features,
    eps: cfg.eps,
    momentum: cfg.momentum,
    affine: cfg.affine,
    runningMean: readTensor(cfg.initial_running_mean, `${path}.config.initial_running_mean`).data,
    runningVar: readTensor(cfg.initial_running_var, `${path}.config.initial_running_var`).data,
    ...(gamma !== undefined && { weight: gamma }),
    ...(beta !== undefined && { bias: beta }),
  });
  const needs = variantNeeds(c, variant);
  checkRequiresGrad(c, executor, needs, recorder);
  const phases = stepPhases(c);
  const ugs = c.params.effective_use_global_stats_per_phase;
  const channels = cfg.num_features;
  const vector = (data: Float32Array | undefined): Tensor | undefined => (data === undefined ? undefined : { shape: [channels], data });

  variant.steps.forEach((record, k) => {
    const stepPath = `${path}.steps[${k}]`;
    const recorded = (value: TensorRecord, key: string) => readTensor(value, `${stepPath}.${key}`);
    // PyTorch runs in eval() exactly where Caffe uses its stored statistics.
    const mode = ugs[phases[k] ?? record.phase] === true ? "eval" : "train";
    if (mode !== record.torch_mode) {
      recorder.find("torch-mode-mismatch", executor, "torch_mode", k, record.torch_mode, mode);
    }
    module.training = mode === "train";
    const inputRecord = c.inputs[k];
    if (inputRecord === undefined) {
      recorder.find("missing-record", executor, "inputs", k, "tensor", null);
      return;
    }
    const { output, saved } = torchBatchNormForward(module, readTensor(inputRecord, `${c.name}.inputs[${k}]`));
    recorder.compare(executor, "top", k, output, recorded(record.top, "top"));
    const runningMean = vector(module.runningMean ?? undefined);
    const runningVar = vector(module.runningVar ?? undefined);
    if (runningMean !== undefined && runningVar !== undefined) {
      recorder.compare(executor, "running_mean", k, runningMean, recorded(record.running_mean, "running_mean"));
      recorder.compare(executor, "running_var", k, runningVar, recorded(record.running_var, "running_var"));
    }
    recorder.compareScalar(executor, "num_batches_tracked", k, module.numBatchesTracked ?? 0, record.num_batches_tracked);

    const anyGrad = needs.input || needs.weight || needs.bias;
    const dy = anyGrad ? upstreamGrad(c, k, recorder, executor) : null;
    if (anyGrad && dy === null) return;
    const grads = dy === null ? {} : torchBatchNormBackward(module, saved, dy, needs);
    compareGrad(recorder, executor, "bottom_diff", k, grads.gradInput, record.bottom_diff, `${stepPath}.bottom_diff`);
    compareGrad(recorder, executor, "scale_diff", k, vector(grads.gradWeight), record.scale_diff, `${stepPath}.scale_diff`);
    compareGrad(recorder, executor, "bias_diff", k, vector(grads.gradBias), record.bias_diff, `${stepPath}.bias_diff`);
  });
}

/** Replays every torch variant of a case into `recorder`. */
export function replayTorch(c: GoldenCase, recorder: CaseRecorder): void {
  for (const [name, variant] of Object.entries(c.torch)) replayVariant(c, name, variant, recorder);
}
