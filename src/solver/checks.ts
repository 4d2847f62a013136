import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Range } from "../diagnostics/range.js";
import type { BoundMessage } from "../schema/bind.js";
import type { SourceMap } from "../schema/locations.js";
import { isLrPolicy, isSolverType, POLICY_FIELDS, type SolverSettings } from "./settings.js";

/** The fields that can name the train net; Caffe requires exactly one (Solver::InitTrainNet). */
export const TRAIN_NET_FIELDS = ["net", "net_param", "train_net", "train_net_param"] as const;

/** Policies whose gamma Caffe checks is ≥ 0 (CHECK_GE in GetLearningRate). */
const GAMMA_CHECKED: ReadonlySet<string> = new Set(["step", "exp", "inv", "multistep", "sigmoid"]);

/** Policies for which Caffe checks stepsize > 0 (CHECK_GT); both read it, so an unset one stops Caffe. */
const STEPSIZE_CHECKED: ReadonlySet<string> = new Set(["step", "sigmoid"]);

/** What an unset policy parameter does (for the message), by field. */
const MISSING_EFFECT: Readonly<Record<string, string>> = {
  stepsize: "caffe-stops",
  gamma: "rate-zero",
  power: "rate-constant",
  stepvalue: "rate-constant",
  max_iter: "division-by-zero",
};

/**
 * What Caffe would refuse or silently get wrong in a solver, as diagnostics with codes and data
 * (formatters word them; lint rules report them). Severity error: Caffe stops (a CHECK or
 * LOG(FATAL)) or the training is meaningless; warning: Caffe runs, probably not as meant.
 *
 * Codes: solver-unknown-type, solver-no-policy, solver-unknown-policy, solver-policy-param-missing,
 * solver-policy-param-invalid, solver-momentum-range, solver-momentum-refused,
 * solver-iter-size, solver-unknown-regularization, solver-no-train-net, solver-several-train-nets.
 */
export function solverProblems(solver: BoundMessage, s: SolverSettings, sourceMap: SourceMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (field: string): Range | undefined => sourceMap.rangeOf(solver, field);
  const declared = (field: string): boolean => s.declared.has(field);
  const whole = sourceMap.rangeOf(solver);

  if (!isSolverType(s.type)) out.push(diagnostic("solver-unknown-type", "error", at("type"), { type: s.type }));

  if (!declared("lr_policy")) out.push(diagnostic("solver-no-policy", "error", whole, {}));
  else if (!isLrPolicy(s.lrPolicy)) out.push(diagnostic("solver-unknown-policy", "error", at("lr_policy"), { policy: s.lrPolicy }));
  else {
    const policy = s.lrPolicy;
    for (const field of POLICY_FIELDS[policy]) {
      if (declared(field)) continue;
      // inv's (1 + 0·k)^-power and sigmoid's base_lr/(1 + e^0) stay constant without gamma.
      const effect = field === "gamma" && (policy === "inv" || policy === "sigmoid") ? "rate-constant" : MISSING_EFFECT[field]!;
      out.push(diagnostic("solver-policy-param-missing", effect === "caffe-stops" || effect === "division-by-zero" ? "error" : "warning", at("lr_policy"), { policy, field, effect }));
    }
    if (GAMMA_CHECKED.has(policy) && declared("gamma") && s.gamma < 0) {
      out.push(diagnostic("solver-policy-param-invalid", "error", at("gamma"), { policy, field: "gamma", value: s.written["gamma"]!, rule: ">= 0" }));
    }
    if (STEPSIZE_CHECKED.has(policy) && declared("stepsize") && s.stepsize <= 0) {
      out.push(diagnostic("solver-policy-param-invalid", "error", at("stepsize"), { policy, field: "stepsize", value: s.stepsize, rule: "> 0" }));
    }
    if (policy === "poly" && declared("max_iter") && s.maxIter <= 0) {
      out.push(diagnostic("solver-policy-param-invalid", "error", at("max_iter"), { policy, field: "max_iter", value: s.maxIter, rule: "> 0" }));
    }
  }

  const usesMomentum = s.type === "SGD" || s.type === "Nesterov" || s.type === "AdaDelta" || s.type === "Adam";
  if ((s.type === "AdaGrad" || s.type === "RMSProp") && s.momentum !== 0) {
    out.push(diagnostic("solver-momentum-refused", "error", at("momentum"), { type: s.type, value: s.written["momentum"]! }));
  } else if (usesMomentum && declared("momentum") && !(s.momentum >= 0 && s.momentum < 1)) {
    out.push(diagnostic("solver-momentum-range", "error", at("momentum"), { field: "momentum", value: s.written["momentum"]!, type: s.type }));
  }
  if (s.type === "Adam" && declared("momentum2") && !(s.momentum2 >= 0 && s.momentum2 < 1)) {
    out.push(diagnostic("solver-momentum-range", "error", at("momentum2"), { field: "momentum2", value: s.written["momentum2"]!, type: s.type }));
  }
  if (s.type === "RMSProp" && declared("rms_decay") && !(s.rmsDecay >= 0 && s.rmsDecay < 1)) {
    out.push(diagnostic("solver-momentum-range", "error", at("rms_decay"), { field: "rms_decay", value: s.written["rms_decay"]!, type: s.type }));
  }

  if (s.iterSize < 1) out.push(diagnostic("solver-iter-size", "error", at("iter_size"), { value: s.iterSize }));

  if (s.weightDecay !== 0 && s.regularizationType !== "L2" && s.regularizationType !== "L1") {
    out.push(diagnostic("solver-unknown-regularization", "error", at("regularization_type"), { value: s.regularizationType }));
  }

  const trainNets = TRAIN_NET_FIELDS.filter((f) => solver[f] !== undefined);
  if (trainNets.length === 0) out.push(diagnostic("solver-no-train-net", "error", whole, {}));
  else if (trainNets.length > 1) out.push(diagnostic("solver-several-train-nets", "error", at(trainNets[1]!), { fields: trainNets.join(", ") }));
  return out.sort((a, b) => (a.range?.offset ?? 0) - (b.range?.offset ?? 0));
}

