/**
 * The replay report: per (executor, metric) the worst disagreement over all steps, plus findings that
 * are not numeric (a gradient present where none should be, a mode that differs, …).
 *
 * Field names are snake_case because this is the stable JSON of `caffe2torch verify --trace --json`.
 * Errors are scaled: `|a − b| / max(1, |reference|)`; `ok` means `max_error ≤ tolerance`.
 */
import { compare, type Comparison } from "./compare.js";
import type { TensorLike } from "./tensor.js";
import type { TraceFormatProblem } from "./golden-types.js";

/** The worst disagreement of one metric of one executor over a case's steps. */
export interface MetricDetail {
  /** `caffe`, or `torch:<variant>` (e.g. `torch:mapped`). */
  readonly executor: string;
  /** The recorded key compared, e.g. `top`, `bn_mean_sum`, `running_var`, `bottom_diff`. */
  readonly metric: string;
  /** How many steps were compared. */
  readonly steps: number;
  readonly ok: boolean;
  /** The largest scaled error over the steps. */
  readonly max_error: number;
  /** The largest absolute error over the steps. */
  readonly max_abs_error: number;
  /** The step of the largest scaled error (-1 for the state before step 0). */
  readonly worst_step: number;
  /** Flat index, multi-index and both values at the largest scaled error. */
  readonly index: number;
  readonly position: number[];
  readonly actual: number;
  readonly expected: number;
}

/** Non-numeric disagreements; codes, not text (a formatter renders them). */
export type FindingCode =
  /** Our Caffe rule and the trace's `*_computed` flag disagree on whether a diff was computed. */
  | "computed-flag-mismatch"
  /** A torch gradient is present in the trace but not requested by the config, or vice versa. */
  | "gradient-presence-mismatch"
  /** The torch mode (train/eval) we derive differs from the recorded one. */
  | "torch-mode-mismatch"
  /** A setting derived with Caffe's defaults differs from the trace's `effective_*` value. */
  | "setting-mismatch"
  /** The torch config's requires_grad flags disagree with the diffs Caffe computes. */
  | "requires-grad-mismatch"
  /** A recorded tensor has another shape than ours. */
  | "shape-mismatch"
  /** A step needed by the replay is missing (no input or no upstream gradient). */
  | "missing-record";

/** One non-numeric disagreement. */
export interface ReplayFinding {
  readonly code: FindingCode;
  readonly executor: string;
  readonly metric: string;
  /** The step, or -1 when it concerns the whole case. */
  readonly step: number;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** The replay of one case. */
export interface CaseReport {
  readonly name: string;
  readonly ok: boolean;
  /** The largest absolute error over all metrics. */
  readonly max_abs_error: number;
  /** The largest scaled error over all metrics. */
  readonly max_error: number;
  readonly details: MetricDetail[];
  readonly findings: ReplayFinding[];
  /** Set when the case could not be read; then nothing was replayed. */
  readonly error?: TraceFormatProblem;
}

/** The replay of a whole trace: `{cases, ok, max_abs_error}` plus the tolerance and scaled maximum. */
export interface TraceReport {
  /**
   * Which trace format was read: `bn_cases` (single-layer cases, bn_cases.json) or `trained` (a
   * trained net's BatchNorm blocks, trained_small/trace.json); absent when neither was recognised.
   */
  readonly format?: "bn_cases" | "trained";
  readonly cases: CaseReport[];
  readonly ok: boolean;
  readonly max_abs_error: number;
  readonly max_error: number;
  readonly tolerance: number;
  /** Set when the trace as a whole could not be read. */
  readonly error?: TraceFormatProblem;
}

interface Worst {
  steps: number;
  comparison: Comparison;
  step: number;
  maxAbs: number;
}

/** Collects comparisons and findings for one case. */
export class CaseRecorder {
  private readonly worst = new Map<string, Worst>();
  private readonly order: [string, string][] = [];
  readonly findings: ReplayFinding[] = [];

  /** Compares ours against the recorded tensor and keeps the worst per (executor, metric). */
  compare(executor: string, metric: string, step: number, actual: TensorLike, expected: TensorLike): void {
    const comparison = compare(actual, expected);
    if (comparison.shapeMismatch) {
      this.find("shape-mismatch", executor, metric, step, expected.shape, actual.shape);
      return;
    }
    const key = `${executor}\u0000${metric}`;
    const previous = this.worst.get(key);
    if (previous === undefined) {
      this.order.push([executor, metric]);
      this.worst.set(key, { steps: 1, comparison, step, maxAbs: comparison.maxAbsError });
      return;
    }
    previous.steps += 1;
    previous.maxAbs = Math.max(previous.maxAbs, comparison.maxAbsError);
    if (comparison.maxError > previous.comparison.maxError) {
      previous.comparison = comparison;
      previous.step = step;
    }
  }

  /** Compares two scalars (scale factors, counters). */
  compareScalar(executor: string, metric: string, step: number, actual: number, expected: number): void {
    this.compare(executor, metric, step, { shape: [1], data: [actual] }, { shape: [1], data: [expected] });
  }

  /** Records a non-numeric disagreement. */
  find(code: FindingCode, executor: string, metric: string, step: number, expected: unknown, actual: unknown): void {
    this.findings.push({ code, executor, metric, step, expected, actual });
  }

  /** The case report under a tolerance. */
  report(name: string, tolerance: number): CaseReport {
    const details: MetricDetail[] = this.order.map(([executor, metric]) => {
      const w = this.worst.get(`${executor}\u0000${metric}`) as Worst;
      const c = w.comparison;
      return {
        executor,
        metric,
        steps: w.steps,
        ok: c.maxError <= tolerance,
        max_error: c.maxError,
        max_abs_error: w.maxAbs,
        worst_step: w.step,
        index: c.index,
        position: c.position,
        actual: c.actual,
        expected: c.expected,
      };
    });
    return {
      name,
      ok: this.findings.length === 0 && details.every((d) => d.ok),
      max_abs_error: details.reduce((m, d) => Math.max(m, d.max_abs_error), 0),
      max_error: details.reduce((m, d) => Math.max(m, d.max_error), 0),
      details,
      findings: [...this.findings],
    };
  }
}
