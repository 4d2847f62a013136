import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { multistepCounts, rateSchedule } from "../../src/solver/policies.js";
import { isLrPolicy } from "../../src/solver/settings.js";
import { goldenCase, settingsOf, TRAINING } from "./support.js";

const CASES = readdirSync(TRAINING).filter((d) => d.startsWith("solver_")).sort();

describe("Caffe's learning-rate policies", () => {
  it.each(CASES)("%s: gives the lr Caffe recorded in every iteration, bit for bit", (name) => {
    const { solver, record } = goldenCase(name);
    const s = settingsOf(solver);
    if (!isLrPolicy(s.lrPolicy)) throw new Error(s.lrPolicy);
    const rates = rateSchedule(s.lrPolicy, s, record.iterations.length);
    expect(rates).toEqual(record.iterations.map((it) => it.lr));
  });

  it("reads the settings Caffe computes with: float32 values and the schema's defaults", () => {
    const s = settingsOf('net: "n"\nbase_lr: 0.05\nmomentum: 0.9\nlr_policy: "fixed"\n');
    expect(s.momentum).toBe(Math.fround(0.9));
    expect(s.written["momentum"]).toBe(0.9);
    expect([s.type, s.iterSize, s.clipGradients, s.regularizationType]).toEqual(["SGD", 1, -1, "L2"]);
    expect([s.delta, s.momentum2, s.rmsDecay]).toEqual([Math.fround(1e-8), Math.fround(0.999), Math.fround(0.99)]);
    const { record } = goldenCase("solver_adam_sigmoid");
    const adam = settingsOf(goldenCase("solver_adam_sigmoid").solver);
    expect([adam.baseLr, adam.gamma, adam.momentum, adam.momentum2, adam.delta]).toEqual(
      ["base_lr", "gamma", "momentum", "momentum2", "delta"].map((k) => record.solver_effective[k]),
    );
  });

  it("advances multistep by at most one step per iteration, as Caffe's counter does", () => {
    expect(multistepCounts([2, 4], 6)).toEqual([0, 0, 1, 1, 2, 2]);
    // Repeated or unsorted stepvalues lag behind "the number of stepvalues <= k".
    expect(multistepCounts([1, 1, 1], 5)).toEqual([0, 1, 2, 3, 3]);
    expect(multistepCounts([5, 2], 7)).toEqual([0, 0, 0, 0, 0, 1, 2]);
  });

  it("matches the recorded multistep counter (current_step) of solver_sgd_multistep_l1", () => {
    const { solver, record } = goldenCase("solver_sgd_multistep_l1");
    const s = settingsOf(solver);
    expect(multistepCounts(s.stepvalue, record.iterations.length)).toEqual(record.iterations.map((it) => it.current_step));
  });
});
