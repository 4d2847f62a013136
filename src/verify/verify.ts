/**
 * `caffe2torch verify NET.prototxt`: every block of a conversion run under Caffe's semantics and
 * under the emitted PyTorch configuration on the same seeded inputs, with a verdict per block.
 *
 * Pure: the caller converts the net, and receives the report (and the plot's series); progress is
 * reported through a callback.
 */
import type { NetModel } from "../caffe/net.js";
import type { ConvertBlock, ConvertResult } from "../convert/types.js";
import { torchModuleForRank } from "../numeric/torch-batch-norm.js";
import { blockWork, runBlock, type BlockMeasurement, type ChannelSeries } from "./block.js";
import { caffeBlockLayers, type CaffeBlockLayers } from "./caffe-block.js";
import { blockScenario } from "./scenario.js";
import { blockShape, type BlockShape, type ShapeSource } from "./shapes.js";
import type { BlockVerification, Configuration, VerifyReasonCode, VerifyReport, VerifySummary, Verdict } from "./types.js";
import { startSummary, type VerifyWeights } from "./weights.js";

export type { ChannelSeries } from "./block.js";

export { DEFAULT_VERIFY_TOLERANCE } from "./tolerance.js";

/** Options of {@link planVerification} and {@link verifyNet}. */
export interface VerifyOptions {
  readonly phase: "TRAIN" | "TEST";
  /** K, training forwards before the evaluation. */
  readonly steps: number;
  /** The batch dimension every block's input gets (with `keepBatch`: every block whose batch is unknown). */
  readonly batch: number;
  /** Blocks keep the batch their inferred shape gives: `--input-shape` gave it and `--batch` was not given. */
  readonly keepBatch?: boolean;
  readonly seed: number;
  /** Scaled tolerance of every forward's output (default DEFAULT_VERIFY_TOLERANCE, tolerance.ts). */
  readonly tolerance: number;
  readonly configuration: Configuration;
  /** A lag (and a skipped block) fails the run. */
  readonly strict: boolean;
  /** `input-shape` when the result's shapes were inferred from `--input-shape` (each block's `shape_source`). */
  readonly shapeSource?: ShapeSource;
  /**
   * A trained caffemodel's values to start from (`--weights`, see weights.ts): every block that has
   * them starts Caffe's side from its blobs and PyTorch's from the converted state; train-mode blocks
   * continue training from there. The result should be the one the weights were attached to (its
   * num_features then come from the blobs where the shape did not tell).
   */
  readonly weights?: VerifyWeights | null;
}

/** A block's shape (or skip) and its Caffe layers, decided before anything runs. */
export interface PlannedBlock {
  readonly index: number;
  readonly block: ConvertBlock;
  readonly shape: BlockShape;
  /** The block's layers as the net declares them (what Caffe's side computes with); null for a skipped block. */
  readonly caffe: CaffeBlockLayers | null;
}

/** The plan: every block's shape, or the blocks whose shape is unknown. */
export interface VerifyPlan {
  readonly blocks: PlannedBlock[];
  /** Blocks whose shape is unknown (and not supplied): the run cannot start. */
  readonly unknown: PlannedBlock[];
  /** Total forward work in elements (for a progress bar). */
  readonly work: number;
}

/**
 * Decides each block's input shape, and finds its layers in `net` — the net model `result` was
 * converted from, in the same phase (convert's `analysis.model`): Caffe's side reads its parameters
 * there, never in the result.
 */
export function planVerification(result: ConvertResult, net: NetModel, options: VerifyOptions): VerifyPlan {
  const choice = { batch: options.batch, keep: options.keepBatch ?? false, source: options.shapeSource ?? "inferred" };
  const blocks = result.blocks.map((block, index): PlannedBlock => {
    const shape = blockShape(block, choice);
    return { index, block, shape, caffe: shape.kind === "skip" ? null : caffeBlockLayers(block, net) };
  });
  let work = 0;
  for (const p of blocks) if (p.shape.kind === "shape") work += blockWork(p.block, p.shape.shape, options.phase, options.steps);
  return { blocks, unknown: blocks.filter((p) => p.shape.kind === "unknown"), work };
}

/**
 * The block whose running statistics the plot shows: the first train-mode block with a plain
 * mapping that lags (else the first train-mode block). Its channel is the one whose mean lies
 * farthest from PyTorch's initial 0, where the lag is clearest. Null when no block trains.
 */
export function plotTarget(plan: VerifyPlan): number | null {
  const training = plan.blocks.filter((p) => p.block.torch.mode === "train" && p.shape.kind === "shape");
  const f = (p: PlannedBlock) => p.block.caffe.moving_average_fraction;
  const lagging = training.find((p) => f(p) > 0 && f(p) < 1);
  return (lagging ?? training[0])?.index ?? null;
}

/** Callbacks of {@link verifyNet}. */
export interface VerifyHooks {
  /** Called as work is done: elements so far, the total, and the block being run. */
  readonly onProgress?: (done: number, total: number, block: string) => void;
  /** Record the series of this block index (see {@link plotTarget}). */
  readonly plotBlock?: number | null;
}

function failures(m: BlockMeasurement): string[] {
  const out: string[] = [];
  const check = (name: string, metric: { claimed: boolean; within: boolean } | null) => {
    if (metric !== null && metric.claimed && !metric.within) out.push(name);
  };
  check("train_output", m.trainOutput);
  check("eval_output", m.evalOutput);
  check("running_mean", m.runningMean);
  check("running_var", m.runningVar);
  return out;
}

