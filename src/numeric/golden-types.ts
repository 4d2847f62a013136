/**
 * The golden trace format of `bn_cases.json` (see shared/golden/README.md, section 2), as TypeScript
 * types, plus the checks that turn parsed JSON into tensors without trusting it.
 *
 * Field names are the file's (snake_case); only the fields the replay reads are declared.
 */
import type { CaffePhase } from "./caffe-batch-norm.js";
import { numel, type Tensor } from "./tensor.js";

/** A recorded tensor: flat row-major float32 values widened exactly to doubles. */
export interface TensorRecord {
  readonly shape: number[];
  readonly data: number[];
}

/** One `params` object of a case. */
export interface GoldenParams {
  readonly moving_average_fraction: number | null;
  readonly eps: number | null;
  readonly use_global_stats: boolean | null;
  readonly effective_moving_average_fraction: number;
  readonly effective_eps: number;
  readonly effective_use_global_stats_per_phase: Partial<Record<CaffePhase, boolean>>;
  readonly scale: boolean;
  readonly scale_bias_term: boolean | null;
  readonly scale_lr_mult: number | null;
  readonly force_backward: boolean;
  readonly scale_top_loss_weight: number | null;
  readonly bn_declares_param_lr_mult0: boolean;
  readonly in_place: boolean;
  readonly backward_run: boolean;
  readonly input_shape: number[];
  readonly m_per_channel: number;
}

/** Caffe's BN blobs before step 0. */
export interface CaffeInitialBlobsRecord {
  readonly mean_sum: TensorRecord;
  readonly var_sum: TensorRecord;
  readonly scale_factor: number;
  readonly effective_mean: TensorRecord;
  readonly effective_var: TensorRecord;
}

/** One step of Caffe's recording. */
export interface CaffeStepRecord {
  readonly step: number;
  readonly phase: CaffePhase;
  readonly top: TensorRecord;
  readonly bn_mean_sum: TensorRecord;
  readonly bn_var_sum: TensorRecord;
  readonly bn_scale_factor: number;
  readonly effective_mean: TensorRecord;
  readonly effective_var: TensorRecord;
  readonly stat_updates_so_far: number;
  readonly bottom_diff?: TensorRecord;
  readonly bottom_diff_computed?: boolean;
  readonly scale_diff?: TensorRecord;
  readonly scale_diff_computed?: boolean;
  readonly bias_diff?: TensorRecord;
  readonly bias_diff_computed?: boolean;
}

/** A torch variant's module configuration. */
export interface TorchConfigRecord {
  readonly module: string;
  readonly num_features: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly bias: "copied from Scale" | "fixed 0" | null;
  readonly weight_bias_requires_grad: boolean;
  readonly input_requires_grad: boolean;
  readonly initial_running_stats: "default" | "caffe";
  readonly initial_running_mean: TensorRecord;
  readonly initial_running_var: TensorRecord;
}

/** One step of a torch variant's recording. */
export interface TorchStepRecord {
  readonly step: number;
  readonly phase: CaffePhase;
  readonly torch_mode: "train" | "eval";
  readonly top: TensorRecord;
  readonly running_mean: TensorRecord;
  readonly running_var: TensorRecord;
  readonly num_batches_tracked: number;
  readonly bottom_diff?: TensorRecord;
  readonly scale_diff?: TensorRecord;
  readonly bias_diff?: TensorRecord;
}

/** A torch variant (`mapped`, `cumulative`, `mapped_default_init`). */
export interface TorchVariantRecord {
  readonly config: TorchConfigRecord;
  readonly steps: TorchStepRecord[];
}

