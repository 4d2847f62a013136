import { visible } from "../../diagnostics/visible.js";
import { jsonText } from "../../diagnostics/json-text.js";
import { lrChanges } from "../../solver/differences.js";
import { formatSolverVerification } from "../../verify/solver/format-text.js";
import { renderSolverPlot } from "../../verify/solver/plot.js";
import { verifySolver } from "../../verify/solver/run.js";
import { makeStyle } from "../color.js";
import { CliError, type CliIo } from "../io-types.js";
import { parseInputShapes } from "./input-shape.js";
import { parsePositiveInt, parseSeed } from "./options.js";
import { readSolverPlan } from "./solver-plan.js";

/** What `verify --solver` reads of verify's options. */
export interface VerifySolverCliOptions {
  iterations?: string;
  seed?: string;
  exact?: boolean;
  json?: boolean;
  plot?: string;
  quiet?: boolean;
  /** `--input-shape`: for a TRAIN net fed by data layers that declare no shape. */
  inputShape?: string | string[];
}

/** Iterations run when --iterations is not given: at least this many … */
const MIN_ITERATIONS = 30;
/** … and past the first lr change by this many (where SGD's momentum drift starts), up to max_iter. */
const AFTER_CHANGE = 10;
/** Most iterations run without --iterations (a first lr change beyond is reported, not reached). */
const MAX_DEFAULT_ITERATIONS = 100_000;
/** Values updated per run (iterations × blobs × values per blob): a few seconds on one core. */
const VALUE_BUDGET = 2e7;
/** Most values per blob (the rules are elementwise: more values test nothing new). */
const MAX_VALUES_PER_BLOB = 256;


/**
 * `caffe2torch verify --solver SOLVER.prototxt [NET.prototxt]`: Caffe's update rules and the
 * emitted solver.py's (plain and --exact) on the same seeded gradients (src/verify/solver). Exit 0
 * when every mapping claimed to reproduce Caffe does (--exact always; the plain mapping when
 * `solver` reports no difference for this solver), 1 when one disagrees beyond float32's bound, 2
 * for usage errors and unreadable input. The plain mapping's drift where `solver` reports a
 * difference is the finding the report shows, not a failure. With --exact only --exact is judged.
 */
export function runVerifySolver(solverFile: string, netFile: string | undefined, options: VerifySolverCliOptions, io: CliIo): number {
  const read = readSolverPlan(solverFile, { net: netFile, exact: false, inputShapes: parseInputShapes(options.inputShape) }, io);
  if ("exit" in read) return read.exit;
  const { plan, settings } = read;
  const blobCount = plan.groups.groups.reduce((n, g) => n + g.params.length, 0) + plan.groups.frozen.length;
  if (blobCount === 0) throw new CliError(`${visible(plan.net)}: the TRAIN net has no learnable blob, so the solver updates nothing`);
  let iterations: number;
  if (options.iterations !== undefined) iterations = parsePositiveInt("--iterations", options.iterations);
  else {
    const first = lrChanges(settings).first;
    const wanted = Math.max(MIN_ITERATIONS, first === null ? 0 : first + AFTER_CHANGE);
    iterations = Math.min(wanted, settings.maxIter > 0 ? Math.max(settings.maxIter, 1) : wanted, MAX_DEFAULT_ITERATIONS);
  }
  const valuesPerBlob = Math.max(1, Math.min(MAX_VALUES_PER_BLOB, Math.floor(VALUE_BUDGET / (iterations * blobCount))));
  if (options.plot !== undefined) io.checkOutput(options.plot);

  const report = verifySolver(plan, settings, { iterations, seed: parseSeed(options.seed), valuesPerBlob });
  if (options.exact) {
    // --exact: only the Caffe-exact optimizer is judged; the plain mapping is shown beside it.
    report.plain.failed = false;
    report.ok = !report.exact.failed && report.frozen_unchanged;
  }
  if (options.plot !== undefined) {
    io.writeFileAtomic(options.plot, renderSolverPlot(report));
    if (!options.quiet) io.stderr(`caffe2torch: wrote ${visible(options.plot)} (${report.iterations} iterations)\n`);
  }
  if (options.json) io.stdout(`${jsonText(report)}\n`);
  else io.stdout(formatSolverVerification(report, makeStyle(io.color.stdout)));
  return report.ok ? 0 : 1;
}
