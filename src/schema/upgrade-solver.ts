import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BoundMessage } from "./bind.js";
import type { SourceMap } from "./locations.js";
import { upgradeNet } from "./upgrade.js";

type Data = Diagnostic["data"];

/** The `type` string Caffe's UpgradeSolverType writes for each deprecated `solver_type` enum value. */
export const SOLVER_TYPE_NAMES: Readonly<Record<string, string>> = {
  SGD: "SGD",
  NESTEROV: "Nesterov",
  ADAGRAD: "AdaGrad",
  RMSPROP: "RMSProp",
  ADADELTA: "AdaDelta",
  ADAM: "Adam",
};

/** The enum's values by number (a file may write `solver_type: 1`). */
const BY_NUMBER = ["SGD", "NESTEROV", "ADAGRAD", "RMSPROP", "ADADELTA", "ADAM"];

/**
 * Upgrades a SolverParameter in place as Caffe's UpgradeSolverAsNeeded does when it reads a
 * solver (src/caffe/util/upgrade_proto.cpp, UpgradeSolverType): a deprecated `solver_type` enum
 * becomes the `type` string and is cleared. When both are written Caffe stops
 * (`CHECK(!has_solver_type() || !has_type())`): we report `solver-type-conflict` and keep `type`.
 * Inline nets (`net_param`, `train_net_param`, `test_net_param`) in a legacy layer format are
 * upgraded as nets are.
 *
 * Emits `upgraded-solver-type` (warning, `{from, to}`) at the `solver_type` field.
 */
export function upgradeSolver(solver: BoundMessage, sourceMap: SourceMap): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const raw = solver["solver_type"];
  if (raw !== undefined) {
    const range = sourceMap.rangeOf(solver, "solver_type");
    const from = typeof raw === "number" ? BY_NUMBER[raw] ?? String(raw) : String(raw);
    const to = SOLVER_TYPE_NAMES[from];
    if (solver["type"] !== undefined) {
      diagnostics.push(diagnostic("solver-type-conflict", "error", range, { from, type: String(solver["type"]) }));
    } else if (to !== undefined) {
      solver["type"] = to;
      diagnostics.push(diagnostic("upgraded-solver-type", "warning", range, { from, to }));
    }
    delete solver["solver_type"];
  }
  for (const field of ["net_param", "train_net_param"]) {
    const net = solver[field];
    if (net && typeof net === "object") diagnostics.push(...upgradeNet(net as BoundMessage, sourceMap));
  }
  const tests = solver["test_net_param"];
  if (Array.isArray(tests)) for (const net of tests as BoundMessage[]) diagnostics.push(...upgradeNet(net, sourceMap));
  return diagnostics.sort((a, b) => (a.range?.offset ?? 0) - (b.range?.offset ?? 0));
}

const q = (v: unknown): string => `"${String(v)}"`;

/** English for the codes above (render/messages.ts lists this table). */
export const SOLVER_UPGRADE_MESSAGES: Readonly<Record<string, (d: Data) => string>> = {
  "upgraded-solver-type": (d) => `solver_type: ${String(d["from"])} is deprecated; Caffe reads it as type: ${q(d["to"])}.`,
  "solver-type-conflict": (d) =>
    `Both solver_type (${String(d["from"])}) and type (${q(d["type"])}) are set; Caffe refuses the file ("old solver_type field (enum) and new type field (string) cannot be both specified").`,
};
