import type { LrPolicy, SolverSettings } from "./settings.js";

const f32 = Math.fround;

/**
 * Caffe's learning rate at iteration k (SGDSolver::GetLearningRate, sgd_solver.cpp:27-70), with
 * the same float32/double operations: step, exp and multistep take `pow` in double and round the
 * product to float32; inv, poly and sigmoid compute in float32 (`powf`, `expf`). `multistepCount`
 * is Caffe's `current_step_` for multistep (see {@link multistepCounts}).
 */
export function caffeRate(policy: LrPolicy, s: SolverSettings, k: number, multistepCount = 0): number {
  switch (policy) {
    case "fixed":
      return s.baseLr;
    case "step":
      return f32(s.baseLr * Math.pow(s.gamma, Math.floor(k / s.stepsize)));
    case "exp":
      return f32(s.baseLr * Math.pow(s.gamma, k));
    case "inv":
      return f32(s.baseLr * f32(Math.pow(f32(1 + f32(s.gamma * f32(k))), -s.power)));
    case "multistep":
      return f32(s.baseLr * Math.pow(s.gamma, multistepCount));
    case "poly":
      return f32(s.baseLr * f32(Math.pow(f32(1 - f32(f32(k) / f32(s.maxIter))), s.power)));
    case "sigmoid":
      return f32(s.baseLr * f32(1 / f32(1 + f32(Math.exp(f32(-s.gamma * f32(f32(k) - f32(s.stepsize))))))));
  }
}

/**
 * Caffe's multistep counter for iterations 0..n−1: GetLearningRate, called once per iteration,
 * advances `current_step_` by at most one per call, when `iter_ >= stepvalue(current_step_)`
 * (sgd_solver.cpp:47-52). With increasing stepvalues this is the number of stepvalues ≤ k;
 * unsorted or repeated ones lag, as in Caffe.
 */
export function multistepCounts(stepvalue: readonly number[], n: number): number[] {
  const counts: number[] = [];
  let step = 0;
  for (let k = 0; k < n; k++) {
    if (step < stepvalue.length && k >= stepvalue[step]!) step++;
    counts.push(step);
  }
  return counts;
}

/** Caffe's rate for iterations 0..n−1. */
export function rateSchedule(policy: LrPolicy, s: SolverSettings, n: number): number[] {
  const counts = policy === "multistep" ? multistepCounts(s.stepvalue, n) : [];
  return Array.from({ length: n }, (_, k) => caffeRate(policy, s, k, counts[k] ?? 0));
}
