/**
 * The Caffe executors, one explicit list keyed by Caffe layer type (a type claimed twice throws).
 */
import { accuracy } from "./caffe/accuracy.js";
import { batchNorm } from "./caffe/batch-norm.js";
import { convolution, deconvolution } from "./caffe/convolution.js";
import { input, parameter, silence } from "./caffe/data.js";
import { eltwise } from "./caffe/eltwise.js";
import { forkBn } from "./caffe/fork-batch-norm.js";
import { FORK_CHANNELS } from "./caffe/fork-channels.js";
import { FORK_DETECTION_LOSSES } from "./caffe/fork-detection-losses.js";
import { detectionOutput } from "./caffe/fork-detection-output.js";
import { FORK_OCR } from "./caffe/fork-ocr.js";
import { FORK_RESIZE } from "./caffe/fork-resize.js";
import { FORK_ROI } from "./caffe/fork-roi-pooling.js";
import { FORK_SSD } from "./caffe/fork-ssd.js";
import { embed } from "./caffe/embed.js";
import { innerProduct } from "./caffe/inner-product.js";
import { LAYOUT } from "./caffe/layout.js";
import { LOSSES } from "./caffe/loss.js";
import { lrn } from "./caffe/lrn.js";
import { NEURONS } from "./caffe/neuron.js";
import { pooling } from "./caffe/pooling.js";
import { argMax, reduction } from "./caffe/reduction.js";
import { bias, scale } from "./caffe/scale-bias.js";
import { mvn, softmax } from "./caffe/softmax.js";
import type { LayerExecutor } from "./types.js";

/** Every executor. */
export const EXECUTORS: readonly LayerExecutor[] = [
  input,
  parameter,
  silence,
  convolution,
  deconvolution,
  pooling,
  innerProduct,
  lrn,
  ...NEURONS,
  softmax,
  mvn,
  batchNorm,
  scale,
  bias,
  eltwise,
  ...LAYOUT,
  reduction,
  argMax,
  embed,
  ...LOSSES,
  accuracy,
  // Fork layers, each with its fork's semantics (README.md, "Fork layers").
  forkBn,
  ...FORK_CHANNELS,
  ...FORK_RESIZE,
  ...FORK_SSD,
  detectionOutput,
  ...FORK_ROI,
  ...FORK_OCR,
  ...FORK_DETECTION_LOSSES,
];

/** Executors by type, from `list` (refusing a type listed twice). */
export function executorsByType(list: readonly LayerExecutor[] = EXECUTORS): ReadonlyMap<string, LayerExecutor> {
  const map = new Map<string, LayerExecutor>();
  for (const executor of list) {
    for (const type of executor.types) {
      if (map.has(type)) throw new Error(`layer type ${type} has two executors`);
      map.set(type, executor);
    }
  }
  return map;
}

const BY_TYPE = executorsByType();

/** The executor of a Caffe layer type, if there is one. */
export function executorOf(type: string): LayerExecutor | undefined {
  return BY_TYPE.get(type);
}

/** The types the executor runs. */
export function executedTypes(): string[] {
  return [...BY_TYPE.keys()].sort();
}
