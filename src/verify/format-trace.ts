/**
 * The text report of `caffe2torch verify --trace TRACE.json`: a line per case, and for a case that
 * fails, the metrics beyond tolerance (executor, metric, step, position, both values) and the
 * non-numeric findings. Pure.
 */
import type { CaseReport, TraceReport } from "../numeric/golden.js";
import { plainStyle, type TextStyle } from "../diagnostics/style.js";
import { visible, visibleStrings } from "../diagnostics/visible.js";
import { num } from "./format-text.js";

/** Whether a replay could not read the trace (or one of its cases): `verify --trace` exits 2. */
export function traceMalformed(report: TraceReport): boolean {
  return report.error !== undefined || report.cases.some((c) => c.error !== undefined);
}

const FINDINGS: Record<string, string> = {
  "computed-flag-mismatch": "the trace says a diff was computed where Caffe's rules say not (or the reverse)",
  "gradient-presence-mismatch": "a gradient is recorded where the configuration computes none (or the reverse)",
  "torch-mode-mismatch": "the recorded train/eval mode differs from the one Caffe's use_global_stats implies",
  "setting-mismatch": "a setting in force differs from Caffe's defaults applied to the prototxt",
  "requires-grad-mismatch": "the recorded requires_grad flags differ from the diffs Caffe computes",
  "shape-mismatch": "a recorded tensor has another shape than ours",
  "missing-record": "a value the replay needs is missing",
};

function caseLines(c: CaseReport, tolerance: number, style: TextStyle): string[] {
  const word = c.ok ? style.good("ok  ") : style.error("FAIL");
  const lines = [`${word} ${c.name}  max error ${num(c.max_error)} (abs ${num(c.max_abs_error)})`];
  if (c.error !== undefined) {
    lines.push(`     ${style.error(`malformed: ${c.error.path}: expected ${c.error.expected}`)}`);
    return lines;
  }
  for (const d of c.details) {
    if (d.ok) continue;
    const step = d.worst_step < 0 ? "initial state" : `step ${d.worst_step}`;
    lines.push(
      `     ${d.executor} ${d.metric}: ${num(d.max_error)} > ${num(tolerance)} at ${step}, index [${d.position.join(",")}]: ours ${d.actual}, recorded ${d.expected}`,
    );
  }
  for (const f of c.findings) {
    const step = f.step < 0 ? "" : ` at step ${f.step}`;
    lines.push(`     ${f.executor} ${f.metric}${step}: ${FINDINGS[f.code] ?? f.code} (recorded ${JSON.stringify(f.expected)}, ours ${JSON.stringify(f.actual)})`);
  }
  return lines;
}

/**
 * The whole text report of a trace replay. The trace's strings (case names, paths, recorded
 * values) and the source go through {@link visibleStrings} first, as in the prototxt report.
 */
export function formatTraceText(rawSource: string, rawReport: TraceReport, style: TextStyle = plainStyle): string {
  const source = visible(rawSource);
  const report = visibleStrings(rawReport);
  const trained = report.format === "trained";
  const lines = [
    style.bold(`caffe2torch verify --trace ${source}`),
    ...(trained
      ? ["  a trained net's trace: per BatchNorm block, Caffe from the caffemodel's blobs and PyTorch in eval() from the converted state, on the recorded BatchNorm inputs"]
      : []),
    `  tolerance ${num(report.tolerance)} on |ours − recorded| / max(1, |recorded|)`,
    "",
  ];
  if (report.error !== undefined) {
    lines.push(style.error(`malformed trace: ${report.error.path}: expected ${report.error.expected}`));
    return `${lines.join("\n")}\n`;
  }
  for (const c of report.cases) lines.push(...caseLines(c, report.tolerance, style));
  const failed = report.cases.filter((c) => !c.ok).length;
  const noun = trained ? "block" : "case";
  lines.push(
    "",
    report.ok
      ? style.good(`OK: ${report.cases.length} ${noun}${report.cases.length === 1 ? "" : "s"} reproduced, max error ${num(report.max_error)}.`)
      : style.error(report.cases.length === 0 ? `FAILED: the trace has no ${noun}s.` : `FAILED: ${failed} of ${report.cases.length} ${noun}s disagree.`),
  );
  return `${lines.join("\n")}\n`;
}
