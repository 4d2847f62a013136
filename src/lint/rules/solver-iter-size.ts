import { ruleMeta, type Rule } from "../rule.js";
import { reportProblems } from "../solver/problems.js";

/** `solver-iter-size`: iter_size below 1 — Caffe runs no forward pass and divides the loss by it. */
export const solverIterSize: Rule = {
  meta: ruleMeta({
    id: "solver-iter-size",
    defaultSeverity: "error",
    description: "A solver's iter_size is below 1.",
    fixable: false,
    messages: { below: "iter_size {{value}} is below 1: Caffe runs no forward pass and divides the loss by it." },
  }),
  scope: "solver",
  check(context) {
    reportProblems(context, { "solver-iter-size": "below" });
  },
};
