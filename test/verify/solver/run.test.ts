/**
 * verify --solver's run: the plain mapping drifts from Caffe exactly where `solver` says it
 * differs, --exact never does, and a wrong mapping — an exact optimizer with a broken rule, or a
 * difference the plan forgets to report — makes the run fail.
 */
import { describe, expect, it } from "vitest";
import type { SolverPlan } from "../../../src/solver/plan.js";
import { verifySolver } from "../../../src/verify/solver/run.js";
import { goldenCase, planOf, settingsOf } from "../../solver/support.js";

const OPTIONS = { iterations: 15, seed: 3, valuesPerBlob: 32 };

function run(name: string, change: (plan: SolverPlan) => SolverPlan = (p) => p, iterations = OPTIONS.iterations) {
  const { solver, net } = goldenCase(name);
  return verifySolver(change(planOf(solver, net)), settingsOf(solver), { ...OPTIONS, iterations });
}

describe("verify --solver on seeded gradients", () => {
  it("shows SGD's plain momentum drifting from the first lr change on, and --exact staying within float32's bound", () => {
    const r = run("solver_sgd_step");
    expect(r.lr_changes).toEqual([5, 10]);
    expect(r.plain.claim).toBe("differs");
    expect(r.plain.first_beyond).toBe(5);
    // Before the change the plain mapping is Caffe's update up to rounding; after it, a visible fraction of the weights.
    expect(Math.max(...r.rows.slice(0, 5).map((x) => x.plain.error))).toBeLessThan(1e-7);
    expect(r.rows[14]!.plain.error).toBeGreaterThan(1e-2);
    expect(r.exact.first_beyond).toBeNull();
    expect(r.exact.max_error).toBeLessThan(1e-7);
    expect(r.ok).toBe(true);
  });

  it("runs every parameter group and the frozen blobs, which stay as they were on every side", () => {
    const r = run("solver_sgd_step");
    expect(r.groups.map((g) => [g.lr_mult, g.decay_mult, g.blobs.length])).toEqual([
      [1, 1, 3],
      [2, 0, 2],
      [0.5, 2, 1],
    ]);
    expect(r.groups.every((g) => g.plain_first_beyond === 5 && g.exact_first_beyond === null)).toBe(true);
    expect(r.frozen_unchanged).toBe(true);
  });

  it.each(["solver_sgd_fixed", "solver_adagrad_poly", "solver_rmsprop_exp", "solver_adadelta"])(
    "%s: the plain mapping, claimed equal, agrees in every iteration",
    (name) => {
      const r = run(name);
      expect(r.plain.claim).toBe("equal");
      expect(r.plain.first_beyond).toBeNull();
      expect(r.exact.first_beyond).toBeNull();
      expect(r.ok).toBe(true);
    },
  );

  it("shows Nesterov drifting from iteration 1 under an lr that changes every iteration (inv)", () => {
    const r = run("solver_nesterov_inv");
    expect(r.plain.first_beyond).toBe(1);
    expect(r.exact.first_beyond).toBeNull();
  });

  it("shows Adam's epsilon placement where gradients are near delta (plain), not with --exact", () => {
    const r = run("solver_adam_sigmoid");
    expect(r.plain.first_beyond).toBe(0);
    expect(r.plain.max_error).toBeGreaterThan(1e-5);
    expect(r.exact.first_beyond).toBeNull();
  });

  it("fails when the --exact optimizer's rule is wrong (momentum 0.99 for 0.9)", () => {
    const r = run("solver_sgd_fixed", (p) => ({ ...p, optimizer: { ...p.optimizer, exactKwargs: { ...p.optimizer.exactKwargs, momentum: 0.99 } } }));
    expect(r.exact.failed).toBe(true);
    expect(r.ok).toBe(false);
  });

  it("fails when the plan calls the plain mapping equal where it is not (the lr-scaled momentum left unreported)", () => {
    const r = run("solver_sgd_step", (p) => ({ ...p, differences: p.differences.filter((d) => d.code !== "momentum-lr-scaled") }));
    expect(r.plain.claim).toBe("equal");
    expect(r.plain.failed).toBe(true);
    expect(r.ok).toBe(false);
  });

  it("is deterministic for a seed and changes with it", () => {
    expect(run("solver_sgd_step").rows).toEqual(run("solver_sgd_step").rows);
    const { solver, net } = goldenCase("solver_sgd_step");
    const other = verifySolver(planOf(solver, net), settingsOf(solver), { ...OPTIONS, seed: 4 });
    expect(other.rows[14]!.plain.error).not.toBe(run("solver_sgd_step").rows[14]!.plain.error);
  });
});
