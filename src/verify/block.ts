/**
 * Verifies one block: Caffe and the emitted PyTorch configuration step in lockstep on the same seeded
 * inputs — K training forwards, then one evaluation forward — and every output and running statistic
 * is compared as it is produced.
 */
import type { ConvertBlock } from "../convert/types.js";
import { numel, type Tensor } from "../numeric/tensor.js";
import type { CaffeBlockLayers } from "./caffe-block.js";
import { createCaffeSide, createTorchSide, type Side, type Statistics } from "./executors.js";
import { LagTracker } from "./lag.js";
import { forwardBound, statisticsBoundOfBatch, vectorBound } from "./float32-bound.js";
import { MetricTracker, vector } from "./metric.js";
import { statisticsTolerance } from "./tolerance.js";
import type { BlockScenario } from "./scenario.js";
import type { AlternativeReport, Configuration, LagReport, VerifyMetric } from "./types.js";

/** What one block run measured (the verdict is decided by the caller). */
export interface BlockMeasurement {
  steps: number;
  /** Whether the running statistics (and so the evaluation output) are claimed to equal Caffe's. */
  claimedExact: boolean;
  trainOutput: VerifyMetric | null;
  /** The tolerance applied to the running statistics and the evaluation output (tolerance.ts). */
  statisticsTolerance: number;
  evalOutput: VerifyMetric | null;
  runningMean: VerifyMetric | null;
  runningVar: VerifyMetric | null;
  lag: LagReport | null;
  alternative: AlternativeReport | null;
}

/** The per-step values of one channel, for the plot. */
export interface ChannelSeries {
  readonly block: string;
  readonly channel: number;
  readonly movingAverageFraction: number;
  /** w₀ = 1 − (1 − f)·s₀: 1 from fresh blobs, less when continuing from a caffemodel's s₀ (lag.ts). */
  readonly startWeight: number;
  /** The plain module's running_mean and running_var of this channel before the first step (0 and 1 fresh). */
  readonly initMean: number;
  readonly initVar: number;
  readonly momentum: number | null;
  /** Index k − 1 holds the value after step k. */
  readonly caffeMean: Float64Array;
  readonly caffeVar: Float64Array;
  readonly plainMean: Float64Array;
  readonly plainVar: Float64Array;
  readonly exactMean: Float64Array;
  readonly exactVar: Float64Array;
}

/** Options of {@link runBlock}. */
export interface BlockRunOptions {
  readonly phase: "TRAIN" | "TEST";
  /** K, the training steps requested. */
  readonly steps: number;
  readonly configuration: Configuration;
  readonly tolerance: number;
  /** Record one channel per step (for `--plot`). */
  readonly recordChannel?: number;
  /** Called after every forward pair with the elements processed (for a progress bar). */
  readonly onWork?: (elements: number) => void;
}

/**
 * The training forwards a block gets: K in TRAIN (every mode: `frozen` blocks are driven in eval()
 * while training, which is part of what is verified) and for `batch-stats` blocks in TEST (they
 * compute batch statistics); none for `eval` blocks in TEST, whose statistics are only read.
 */
export function trainingSteps(block: ConvertBlock, phase: "TRAIN" | "TEST", steps: number): number {
  return phase === "TRAIN" || block.torch.mode === "batch-stats" ? steps : 0;
}

/** Whether plain `momentum = 1 − f` reproduces Caffe's statistics: only for f = 0 (last batch) and f = 1 (cumulative). */
export function plainMappingExact(block: ConvertBlock): boolean {
  const f = block.caffe.moving_average_fraction;
  return f === 0 || f === 1;
}

/** The forwards a block performs, in elements (for progress accounting). */
export function blockWork(block: ConvertBlock, shape: readonly number[], phase: "TRAIN" | "TEST", steps: number): number {
  const sides = block.torch.mode === "train" ? 2 : 1;
  return (trainingSteps(block, phase, steps) + 1) * numel(shape) * sides;
}

/**
 * Whether the running statistics and the evaluation output are claimed equal to Caffe's: always,
 * except for the plain mapping of a train-mode block with 0 < f < 1, which lags. (`eval`/`frozen`
 * blocks load Caffe's effective statistics; `batch-stats` blocks keep none.)
 */
function claimsExact(block: ConvertBlock, configuration: Configuration): boolean {
  return block.torch.mode !== "train" || configuration === "exact" || plainMappingExact(block);
}

