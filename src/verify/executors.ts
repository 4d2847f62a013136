/**
 * The two sides of a block's verification: Caffe's BatchNorm → Scale/Bias layers, and the PyTorch
 * module the converter emits (plain `nn.BatchNorm*d`, or the `--exact` Caffe* subclass), each driven
 * the way its framework drives it in the phase.
 */
import {
  caffeBatchNormBlobsFrom,
  caffeBatchNormForward,
  caffeEffectiveStats,
  createCaffeBatchNormBlobs,
  type CaffeBatchNormSettings,
} from "../numeric/caffe-batch-norm.js";
import { caffeBiasForward, caffeScaleForward } from "../numeric/caffe-scale.js";
import type { Tensor } from "../numeric/tensor.js";
import { createTorchBatchNorm, torchBatchNormForward, type TorchBatchNorm } from "../numeric/torch-batch-norm.js";
import { caffeEmulatingForward, createCaffeEmulatingBatchNorm } from "../numeric/torch-caffe-emulation.js";
import type { ConvertBlock } from "../convert/types.js";
import { trainingFlags } from "../emit/python-plan.js";
import { caffeBlockSettings, type CaffeBlockLayers, type CaffeBlockSettings } from "./caffe-block.js";
import { presetStatistics, type BlockScenario } from "./scenario.js";
import type { Configuration } from "./types.js";
import type { TorchStart } from "./weights.js";

