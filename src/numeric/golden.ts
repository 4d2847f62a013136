/**
 * Replays golden traces (`bn_cases.json`, and trained nets' `trace.json`) through the Caffe and
 * PyTorch executors.
 *
 * Pure: the caller reads and parses the file. {@link replayTrace} never throws on a malformed trace;
 * it reports a `trace-format` problem with the JSON path instead.
 */
import { replayCaffe } from "./golden-replay-caffe.js";
import { replayTorch } from "./golden-replay-torch.js";
import { CaseRecorder, type CaseReport, type TraceReport } from "./golden-report.js";
import { isTrainedTrace, replayTrainedTrace } from "./golden-trained.js";
import { checkCaseOutline, readArray, readObject, TraceFormatError, type GoldenCase } from "./golden-types.js";

export type { CaseReport, MetricDetail, ReplayFinding, TraceReport, FindingCode } from "./golden-report.js";
export type { GoldenCase, GoldenTrace, TraceFormatProblem } from "./golden-types.js";

/** Replay options; the tolerance is the caller's, named at its call site. */
export interface ReplayOptions {
  /** The largest acceptable scaled error `|a − b| / max(1, |reference|)`. */
  readonly tolerance: number;
}

/**
 * Replays one case: Caffe's executor against the `caffe` recordings (top, blobs, effective stats, and
 * the diffs Caffe computed), and the PyTorch executor against every `torch` variant (top, running
 * stats, num_batches_tracked, the gradients present).
 */
export function replayCase(c: GoldenCase, options: ReplayOptions): CaseReport {
  const recorder = new CaseRecorder();
  try {
    replayCaffe(c, recorder);
    replayTorch(c, recorder);
  } catch (error) {
    if (error instanceof TraceFormatError) {
      return { ...recorder.report(c.name, options.tolerance), ok: false, error: error.problem };
    }
    throw error;
  }
  return recorder.report(c.name, options.tolerance);
}

function caseName(value: unknown, index: number): string {
  const name = typeof value === "object" && value !== null ? (value as { name?: unknown }).name : undefined;
  return typeof name === "string" ? name : `cases[${index}]`;
}

/**
 * Replays a parsed trace: `bn_cases.json`'s format (`cases`), or a trained net's
 * (`trained_small/trace.json`: `bn_layers` and `eval`; golden-trained.ts). The result's
 * `{format, cases: [{name, ok, max_abs_error, …}], ok, max_abs_error}` is the stable output of
 * `caffe2torch verify --trace --json`.
 */
export function replayTrace(json: unknown, options: ReplayOptions): TraceReport {
  const empty = { cases: [], ok: false, max_abs_error: 0, max_error: 0, tolerance: options.tolerance };
  if (isTrainedTrace(json)) return replayTrainedTrace(json as Record<string, unknown>, options.tolerance);
  let cases: unknown[];
  try {
    const root = readObject(json, "$");
    if (!("cases" in root)) throw new TraceFormatError("$", 'a golden trace: "cases" (bn_cases.json) or "bn_layers" and "eval" (trained_small/trace.json)');
    cases = readArray(root["cases"], "$.cases");
  } catch (error) {
    if (error instanceof TraceFormatError) return { ...empty, error: error.problem };
    throw error;
  }
  const reports = cases.map((value, index): CaseReport => {
    try {
      return replayCase(checkCaseOutline(value, `$.cases[${index}]`), options);
    } catch (error) {
      if (!(error instanceof TraceFormatError)) throw error;
      const name = caseName(value, index);
      return { name, ok: false, max_abs_error: 0, max_error: 0, details: [], findings: [], error: error.problem };
    }
  });
  return {
    format: "bn_cases",
    cases: reports,
    ok: reports.length > 0 && reports.every((r) => r.ok),
    max_abs_error: reports.reduce((m, r) => Math.max(m, r.max_abs_error), 0),
    max_error: reports.reduce((m, r) => Math.max(m, r.max_error), 0),
    tolerance: options.tolerance,
  };
}