/** One case of `bn_cases.json`. */
export interface GoldenCase {
  readonly name: string;
  readonly description?: string;
  readonly top_blob?: string;
  readonly phases: { readonly phase: CaffePhase; readonly forwards: number }[];
  readonly params: GoldenParams;
  readonly inputs: TensorRecord[];
  readonly upstream_grads: (TensorRecord | null)[] | null;
  readonly scale_init: { readonly scale: TensorRecord; readonly bias: TensorRecord | null } | null;
  readonly caffe: { readonly initial_bn_blobs: CaffeInitialBlobsRecord; readonly steps: CaffeStepRecord[] };
  readonly torch: Record<string, TorchVariantRecord>;
}

/** The whole `bn_cases.json`. */
export interface GoldenTrace {
  readonly generator?: string;
  readonly cases: GoldenCase[];
}

/** Why a trace could not be read: a code and the JSON path of the offending value. */
export interface TraceFormatProblem {
  readonly code: "trace-format";
  /** A JSON path such as `cases[3].inputs[0].data`. */
  readonly path: string;
  /** What was expected there, e.g. `tensor`, `array`, `object`. */
  readonly expected: string;
}

/** Thrown inside the replay only, and turned into a {@link TraceFormatProblem} at its boundary. */
export class TraceFormatError extends Error {
  readonly problem: TraceFormatProblem;
  constructor(path: string, expected: string) {
    super(`${path}: expected ${expected}`);
    this.problem = { code: "trace-format", path, expected };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks a recorded tensor (`shape` of non-negative integers, `data` of numbers of length numel) and
 * converts it to float32.
 */
export function readTensor(value: unknown, path: string): Tensor {
  if (!isObject(value)) throw new TraceFormatError(path, "tensor");
  const { shape, data } = value;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new TraceFormatError(`${path}.shape`, "array of non-negative integers");
  }
  if (!Array.isArray(data) || data.length !== numel(shape as number[]) || !data.every((v) => typeof v === "number")) {
    throw new TraceFormatError(`${path}.data`, `array of ${numel(shape as number[])} numbers`);
  }
  return { shape: [...(shape as number[])], data: Float32Array.from(data as number[]) };
}

/** Checks that `value` is an array (of anything) and returns it. */
export function readArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new TraceFormatError(path, "array");
  return value;
}

/** Checks that `value` is a plain object and returns it. */
export function readObject(value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) throw new TraceFormatError(path, "object");
  return value;
}

/**
 * Checks the outline a case needs before it can be replayed (tensors are checked as they are read).
 * Paths start with `$.cases[i]` until the case has a name, then with the name.
 */
export function checkCaseOutline(value: unknown, path: string): GoldenCase {
  const c = readObject(value, path);
  const name = c["name"];
  if (typeof name !== "string") throw new TraceFormatError(`${path}.name`, "string");
  const params = readObject(c["params"], `${name}.params`);
  readArray(params["input_shape"], `${name}.params.input_shape`);
  readObject(params["effective_use_global_stats_per_phase"], `${name}.params.effective_use_global_stats_per_phase`);
  readArray(c["phases"], `${name}.phases`).forEach((p, i) => readObject(p, `${name}.phases[${i}]`));
  readArray(c["inputs"], `${name}.inputs`);
  if (c["upstream_grads"] !== null) readArray(c["upstream_grads"], `${name}.upstream_grads`);
  if (c["scale_init"] !== null) readObject(c["scale_init"], `${name}.scale_init`);
  const caffe = readObject(c["caffe"], `${name}.caffe`);
  readObject(caffe["initial_bn_blobs"], `${name}.caffe.initial_bn_blobs`);
  readArray(caffe["steps"], `${name}.caffe.steps`).forEach((s, i) => readObject(s, `${name}.caffe.steps[${i}]`));
  const torch = readObject(c["torch"], `${name}.torch`);
  for (const [variant, record] of Object.entries(torch)) {
    const v = readObject(record, `${name}.torch.${variant}`);
    readObject(v["config"], `${name}.torch.${variant}.config`);
    readArray(v["steps"], `${name}.torch.${variant}.steps`).forEach((s, i) => readObject(s, `${name}.torch.${variant}.steps[${i}]`));
  }
  return value as GoldenCase;
}
