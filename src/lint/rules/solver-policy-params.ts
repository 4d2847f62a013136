import { ruleMeta, type Rule } from "../rule.js";
import { reportProblems } from "../solver/problems.js";

/** Message id by what the unset parameter does (checks.ts `effect`). */
const MISSING: Readonly<Record<string, string>> = {
  "caffe-stops": "missingStops",
  "rate-zero": "missingZero",
  "rate-constant": "missingConstant",
  "division-by-zero": "missingDivision",
};

/**
 * `solver-policy-params`: an lr_policy Caffe does not know or that is not set (Caffe stops at the
 * first iteration), or a policy missing a parameter it reads: step without stepsize (Caffe stops),
 * step/exp/inv/multistep/sigmoid without gamma (it reads as 0: the rate drops to 0), multistep
 * without stepvalue, inv/poly without power (a constant rate), poly without max_iter (division by
 * 0), and values Caffe checks (gamma ≥ 0, stepsize > 0).
 */
export const solverPolicyParams: Rule = {
  meta: ruleMeta({
    id: "solver-policy-params",
    defaultSeverity: "error",
    description: "A solver's lr_policy is unknown or unset, or misses a parameter it reads (step without stepsize, multistep without stepvalue, inv without gamma or power…).",
    fixable: false,
    messages: {
      noPolicy: "lr_policy is not set; Caffe stops at the first iteration (\"Unknown learning rate policy\").",
      unknownPolicy: "Unknown lr_policy \"{{policy}}\"; Caffe knows fixed, step, exp, inv, multistep, poly and sigmoid.",
      missingStops: "lr_policy \"{{policy}}\" reads {{field}}, which is not set: Caffe stops at the first iteration (CHECK_GT(stepsize, 0)).",
      missingZero: "lr_policy \"{{policy}}\" reads {{field}}, which is not set: it reads as 0, so the rate is 0 after the first step.",
      missingConstant: "lr_policy \"{{policy}}\" reads {{field}}, which is not set: the rate never changes.",
      missingDivision: "lr_policy \"{{policy}}\" reads {{field}}, which is not set: it reads as 0 and the rate divides by it.",
      invalid: "lr_policy \"{{policy}}\" needs {{field}} {{rule}} (got {{value}}); Caffe stops at the first iteration.",
    },
  }),
  scope: "solver",
  check(context) {
    reportProblems(context, {
      "solver-no-policy": "noPolicy",
      "solver-unknown-policy": "unknownPolicy",
      "solver-policy-param-missing": (d) => MISSING[String(d.data["effect"])] ?? "missingConstant",
      "solver-policy-param-invalid": "invalid",
    });
  },
};
