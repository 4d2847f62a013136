/**
 * Solver parity in real PyTorch (issue 15 part 4): for every ../shared/golden/training/solver_*
 * case, the solver.py `caffe2torch solver` emits (plain and --exact), started from the case's
 * initial weights, reproduces Caffe's parameters after every iteration — or, for the plain
 * mapping, differs exactly where its JSON says it does. One Python process runs every case, three
 * ways (check_solver_golden.py): on Caffe's recorded gradients (Solver.apply_update), on a
 * hand-written torch module of the cases' net fed the recorded data (Solver.step), and on the model
 * `export --phase train` writes once it has Net.loss (skipped, with the reason, until then).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { requireTorch, runPythonJson, skipWithoutTorch } from "../helpers/python.js";

const CHECKER = fileURLToPath(new URL("./check_solver_golden.py", import.meta.url));
const TRAINING = join(GOLDEN_DIR, "training");
/** The bound: |Δ| ≤ 1e-4 · max(1, max |reference|) per parameter, every iteration. */
const TOLERANCE = 1e-4;

const CASES = readdirSync(TRAINING).filter((d) => d.startsWith("solver_")).sort();

interface Run {
  errors: number[];
  where: (string | null)[];
  loss_errors?: number[];
}
interface ModeReport {
  lr_exact: boolean;
  gradients: Run;
  module: Run;
  model: Run | { skipped: string };
}
interface CaseReport {
  case: string;
  iterations: number;
  modes: { plain: ModeReport; exact: ModeReport };
}
interface PlanJson {
  differences: { code: string; status: string; data: Record<string, unknown> }[];
}

const firstAbove = (errors: number[]): number | null => {
  const k = errors.findIndex((e) => e > TOLERANCE);
  return k === -1 ? null : k;
};

describe.skipIf(skipWithoutTorch)("solver parity with Caffe's recorded training (real PyTorch)", () => {
  const reports = new Map<string, CaseReport>();
  const plans = new Map<string, PlanJson>();

  beforeAll(() => {
    requireTorch();
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-solver-"));
    const cases = CASES.map((name) => {
      const caseDir = join(TRAINING, name);
      const modes: Record<string, { solver: string; plan: string }> = {};
      for (const mode of ["plain", "exact"]) {
        const flags = mode === "exact" ? ["--exact"] : [];
        const solver = join(dir, `${name}_${mode}.py`);
        const plan = join(dir, `${name}_${mode}.json`);
        for (const [out, format] of [[solver, "python"], [plan, "json"]] as const) {
          const r = runCli(["solver", join(caseDir, "solver.prototxt"), ...flags, "--format", format, "-o", out]);
          if (r.status !== 0) throw new Error(`solver ${name} ${mode} ${format}: ${r.stderr}`);
        }
        modes[mode] = { solver, plan };
      }
      const model = join(dir, `${name}_model`);
      const exported = runCli(["export", join(caseDir, "train.prototxt"), "--phase", "train", "--weights", join(caseDir, "init.caffemodel"), "--exact", "-o", model, "-q"]);
      return { case: caseDir, modes, model: exported.status === 0 ? model : null, model_skipped: exported.stderr.split("\n")[0] };
    });
    writeFileSync(join(dir, "cases.json"), JSON.stringify(cases));
    for (const r of runPythonJson<CaseReport[]>(CHECKER, [join(dir, "cases.json")])) reports.set(r.case, r);
    for (const [i, name] of CASES.entries()) plans.set(name, JSON.parse(readFileSync(cases[i]!.modes["plain"]!.plan, "utf8")) as PlanJson);
  });

  it("covers every solver case of the golden training set", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(9);
    expect([...reports.keys()].sort()).toEqual(CASES);
  });

  it.each(CASES)("%s: the lr policy gives Caffe's recorded lr bit for bit, in both mappings", (name) => {
    const r = reports.get(name)!;
    expect(r.modes.plain.lr_exact).toBe(true);
    expect(r.modes.exact.lr_exact).toBe(true);
  });

  it.each(CASES)("%s: --exact matches every parameter after every iteration, on Caffe's gradients and trained end to end", (name) => {
    const exact = reports.get(name)!.modes.exact;
    const runs: [string, Run | { skipped: string }][] = [["gradients", exact.gradients], ["module", exact.module], ["model", exact.model]];
    for (const [driver, run] of runs) {
      if ("skipped" in run) continue;
      expect(Math.max(...run.errors), `${driver}: worst at ${run.where[run.errors.indexOf(Math.max(...run.errors))]}`).toBeLessThanOrEqual(TOLERANCE);
      expect(run.errors).toHaveLength(reports.get(name)!.iterations);
      if (run.loss_errors) expect(Math.max(...run.loss_errors)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it.each(CASES)("%s: the plain mapping matches, or departs exactly at the iteration its JSON names", (name) => {
    const plain = reports.get(name)!.modes.plain;
    // The differences that take effect at a known iteration (the first lr change under momentum).
    const timed = plans.get(name)!.differences.filter((d) => d.status === "differs" && typeof d.data["first"] === "number");
    const predicted = timed.length === 0 ? null : Math.min(...timed.map((d) => d.data["first"] as number));
    for (const run of [plain.gradients, plain.module]) expect(firstAbove(run.errors)).toBe(predicted);
    if (predicted !== null) expect(Math.max(...plain.gradients.errors.slice(0, predicted), 0)).toBeLessThanOrEqual(TOLERANCE);
    console.info(`${name}: plain max error ${Math.max(...plain.gradients.errors).toExponential(1)} (recorded gradients), ${Math.max(...plain.module.errors).toExponential(1)} (trained); first above 1e-4: ${String(predicted)}`);
  });

  it("trains the exported model (Net.loss, backward, the emitted --exact Solver) as Caffe did, every parameter after every iteration", () => {
    for (const [name, r] of reports) {
      const model = r.modes.exact.model;
      expect("skipped" in model ? model.skipped : null, name).toBeNull();
      if ("skipped" in model) continue;
      expect(model.errors).toHaveLength(r.iterations);
      expect(Math.max(...model.errors), name).toBeLessThanOrEqual(TOLERANCE);
      if (model.loss_errors) expect(Math.max(...model.loss_errors), name).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});
