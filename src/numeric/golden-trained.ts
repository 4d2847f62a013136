/**
 * Replays a trained-net trace (`trained_small/trace.json`, shared/golden/README.md section 3)
 * through the Caffe and PyTorch executors, one case per BatchNorm block:
 * - Caffe: the settings in force from the prototxt's values and Caffe's defaults; the effective
 *   statistics from the caffemodel's blobs (`sum·fround(1/s)`); the scale factor replayed over the
 *   training iterations in float32; and on every recorded evaluation batch, the BatchNorm top and the
 *   block output (after its Scale/Bias) from the recorded BatchNorm input.
 * - PyTorch (`torch:converted`): `nn.BatchNorm*d` in `eval()` with the converted state (running
 *   statistics = Caffe's effective ones, weight = gamma, bias = beta), on the same inputs, against
 *   Caffe's recorded block output.
 *
 * The net's other layers (convolutions, pooling) are not executed here: the recorded BatchNorm inputs
 * stand in for them. Pure; a malformed trace is reported as a `trace-format` problem with its path.
 */
import {
  caffeBatchNormBlobsFrom,
  caffeBatchNormForward,
  caffeBatchNormSettings,
  caffeEffectiveStats,
  type CaffeBatchNormBlobs,
} from "./caffe-batch-norm.js";
import { caffeBiasForward, caffeScaleForward } from "./caffe-scale.js";
import { CaseRecorder, type CaseReport, type TraceReport } from "./golden-report.js";
import { readArray, readObject, readTensor, TraceFormatError } from "./golden-types.js";
import type { Tensor } from "./tensor.js";
import { createTorchBatchNorm, torchBatchNormForward } from "./torch-batch-norm.js";

/** Whether a parsed trace is in the trained-net format (it has `bn_layers` and `eval`, no `cases`). */
export function isTrainedTrace(json: unknown): boolean {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const root = json as Record<string, unknown>;
  return !("cases" in root) && "bn_layers" in root && "eval" in root;
}

const CAFFE = "caffe";
const TORCH = "torch:converted";

function optionalNumber(value: unknown, path: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number") throw new TraceFormatError(path, "number or null");
  return value;
}

function readNumber(value: unknown, path: string): number {
  if (typeof value !== "number") throw new TraceFormatError(path, "number");
  return value;
}

function readString(value: unknown, path: string): string {
  if (typeof value !== "string") throw new TraceFormatError(path, "string");
  return value;
}

/** A blob named `"layer.blob"` (e.g. `scale1.scale`) from `caffemodel_blobs`; null for null. */
function namedBlob(blobs: Record<string, unknown>, from: unknown, path: string): Float32Array | null {
  if (from === null || from === undefined) return null;
  const name = readString(from, path);
  const dot = name.lastIndexOf(".");
  if (dot <= 0) throw new TraceFormatError(path, '"layer.blob"');
  const layer = readObject(blobs[name.slice(0, dot)], `$.caffemodel_blobs.${name.slice(0, dot)}`);
  return readTensor(layer[name.slice(dot + 1)], `$.caffemodel_blobs.${name}`).data;
}

/** The BatchNorm's blobs as the caffemodel stores them. */
function bnBlobs(blobs: Record<string, unknown>, name: string): CaffeBatchNormBlobs {
  const path = `$.caffemodel_blobs.${name}`;
  const bn = readObject(blobs[name], path);
  const scaleFactor = readTensor(bn["scale_factor"], `${path}.scale_factor`);
  if (scaleFactor.data.length !== 1) throw new TraceFormatError(`${path}.scale_factor`, "tensor of one value");
  return caffeBatchNormBlobsFrom(readTensor(bn["mean_sum"], `${path}.mean_sum`).data, readTensor(bn["var_sum"], `${path}.var_sum`).data, scaleFactor.data[0] as number);
}

/** Scale then Bias as the block's layers apply them: gamma (and beta with it), or beta alone. */
function affine(x: Tensor, gamma: Float32Array | null, beta: Float32Array | null, betaWithScale: boolean): Tensor {
  if (gamma === null) return beta === null ? x : caffeBiasForward(x, beta);
  if (beta === null || betaWithScale) return caffeScaleForward(x, gamma, beta);
  return caffeBiasForward(caffeScaleForward(x, gamma, null), beta);
}

/** The scale factor replayed from 0 over the training iterations: `s ← fround(fround(s·maf) + 1)`. */
function replayScaleFactor(recorder: CaseRecorder, maf: number, recorded: unknown, path: string): void {
  const list = readArray(recorded, path);
  let s = 0;
  list.forEach((value, k) => {
    s = Math.fround(Math.fround(s * maf) + 1);
    recorder.compareScalar(CAFFE, "training.scale_factor", k, s, readNumber(value, `${path}[${k}]`));
  });
}

