import { ruleMeta, type Rule } from "../rule.js";
import { reportProblems } from "../solver/problems.js";

/** `solver-unknown-value`: a solver `type` or `regularization_type` Caffe does not know; Caffe stops. */
export const solverUnknownValue: Rule = {
  meta: ruleMeta({
    id: "solver-unknown-value",
    defaultSeverity: "error",
    description: "A solver type or regularization_type that Caffe does not know.",
    fixable: false,
    messages: {
      type: "Unknown solver type \"{{type}}\"; Caffe knows SGD, Nesterov, AdaGrad, RMSProp, AdaDelta and Adam.",
      regularization: "Unknown regularization_type \"{{value}}\"; Caffe knows L2 and L1 and stops at the first update.",
    },
  }),
  scope: "solver",
  check(context) {
    reportProblems(context, { "solver-unknown-type": "type", "solver-unknown-regularization": "regularization" });
  },
};