const q = (v: unknown): string => `"${String(v)}"`;

const EFFECT_TEXT: Readonly<Record<string, string>> = {
  "caffe-stops": "Caffe stops at the first iteration (CHECK_GT(stepsize, 0))",
  "rate-zero": "it reads as 0, so the rate is 0 after the first step",
  "rate-constant": "the rate never changes",
  "division-by-zero": "it reads as 0, and the rate divides by it",
};

type Data = Diagnostic["data"];

/** English for the codes above (render/messages.ts lists this table). */
export const SOLVER_MESSAGES: Readonly<Record<string, (d: Data) => string>> = {
  "solver-unknown-type": (d) => `Unknown solver type ${q(d["type"])}; Caffe knows SGD, Nesterov, AdaGrad, RMSProp, AdaDelta and Adam.`,
  "solver-no-policy": () => 'lr_policy is not set; Caffe stops at the first iteration ("Unknown learning rate policy: ").',
  "solver-unknown-policy": (d) => `Unknown lr_policy ${q(d["policy"])}; Caffe stops at the first iteration. It knows fixed, step, exp, inv, multistep, poly and sigmoid.`,
  "solver-policy-param-missing": (d) => `lr_policy ${q(d["policy"])} reads ${String(d["field"])}, which is not set: ${EFFECT_TEXT[String(d["effect"])] ?? String(d["effect"])}.`,
  "solver-policy-param-invalid": (d) => `lr_policy ${q(d["policy"])} needs ${String(d["field"])} ${String(d["rule"])} (got ${String(d["value"])}); Caffe stops at the first iteration.`,
  "solver-momentum-range": (d) => `${String(d["field"])} ${String(d["value"])} is outside [0, 1): ${d["field"] === "rms_decay" ? "Caffe's RMSProp refuses it" : "the history never decays and the training diverges"}.`,
  "solver-momentum-refused": (d) => `${String(d["type"])} takes no momentum (got ${String(d["value"])}); Caffe stops ("Momentum cannot be used with ${String(d["type"])}").`,
  "solver-iter-size": (d) => `iter_size ${String(d["value"])} is below 1: Caffe runs no forward pass and divides the loss by it.`,
  "solver-unknown-regularization": (d) => `Unknown regularization_type ${q(d["value"])}; Caffe stops at the first update (it knows L2 and L1).`,
  "solver-no-train-net": () => "No train net: Caffe needs one of net, net_param, train_net, train_net_param.",
  "solver-several-train-nets": (d) => `More than one train net (${String(d["fields"])}); Caffe needs exactly one.`,
};
