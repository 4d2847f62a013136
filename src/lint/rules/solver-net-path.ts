import { netPathCandidates } from "../../solver/net-source.js";
import { ruleMeta, type Rule, type SolverContext } from "../rule.js";
import { reportProblems } from "../solver/problems.js";

/** The fields that hold a net file's path. */
const PATH_FIELDS = ["net", "train_net", "test_net"] as const;

/**
 * `solver-net-path`: no train net, several, or a `net`/`train_net`/`test_net` path that exists
 * neither beside the solver nor from the working directory (Caffe opens it from the working
 * directory). Paths are only checked when the caller can look at files (the CLI can).
 */
export const solverNetPath: Rule = {
  meta: ruleMeta({
    id: "solver-net-path",
    defaultSeverity: "error",
    description: "A solver names no train net, several, or a net file that does not exist.",
    fixable: false,
    messages: {
      missing: "{{field}} \"{{path}}\" does not exist (looked at {{looked}}).",
      noNet: "No train net: Caffe needs one of net, net_param, train_net, train_net_param.",
      severalNets: "More than one train net ({{fields}}); Caffe needs exactly one.",
    },
  }),
  scope: "solver",
  check(context) {
    reportProblems(context, { "solver-no-train-net": "noNet", "solver-several-train-nets": "severalNets" });
    if (context.exists) checkPaths(context, context.exists);
  },
};

function checkPaths(context: SolverContext, exists: (path: string) => boolean): void {
  const solver = context.solver.solver;
  for (const field of PATH_FIELDS) {
    const raw = solver[field];
    const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    values.forEach((value, index) => {
      if (typeof value !== "string") return;
      const candidates = netPathCandidates(value, context.file, context.cwd);
      if (candidates.some(exists)) return;
      const range = context.solver.sourceMap.rangeOf(solver, field, index);
      context.report({ range, messageId: "missing", data: { field, path: value, looked: candidates.join(" and ") } });
    });
  }
}
