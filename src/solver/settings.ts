import { paramsOf } from "../caffe/layers/params.js";
import type { BoundMessage } from "../schema/bind.js";
import { loadCaffeSchema } from "../schema/load.js";

/** Caffe's solver types (the `type` string; `solver_type` is upgraded to it when read). */
export const SOLVER_TYPES = ["SGD", "Nesterov", "AdaGrad", "RMSProp", "AdaDelta", "Adam"] as const;
export type SolverType = (typeof SOLVER_TYPES)[number];

/** Caffe's learning-rate policies (SGDSolver::GetLearningRate). */
export const LR_POLICIES = ["fixed", "step", "exp", "inv", "multistep", "poly", "sigmoid"] as const;
export type LrPolicy = (typeof LR_POLICIES)[number];

/**
 * The SolverParameter fields each policy reads in SGDSolver::GetLearningRate besides base_lr
 * (src/caffe/solvers/sgd_solver.cpp:27-70). A field left unset reads as 0 (proto2 has no default
 * for them): a 0 gamma zeroes the rate after the first step, a 0 stepsize stops Caffe
 * (CHECK_GT), a 0 power makes inv/poly constant, a 0 max_iter divides by zero in poly.
 */
export const POLICY_FIELDS: Readonly<Record<LrPolicy, readonly string[]>> = {
  fixed: [],
  step: ["stepsize", "gamma"],
  exp: ["gamma"],
  inv: ["gamma", "power"],
  multistep: ["stepvalue", "gamma"],
  poly: ["power", "max_iter"],
  sigmoid: ["gamma", "stepsize"],
};

/**
 * The settings of a solver in force, Caffe's defaults filled in from the schema. Float fields are
 * as Caffe computes with them (float32, `Math.fround` of the written decimal); `written` keeps
 * the decimal as written for display.
 */
export interface SolverSettings {
  /** The solver type as written (after the solver_type upgrade); may be one Caffe does not know. */
  type: string;
  /** The policy as written ("" when unset). */
  lrPolicy: string;
  baseLr: number;
  gamma: number;
  power: number;
  stepsize: number;
  stepvalue: number[];
  maxIter: number;
  momentum: number;
  momentum2: number;
  rmsDecay: number;
  delta: number;
  weightDecay: number;
  regularizationType: string;
  iterSize: number;
  /** Negative: no clipping. */
  clipGradients: number;
  /** The written decimals of the float settings (base_lr, gamma, …) by field name. */
  written: Record<string, number>;
  /** Fields the file sets. */
  declared: ReadonlySet<string>;
}

const FLOATS = ["base_lr", "gamma", "power", "momentum", "momentum2", "rms_decay", "delta", "weight_decay", "clip_gradients"] as const;

/** Reads a bound caffe.SolverParameter with Caffe's defaults. */
export function solverSettings(solver: BoundMessage): SolverSettings {
  const p = paramsOf(solver, loadCaffeSchema().message("caffe.SolverParameter"));
  const written: Record<string, number> = {};
  for (const f of FLOATS) written[f] = p.num(f);
  const f32 = (name: (typeof FLOATS)[number]): number => Math.fround(written[name]!);
  const declared = new Set(Object.keys(solver).filter((k) => p.has(k)));
  return {
    type: p.str("type"),
    lrPolicy: p.str("lr_policy"),
    baseLr: f32("base_lr"),
    gamma: f32("gamma"),
    power: f32("power"),
    stepsize: p.num("stepsize"),
    stepvalue: p.list("stepvalue"),
    maxIter: p.num("max_iter"),
    momentum: f32("momentum"),
    momentum2: f32("momentum2"),
    rmsDecay: f32("rms_decay"),
    delta: f32("delta"),
    weightDecay: f32("weight_decay"),
    regularizationType: p.str("regularization_type"),
    iterSize: p.num("iter_size"),
    clipGradients: f32("clip_gradients"),
    written,
    declared,
  };
}

/** Whether `type` is one of Caffe's solver types. */
export function isSolverType(type: string): type is SolverType {
  return (SOLVER_TYPES as readonly string[]).includes(type);
}

/** Whether `policy` is one of Caffe's lr policies. */
export function isLrPolicy(policy: string): policy is LrPolicy {
  return (LR_POLICIES as readonly string[]).includes(policy);
}
