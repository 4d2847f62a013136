/**
 * The solver part of a report: parameter groups as `solver` plans them, and Caffe's learning rate
 * over the iterations (SGDSolver::GetLearningRate, via src/solver/policies.ts) as points to draw.
 */
import type { SolverPlan } from "../solver/plan.js";
import { differenceText } from "../solver/messages.js";
import { rateSchedule } from "../solver/policies.js";
import type { SolverSettings } from "../solver/settings.js";
import type { ReportSolver } from "./model.js";

/** Iterations the curve looks at, at most (a hostile max_iter must not take minutes). */
const MAX_ITERATIONS = 2_000_000;
/** Evenly spaced samples, besides the iterations where a step policy changes the rate. */
const SAMPLES = 400;
const MAX_POINTS = 2000;

/**
 * [iteration, rate] pairs: evenly spaced samples plus both sides of every jump, so that a step or
 * multistep curve keeps its corners.
 */
export function rateCurve(plan: SolverPlan, settings: SolverSettings): [number, number][] {
  const n = Math.max(1, Math.min(MAX_ITERATIONS, plan.maxIter + 1));
  const rates = rateSchedule(plan.policy.name, settings, n);
  const keep = new Set<number>([0, n - 1]);
  for (let i = 0; i < SAMPLES; i++) keep.add(Math.round((i * (n - 1)) / (SAMPLES - 1)));
  for (let k = 1; k < n && keep.size < MAX_POINTS; k++) {
    if (rates[k] !== rates[k - 1]) keep.add(k - 1).add(k);
  }
  return [...keep].sort((a, b) => a - b).map((k) => [k, rates[k]!]);
}

/** The solver panel's data. */
export function reportSolver(plan: SolverPlan, settings: SolverSettings): ReportSolver {
  return {
    file: plan.solver,
    type: plan.type,
    policy: plan.policy.name,
    baseLr: plan.policy.baseLr,
    maxIter: plan.maxIter,
    groups: plan.groups.groups.map((g) => ({
      lrMult: g.lrMult,
      decayMult: g.decayMult,
      lr: g.lr,
      weightDecay: plan.regularizationType === "L1" ? g.l1Decay : g.weightDecay,
      params: g.params.map((p) => p.key),
    })),
    frozen: plan.groups.frozen.map((p) => p.key),
    curve: rateCurve(plan, settings),
    differences: plan.differences.filter((d) => d.status === "differs").map(differenceText),
  };
}