/** Running statistics as an inference forward uses them. */
export interface Statistics {
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

/** One side of the comparison. */
export interface Side {
  /** A forward of a training step (Caffe: the phase's net; PyTorch: set_training(PHASE == "TRAIN")). */
  step(x: Tensor): Tensor;
  /** The evaluation forward (Caffe's TEST-time layer; PyTorch: set_training(False)). */
  evaluate(x: Tensor): Tensor;
  /** The statistics an inference forward would use; null when the module keeps none. */
  statistics(): Statistics | null;
}

/** Caffe's side, and the settings it computes with (read from the net: caffe-block.ts). */
export interface CaffeSide extends Side {
  readonly settings: CaffeBlockSettings;
}

/**
 * Caffe's block, computed from its layers as the net declares them (`layers`, never the converter's
 * report). Training forwards run with the use_global_stats in force in the phase (Caffe's
 * BatchNormLayer::LayerSetUp default: true in TEST); the evaluation forward is a TEST net's sharing
 * the trained blobs: stored statistics, unless the layer writes `use_global_stats: false`, in which
 * case every batch is normalised with its own. A Scale multiplies by gamma and adds its beta when
 * its bias_term says so; a separate Bias layer adds beta after the Scale.
 */
export function createCaffeSide(layers: CaffeBlockLayers, scenario: BlockScenario, phase: "TRAIN" | "TEST"): CaffeSide {
  const preset = scenario.preset;
  const blobs =
    preset === null
      ? createCaffeBatchNormBlobs(scenario.channels)
      : caffeBatchNormBlobsFrom(preset.meanSum, preset.varSum, preset.scaleFactor[0] as number);
  const settings = caffeBlockSettings(layers, phase);
  const scaleBeta = settings.scaleBias ? scenario.beta : null;
  const biasBeta = !settings.scaleBias && layers.bias !== null ? scenario.beta : null;
  const run = (x: Tensor, bn: CaffeBatchNormSettings): Tensor => {
    const normalised = caffeBatchNormForward(x, blobs, bn).top;
    if (scenario.gamma === null) return normalised;
    const scaled = caffeScaleForward(normalised, scenario.gamma, scaleBeta, normalised.data);
    return biasBeta === null ? scaled : caffeBiasForward(scaled, biasBeta, scaled.data);
  };
  return {
    settings,
    step: (x) => run(x, settings.training),
    evaluate: (x) => run(x, settings.evaluation),
    statistics: () => caffeEffectiveStats(blobs),
  };
}

/** The emitted module: its class and its state, as `build()` and a loaded caffemodel leave it. */
function torchModule(block: ConvertBlock, scenario: BlockScenario, configuration: Configuration) {
  const start = scenario.torchStart;
  if (start !== null) return startedTorchModule(block, scenario.channels, start, configuration);
  const channels = scenario.channels;
  const affine = block.torch.affine;
  const common = {
    numFeatures: channels,
    eps: block.torch.eps,
    affine,
    trackRunningStats: block.torch.track_running_stats,
    // A Scale without bias_term and without a Bias layer: PyTorch's bias stays 0 (and frozen).
    ...(affine && scenario.gamma !== null && { weight: scenario.gamma }),
    ...(affine && { bias: scenario.beta ?? new Float32Array(channels) }),
  };
  const stats = presetStatistics(scenario);
  if (configuration === "exact") {
    const emulation = createCaffeEmulatingBatchNorm({
      ...common,
      movingAverageFraction: block.caffe.moving_average_fraction,
      ...(scenario.preset !== null && { caffeBlobs: scenario.preset }),
    });
    return { module: emulation.module, forward: (x: Tensor) => caffeEmulatingForward(emulation, x).output };
  }
  const module = createTorchBatchNorm({
    ...common,
    momentum: block.torch.momentum,
    ...(stats !== null && { runningMean: stats.mean, runningVar: stats.variance }),
  });
  return { module, forward: (x: Tensor) => torchBatchNormForward(module, x).output };
}

/**
 * The module with the converted state loaded (`verify --weights`), as `build()` leaves it after
 * load_state_dict: every buffer and parameter from the state, none derived from Caffe's blobs here.
 * The `--exact` module takes caffe_scale_factor as its s.
 */
function startedTorchModule(block: ConvertBlock, channels: number, start: TorchStart, configuration: Configuration) {
  const common = {
    numFeatures: channels,
    eps: block.torch.eps,
    affine: block.torch.affine,
    trackRunningStats: block.torch.track_running_stats,
    ...(start.weight !== null && { weight: start.weight }),
    ...(start.bias !== null && { bias: start.bias }),
  };
  const load = (module: TorchBatchNorm) => {
    if (module.runningMean !== null && start.runningMean !== null) module.runningMean.set(start.runningMean);
    if (module.runningVar !== null && start.runningVar !== null) module.runningVar.set(start.runningVar);
    if (module.numBatchesTracked !== null && start.numBatchesTracked !== null) module.numBatchesTracked = start.numBatchesTracked;
  };
  if (configuration === "exact") {
    if (start.scaleFactor === null) throw new Error(`verify: the converted state of ${block.batchnorm} has no caffe_scale_factor (attach the weights with exact)`);
    const emulation = createCaffeEmulatingBatchNorm({ ...common, movingAverageFraction: block.caffe.moving_average_fraction });
    load(emulation.module);
    emulation.scaleFactor = start.scaleFactor;
    return { module: emulation.module, forward: (x: Tensor) => caffeEmulatingForward(emulation, x).output };
  }
  const module = createTorchBatchNorm({ ...common, momentum: block.torch.momentum });
  load(module);
  return { module, forward: (x: Tensor) => torchBatchNormForward(module, x).output };
}

/**
 * The PyTorch side: the emitted configuration, put in the mode `set_training` gives it (emit's
 * TRAINING_FLAGS): while training in TRAIN, otherwise not. With `--weights` the module loads the
 * converted state (scenario.torchStart); otherwise preset Caffe blobs are loaded as
 * `convert --weights` loads them: running_mean/var = Caffe's effective statistics (and, for
 * `--exact`, caffe_scale_factor = s).
 *
 * @throws RangeError from the executor when batch statistics see one value per channel.
 */
export function createTorchSide(
  block: ConvertBlock,
  scenario: BlockScenario,
  phase: "TRAIN" | "TEST",
  configuration: Configuration,
): Side & { readonly module: TorchBatchNorm } {
  const flags = trainingFlags(block);
  const stepFlag = phase === "TRAIN" ? flags.whenTraining : flags.whenNotTraining;
  const { module, forward } = torchModule(block, scenario, configuration);
  const run = (x: Tensor, training: boolean): Tensor => {
    module.training = training;
    return forward(x);
  };
  return {
    module,
    step: (x) => run(x, stepFlag),
    evaluate: (x) => run(x, flags.whenNotTraining),
    statistics: () =>
      module.runningMean === null || module.runningVar === null
        ? null
        : { mean: module.runningMean, variance: module.runningVar },
  };
}