interface Trackers {
  side: Side;
  configuration: Configuration;
  mean: MetricTracker;
  variance: MetricTracker;
  evalOutput: MetricTracker;
  lag: LagTracker | null;
}

/** Caffe's scale factor before the first step: the preset's (a caffemodel's, with --weights), else 0. */
function startScaleFactor(scenario: BlockScenario): number {
  return scenario.preset === null ? 0 : (scenario.preset.scaleFactor[0] as number);
}

function trackers(side: Side, block: ConvertBlock, scenario: BlockScenario, configuration: Configuration, steps: number, tolerance: number): Trackers {
  const claimed = claimsExact(block, configuration);
  const lagged = configuration === "plain" && block.torch.mode === "train" && !plainMappingExact(block);
  const initial = side.statistics();
  const f = Math.fround(block.caffe.moving_average_fraction);
  const lag =
    lagged && initial !== null
      ? new LagTracker(f, block.torch.momentum, Float32Array.from(initial.mean), Float32Array.from(initial.variance), steps, startScaleFactor(scenario))
      : null;
  return {
    side,
    configuration,
    mean: new MetricTracker(claimed, tolerance),
    variance: new MetricTracker(claimed, tolerance),
    evalOutput: new MetricTracker(claimed, tolerance),
    lag,
  };
}

/** The largest float32 bound of the batch statistics averaged so far, per channel (null: none yet). */
type StatisticsBound = { mean: Float64Array; variance: Float64Array } | null;

function compareStatistics(t: Trackers, caffe: Statistics, step: number, bound: StatisticsBound = null): Statistics | null {
  const torch = t.side.statistics();
  if (torch === null) return null;
  const meanBound = bound && (() => vectorBound(bound.mean, caffe.mean, caffe.variance));
  const varBound = bound && (() => vectorBound(bound.variance, caffe.mean, caffe.variance));
  t.mean.add(vector(torch.mean), vector(caffe.mean), step, meanBound);
  t.variance.add(vector(torch.variance), vector(caffe.variance), step, varBound);
  if (step > 0) t.lag?.add(step, torch.mean, torch.variance, caffe.mean, caffe.variance, bound);
  return torch;
}

function alternativeReport(t: Trackers): AlternativeReport | null {
  const mean = t.mean.result();
  const variance = t.variance.result();
  const output = t.evalOutput.result();
  if (mean === null || variance === null || output === null) return null;
  const agree = mean.within && variance.within && output.within;
  return { configuration: t.configuration, running_mean: mean, running_var: variance, eval_output: output, verdict: agree ? "agree" : "lag" };
}

/**
 * Runs one block: Caffe's side from the block's `layers` as the net declares them, PyTorch's from
 * the conversion `block`. Train-mode blocks also run the other configuration beside the verified one (its
 * numbers are reported as `alternative`, and the plain one's lag as `lag` either way).
 *
 * @throws RangeError when PyTorch refuses batch statistics over one value per channel.
 */
