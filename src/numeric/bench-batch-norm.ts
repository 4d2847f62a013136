/**
 * A micro benchmark of the train-mode BatchNorm forwards (not a test): called by `npm run bench`.
 *
 * The reference point is PyTorch's single-thread `nn.BatchNorm2d(64)` train forward on
 * [32, 64, 56, 56], about 17.5 ms per forward on the machine the targets were set on.
 */
import {
  caffeBatchNormForward,
  caffeBatchNormSettings,
  createCaffeBatchNormBlobs,
} from "./caffe-batch-norm.js";
import { createRng, randomNormal } from "./rng.js";
import { channelLayout, numel } from "./tensor.js";
import { createTorchBatchNorm, torchBatchNormForward } from "./torch-batch-norm.js";

/** Benchmark options; every field has a default. */
export interface BenchOptions {
  /** Input shape (default [32, 64, 56, 56]). */
  readonly shape?: readonly number[];
  /** Timed forwards per executor (default 20). */
  readonly iterations?: number;
  /** Untimed forwards first, so that V8 has optimised the loops (default 5). */
  readonly warmup?: number;
  /** Seed of the input (default 1234). */
  readonly seed?: number;
  /** A clock in milliseconds (default `performance.now`). */
  readonly now?: () => number;
}

/** Timing of one executor. */
export interface BenchTiming {
  readonly executor: "caffe" | "torch";
  /** Median over the timed forwards. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Input elements per microsecond at the median. */
  readonly elementsPerMicrosecond: number;
}

/** The benchmark result. */
export interface BenchResult {
  readonly shape: number[];
  readonly iterations: number;
  readonly timings: BenchTiming[];
}

function timing(executor: "caffe" | "torch", samples: number[], elements: number): BenchTiming {
  const sorted = [...samples].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)] as number;
  return {
    executor,
    medianMs,
    minMs: sorted[0] as number,
    maxMs: sorted[sorted.length - 1] as number,
    elementsPerMicrosecond: elements / (medianMs * 1000),
  };
}

/**
 * Times the train-mode forward of the Caffe executor (batch statistics + blob update, output buffer
 * reused as a caller would) and of the PyTorch executor (module in train mode).
 */
export function benchBatchNormForward(options: BenchOptions = {}): BenchResult {
  const shape = [...(options.shape ?? [32, 64, 56, 56])];
  const iterations = options.iterations ?? 20;
  const warmup = options.warmup ?? 5;
  const now = options.now ?? (() => performance.now());
  const input = randomNormal(shape, createRng(options.seed ?? 1234), { mean: 0.5, std: 2 });
  const { channels } = channelLayout(shape);
  const elements = numel(shape);

  const blobs = createCaffeBatchNormBlobs(channels);
  const settings = caffeBatchNormSettings({}, "TRAIN");
  const out = new Float32Array(elements);
  const caffeSamples: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const start = now();
    caffeBatchNormForward(input, blobs, settings, out);
    if (i >= warmup) caffeSamples.push(now() - start);
  }

  const module = createTorchBatchNorm({ numFeatures: channels });
  const torchSamples: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const start = now();
    torchBatchNormForward(module, input);
    if (i >= warmup) torchSamples.push(now() - start);
  }
  return {
    shape,
    iterations,
    timings: [timing("caffe", caffeSamples, elements), timing("torch", torchSamples, elements)],
  };
}