function verdictOf(m: BlockMeasurement, failed: string[]): Verdict {
  if (failed.length > 0) return "mismatch";
  const unclaimedBeyond = [m.evalOutput, m.runningMean, m.runningVar].some((x) => x !== null && !x.within);
  if (!unclaimedBeyond) return "agree";
  // A gap in what we do not claim is a lag only when the prediction explains it.
  return m.lag !== null && m.lag.relation_holds ? "lag" : "mismatch";
}

function base(p: PlannedBlock, configuration: Configuration) {
  const b = p.block;
  // convert gives every block of known rank its module; for a result built otherwise, the rank of
  // the shape verified decides the class.
  const torchModule = b.torch.module ?? (p.shape.kind === "shape" ? torchModuleForRank(p.shape.shape.length) : null);
  const module = torchModule === null ? null : configuration === "exact" ? `Caffe${torchModule}` : torchModule;
  return {
    batchnorm: b.batchnorm,
    scale: b.scale,
    bias: b.bias,
    line: b.line,
    column: b.column,
    mode: b.torch.mode,
    module,
    moving_average_fraction: b.caffe.moving_average_fraction,
    momentum: b.torch.momentum,
    configuration,
  };
}

function notRun(p: PlannedBlock, options: VerifyOptions, verdict: "skipped" | "error", reason: VerifyReasonCode, shape: number[] | null): BlockVerification {
  return {
    ...base(p, options.configuration),
    ...(verdict === "skipped" && { module: null }),
    shape,
    shape_source: p.shape.kind === "shape" ? p.shape.source : null,
    statistics: null,
    weights: null,
    claimed_exact: false,
    statistics_tolerance: options.tolerance,
    verdict,
    reason,
    ok: verdict === "skipped" && !options.strict,
    steps: 0,
    train_output: null,
    eval_output: null,
    running_mean: null,
    running_var: null,
    lag: null,
    alternative: null,
    failures: verdict === "error" ? [reason] : [],
  };
}

function summarise(blocks: BlockVerification[]): VerifySummary {
  const count = (v: Verdict) => blocks.filter((b) => b.verdict === v).length;
  const verified = count("agree") + count("lag") + count("mismatch");
  return { blocks: blocks.length, verified, agree: count("agree"), lag: count("lag"), mismatch: count("mismatch"), skipped: count("skipped"), error: count("error") };
}

/**
 * Runs every block of the plan. The plan must have no unknown shapes.
 *
 * Verdicts: claimed quantities beyond tolerance → `mismatch`; the plain mapping's running statistics
 * (and the evaluation output built on them) beyond tolerance while the lag relation holds → `lag`;
 * otherwise `agree`. A run is ok when some block was verified, no block is `mismatch` or `error`,
 * and, with `strict`, none is `lag` or `skipped`.
 */
export function verifyNet(
  result: ConvertResult,
  plan: VerifyPlan,
  options: VerifyOptions,
  hooks: VerifyHooks = {},
): { report: VerifyReport; series: ChannelSeries | null } {
  let done = 0;
  let series: ChannelSeries | null = null;
  const blocks = plan.blocks.map((p): BlockVerification => {
    if (p.shape.kind === "skip") return notRun(p, options, "skipped", p.shape.reason, null);
    if (p.shape.kind === "unknown" || p.caffe === null) throw new Error(`verifyNet: block ${p.block.batchnorm} has an unknown shape`);
    const shape = p.shape.shape;
    const start = options.weights?.blocks.get(p.index) ?? null;
    const scenario = blockScenario(p.block, p.index, shape, options.seed, start);
    const record = hooks.plotBlock === p.index ? farthestChannel(scenario.channelMean) : undefined;
    hooks.onProgress?.(done, plan.work, p.block.batchnorm);
    let run: ReturnType<typeof runBlock>;
    try {
      run = runBlock(p.block, p.caffe, scenario, {
        phase: options.phase,
        steps: options.steps,
        configuration: options.configuration,
        tolerance: options.tolerance,
        ...(record !== undefined && { recordChannel: record }),
        onWork: (elements) => {
          done += elements;
          hooks.onProgress?.(done, plan.work, p.block.batchnorm);
        },
      });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return notRun(p, options, "error", "single-value-per-channel", shape);
    }
    if (run.series !== null) series = run.series;
    const m = run.measurement;
    const failed = failures(m);
    const verdict = verdictOf(m, failed);
    if (verdict === "mismatch" && failed.length === 0) failed.push("lag_relation");
    return {
      ...base(p, options.configuration),
      shape,
      shape_source: p.shape.source,
      statistics: scenario.statistics,
      weights: start === null ? null : startSummary(start),
      claimed_exact: m.claimedExact,
      statistics_tolerance: m.statisticsTolerance,
      verdict,
      reason: null,
      ok: verdict === "agree" || (verdict === "lag" && !options.strict),
      steps: m.steps,
      train_output: m.trainOutput,
      eval_output: m.evalOutput,
      running_mean: m.runningMean,
      running_var: m.runningVar,
      lag: m.lag,
      alternative: m.alternative,
      failures: failed,
    };
  });
  const summary = summarise(blocks);
  return {
    report: {
      source: result.source,
      net: result.net,
      phase: options.phase,
      configuration: options.configuration,
      steps: options.steps,
      batch: options.batch,
      seed: options.seed,
      tolerance: options.tolerance,
      strict: options.strict,
      weights: options.weights?.info ?? null,
      // Nothing verified is not a pass: a net of fork layers only, or with no BatchNorm at all.
      ok: summary.verified > 0 && blocks.every((b) => b.ok),
      summary,
      blocks,
    },
    series,
  };
}

function farthestChannel(means: Float32Array): number {
  let best = 0;
  for (let c = 1; c < means.length; c++) if (Math.abs(means[c] as number) > Math.abs(means[best] as number)) best = c;
  return best;
}