export function runBlock(
  block: ConvertBlock,
  layers: CaffeBlockLayers,
  scenario: BlockScenario,
  options: BlockRunOptions,
): { measurement: BlockMeasurement; series: ChannelSeries | null } {
  const { phase, configuration, tolerance } = options;
  const steps = trainingSteps(block, phase, options.steps);
  // Only train-mode forwards update running statistics; the others read or ignore them.
  const statsTolerance = statisticsTolerance(tolerance, block.torch.mode === "train" ? steps : 0, block.caffe.moving_average_fraction);
  const caffe = createCaffeSide(layers, scenario, phase);
  const primary = trackers(createTorchSide(block, scenario, phase, configuration), block, scenario, configuration, steps, statsTolerance);
  const other: Configuration = configuration === "plain" ? "exact" : "plain";
  const alt = block.torch.mode === "train" ? trackers(createTorchSide(block, scenario, phase, other), block, scenario, other, steps, statsTolerance) : null;
  const trainOutput = new MetricTracker(true, tolerance);
  // float32's error bound of each forward (float32-bound.ts), from the statistics Caffe normalises with.
  const affine = { eps: caffe.settings.training.eps, gamma: scenario.gamma, beta: scenario.beta };
  const batchInTraining = !caffe.settings.training.useGlobalStats;
  const boundOf = (x: Tensor, batch: boolean, stored: Statistics, slack: StatisticsBound = null) => () =>
    forwardBound(x, batch ? null : stored, affine, slack);
  const updates = block.torch.mode === "train" && batchInTraining;
  let statsBound: StatisticsBound = null;
  const elements = numel(scenario.shape);
  const record = options.recordChannel;
  const plainOf = (a: Trackers, b: Trackers) => (a.configuration === "plain" ? a : b);
  const plainStart = alt === null ? null : plainOf(primary, alt).side.statistics();
  const series =
    record === undefined || alt === null ? null : emptySeries(block, record, steps, startScaleFactor(scenario), plainStart && copyStatistics(plainStart));

  for (let k = 1; k <= steps; k++) {
    const x = scenario.input(k - 1);
    const storedBefore = caffe.statistics() as Statistics;
    const yCaffe = caffe.step(x);
    trainOutput.add(primary.side.step(x), yCaffe, k, boundOf(x, batchInTraining, storedBefore));
    alt?.side.step(x);
    if (updates) statsBound = widest(statsBound, statisticsBoundOfBatch(x));
    const caffeStats = caffe.statistics() as Statistics;
    const p = compareStatistics(primary, caffeStats, k, statsBound);
    const a = alt === null ? null : compareStatistics(alt, caffeStats, k, statsBound);
    if (series !== null && p !== null && a !== null && alt !== null) {
      const plain = plainOf(primary, alt) === primary ? p : a;
      const exact = plain === p ? a : p;
      const c = series.channel;
      series.caffeMean[k - 1] = caffeStats.mean[c] as number;
      series.caffeVar[k - 1] = caffeStats.variance[c] as number;
      series.plainMean[k - 1] = plain.mean[c] as number;
      series.plainVar[k - 1] = plain.variance[c] as number;
      series.exactMean[k - 1] = exact.mean[c] as number;
      series.exactVar[k - 1] = exact.variance[c] as number;
    }
    options.onWork?.(elements * (alt === null ? 1 : 2));
  }

  // With no training step the stored statistics are compared once, before the evaluation forward.
  if (steps === 0) compareStatistics(primary, caffe.statistics() as Statistics, 0);
  const x = scenario.input(steps);
  const evalBound = boundOf(x, !caffe.settings.evaluation.useGlobalStats, caffe.statistics() as Statistics, statsBound);
  const yCaffe = caffe.evaluate(x);
  primary.evalOutput.add(primary.side.evaluate(x), yCaffe, 0, evalBound);
  if (alt !== null) alt.evalOutput.add(alt.side.evaluate(x), yCaffe, 0, evalBound);
  options.onWork?.(elements * (alt === null ? 1 : 2));

  const plainTrackers = alt === null ? primary : plainOf(primary, alt);
  return {
    measurement: {
      steps,
      claimedExact: claimsExact(block, configuration),
      trainOutput: trainOutput.result(),
      statisticsTolerance: statsTolerance,
      evalOutput: primary.evalOutput.result(),
      runningMean: primary.mean.result(),
      runningVar: primary.variance.result(),
      lag: plainTrackers.lag?.report() ?? null,
      alternative: alt === null ? null : alternativeReport(alt),
    },
    series,
  };
}

/** The per-channel maximum of two statistics bounds. */
function widest(a: StatisticsBound, b: { mean: Float64Array; variance: Float64Array }): StatisticsBound {
  if (a === null) return b;
  return { mean: a.mean.map((v, c) => Math.max(v, b.mean[c] as number)), variance: a.variance.map((v, c) => Math.max(v, b.variance[c] as number)) };
}

function copyStatistics(s: Statistics): Statistics {
  return { mean: Float32Array.from(s.mean), variance: Float32Array.from(s.variance) };
}

function emptySeries(block: ConvertBlock, channel: number, steps: number, startScaleFactor: number, init: Statistics | null): ChannelSeries {
  const make = () => new Float64Array(steps);
  const f = Math.fround(block.caffe.moving_average_fraction);
  return {
    block: block.batchnorm,
    channel,
    movingAverageFraction: f,
    startWeight: 1 - (1 - f) * startScaleFactor,
    initMean: (init?.mean[channel] as number | undefined) ?? 0,
    initVar: (init?.variance[channel] as number | undefined) ?? 1,
    momentum: block.torch.momentum,
    caffeMean: make(),
    caffeVar: make(),
    plainMean: make(),
    plainVar: make(),
    exactMean: make(),
    exactVar: make(),
  };
}