/** One BatchNorm block of the trace. */
function replayBlock(root: Record<string, unknown>, index: number, tolerance: number): CaseReport {
  const path = `$.bn_layers[${index}]`;
  const layer = readObject(readArray(root["bn_layers"], "$.bn_layers")[index], path);
  const name = readString(layer["name"], `${path}.name`);
  const blockLayers = readArray(layer["block_layers"], `${path}.block_layers`).map((l, i) => readString(l, `${path}.block_layers[${i}]`));
  const recorder = new CaseRecorder();
  const blobs = readObject(root["caffemodel_blobs"], "$.caffemodel_blobs");

  // Settings: Caffe's defaults applied to what the prototxt wrote, against the values in force.
  const written = readObject(layer["params_in_prototxt"], `${path}.params_in_prototxt`);
  const param = {
    movingAverageFraction: optionalNumber(written["moving_average_fraction"], `${path}.params_in_prototxt.moving_average_fraction`),
    eps: optionalNumber(written["eps"], `${path}.params_in_prototxt.eps`),
    useGlobalStats: true,
  };
  const settings = caffeBatchNormSettings(param, "TEST");
  const maf = readNumber(layer["effective_moving_average_fraction"], `${path}.effective_moving_average_fraction`);
  const eps = readNumber(layer["effective_eps"], `${path}.effective_eps`);
  if (settings.movingAverageFraction !== Math.fround(maf)) recorder.find("setting-mismatch", CAFFE, "moving_average_fraction", -1, maf, settings.movingAverageFraction);
  if (settings.eps !== Math.fround(eps)) recorder.find("setting-mismatch", CAFFE, "eps", -1, eps, settings.eps);

  // The statistics Caffe uses at TEST time, from the stored blobs.
  const stored = bnBlobs(blobs, name);
  const effective = caffeEffectiveStats(stored);
  const channels = stored.meanSum.length;
  const vector = (data: Float32Array): Tensor => ({ shape: [channels], data });
  recorder.compare(CAFFE, "effective_mean", -1, vector(effective.mean), readTensor(layer["effective_mean"], `${path}.effective_mean`));
  recorder.compare(CAFFE, "effective_var", -1, vector(effective.variance), readTensor(layer["effective_var"], `${path}.effective_var`));

  // The scale factor after every training iteration (not for statistics frozen while training).
  const training = readObject(root["training"], "$.training");
  if (layer["frozen_in_train"] !== true) {
    const perIteration = readObject(training["scale_factor_per_iteration"], "$.training.scale_factor_per_iteration");
    replayScaleFactor(recorder, settings.movingAverageFraction, perIteration[name], `$.training.scale_factor_per_iteration.${name}`);
  }

  const gamma = namedBlob(blobs, layer["gamma_from"], `${path}.gamma_from`);
  const beta = namedBlob(blobs, layer["beta_from"], `${path}.beta_from`);
  const gammaLayer = typeof layer["gamma_from"] === "string" ? layer["gamma_from"].split(".")[0] : null;
  const betaWithScale = typeof layer["beta_from"] === "string" && layer["beta_from"].split(".")[0] === gammaLayer;
  const module = createTorchBatchNorm({
    numFeatures: channels,
    eps: settings.eps,
    momentum: 1 - maf,
    affine: gamma !== null || beta !== null,
    runningMean: effective.mean,
    runningVar: effective.variance,
    ...(gamma !== null || beta !== null ? { weight: gamma ?? new Float32Array(channels).fill(1), bias: beta ?? new Float32Array(channels) } : {}),
  });
  module.training = false;

  const evaluation = readObject(root["eval"], "$.eval");
  readArray(evaluation["batches"], "$.eval.batches").forEach((value, b) => {
    const batchPath = `$.eval.batches[${b}]`;
    const record = readObject(readObject(readObject(value, batchPath)["bn"], `${batchPath}.bn`)[name], `${batchPath}.bn.${name}`);
    const at = (key: string) => readTensor(record[key], `${batchPath}.bn.${name}.${key}`);
    const bottom = at("bottom");
    const bn = caffeBatchNormForward(bottom, stored, settings);
    recorder.compare(CAFFE, "eval.bn_top", b, bn.top, at("bn_top"));
    const output = at("block_output");
    recorder.compare(CAFFE, "eval.block_output", b, affine(bn.top, gamma, beta, betaWithScale), output);
    recorder.compare(TORCH, "eval.block_output", b, torchBatchNormForward(module, bottom).output, output);
  });
  return recorder.report(blockLayers.length > 0 ? blockLayers.join(" + ") : name, tolerance);
}

/**
 * Replays every BatchNorm block of a trained-net trace. The report has the shape of the
 * `bn_cases.json` replay (`verify --trace --json`), one case per block, named by its layers
 * (`bn1 + scale1`); the steps of a metric are the evaluation batches (`eval.*`) or the training
 * iterations (`training.scale_factor`), -1 for the stored state.
 */
export function replayTrainedTrace(json: Record<string, unknown>, tolerance: number): TraceReport {
  let count: number;
  try {
    count = readArray(json["bn_layers"], "$.bn_layers").length;
  } catch (error) {
    if (!(error instanceof TraceFormatError)) throw error;
    return { format: "trained", cases: [], ok: false, max_abs_error: 0, max_error: 0, tolerance, error: error.problem };
  }
  const cases = Array.from({ length: count }, (_, index): CaseReport => {
    try {
      return replayBlock(json, index, tolerance);
    } catch (error) {
      if (!(error instanceof TraceFormatError)) throw error;
      const layer = (json["bn_layers"] as unknown[])[index];
      const name = typeof layer === "object" && layer !== null && typeof (layer as { name?: unknown }).name === "string" ? (layer as { name: string }).name : `bn_layers[${index}]`;
      return { name, ok: false, max_abs_error: 0, max_error: 0, details: [], findings: [], error: error.problem };
    }
  });
  return {
    format: "trained",
    cases,
    ok: cases.length > 0 && cases.every((c) => c.ok),
    max_abs_error: cases.reduce((m, c) => Math.max(m, c.max_abs_error), 0),
    max_error: cases.reduce((m, c) => Math.max(m, c.max_error), 0),
    tolerance,
  };
}
