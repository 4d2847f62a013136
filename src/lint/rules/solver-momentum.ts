import { ruleMeta, type Rule } from "../rule.js";
import { reportProblems } from "../solver/problems.js";

/**
 * `solver-momentum`: a decay factor outside [0, 1) — momentum (SGD, Nesterov; AdaDelta's decay;
 * Adam's β1), momentum2 (Adam's β2), rms_decay (RMSProp, which Caffe checks) — or a momentum on
 * AdaGrad/RMSProp, which Caffe refuses (CHECK_EQ(0, momentum)).
 */
export const solverMomentum: Rule = {
  meta: ruleMeta({
    id: "solver-momentum",
    defaultSeverity: "error",
    description: "A solver's momentum, momentum2 or rms_decay is outside [0, 1), or AdaGrad/RMSProp has a momentum (Caffe refuses it).",
    fixable: false,
    messages: {
      range: "{{field}} {{value}} is outside [0, 1) for {{type}}: the history does not decay and training diverges.",
      rmsDecay: "rms_decay {{value}} is outside [0, 1); Caffe's RMSProp refuses it (\"rms_decay should lie between 0 and 1\").",
      refused: "{{type}} takes no momentum (got {{value}}); Caffe stops (\"Momentum cannot be used with {{type}}\").",
    },
  }),
  scope: "solver",
  check(context) {
    reportProblems(context, {
      "solver-momentum-range": (d) => (d.data["field"] === "rms_decay" ? "rmsDecay" : "range"),
      "solver-momentum-refused": "refused",
    });
  },
};
