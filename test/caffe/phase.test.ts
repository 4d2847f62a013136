import { describe, expect, it } from "vitest";
import { filterLayer, resolveState, stateMeetsRule } from "../../src/caffe/phase.js";

const state = (phase: "TRAIN" | "TEST", level = 0, stages: string[] = []) => ({ phase, level, stages });

describe("NetState resolution", () => {
  it("defaults to TEST, level 0 and no stages", () => {
    expect(resolveState({})).toEqual({ phase: "TEST", level: 0, stages: [] });
  });
  it("lets the caller's phase override the file's state.phase, as Caffe's Net constructor does", () => {
    expect(resolveState({ state: { phase: "TRAIN" } }, { phase: "TEST" }).phase).toBe("TEST");
    expect(resolveState({ state: { phase: "TRAIN" } }).phase).toBe("TRAIN");
  });
  it("appends the caller's stages to the file's and lets the caller's level win", () => {
    expect(resolveState({ state: { level: 2, stage: ["a"] } }, { stages: ["b"], level: 5 })).toEqual({ phase: "TEST", level: 5, stages: ["a", "b"] });
  });
});

describe("Net::StateMeetsRule", () => {
  it("requires the phase when the rule names one", () => {
    expect(stateMeetsRule(state("TRAIN"), { phase: "TRAIN" })).toBe(true);
    expect(stateMeetsRule(state("TEST"), { phase: "TRAIN" })).toBe(false);
  });
  it("bounds the level inclusively", () => {
    expect(stateMeetsRule(state("TEST", 2), { min_level: 2, max_level: 2 })).toBe(true);
    expect(stateMeetsRule(state("TEST", 1), { min_level: 2 })).toBe(false);
    expect(stateMeetsRule(state("TEST", 3), { max_level: 2 })).toBe(false);
  });
  it("needs ALL stages and NONE of the not_stages", () => {
    expect(stateMeetsRule(state("TEST", 0, ["a", "b"]), { stage: ["a", "b"] })).toBe(true);
    expect(stateMeetsRule(state("TEST", 0, ["a"]), { stage: ["a", "b"] })).toBe(false);
    expect(stateMeetsRule(state("TEST", 0, ["a"]), { not_stage: ["a"] })).toBe(false);
    expect(stateMeetsRule(state("TEST", 0, []), { not_stage: ["a"] })).toBe(true);
  });
  it("is met by an empty rule", () => {
    expect(stateMeetsRule(state("TRAIN"), {})).toBe(true);
  });
});

describe("Net::FilterNet", () => {
  it("keeps a layer without rules", () => {
    expect(filterLayer({}, state("TEST"))).toEqual({ included: true, conflict: false });
  });
  it("keeps a layer with include rules only if one of them matches", () => {
    const layer = { include: [{ phase: "TRAIN" as const }, { stage: ["deploy"] }] };
    expect(filterLayer(layer, state("TRAIN")).included).toBe(true);
    expect(filterLayer(layer, state("TEST", 0, ["deploy"])).included).toBe(true);
    expect(filterLayer(layer, state("TEST")).included).toBe(false);
  });
  it("drops a layer when any exclude rule matches", () => {
    const layer = { exclude: [{ phase: "TEST" as const }, { min_level: 3 }] };
    expect(filterLayer(layer, state("TRAIN")).included).toBe(true);
    expect(filterLayer(layer, state("TEST")).included).toBe(false);
    expect(filterLayer(layer, state("TRAIN", 3)).included).toBe(false);
  });
  it("reports include and exclude on one layer and lets the include rules decide, as FilterNet's loops do", () => {
    const layer = { include: [{ phase: "TRAIN" as const }], exclude: [{ phase: "TRAIN" as const }] };
    expect(filterLayer(layer, state("TRAIN"))).toEqual({ included: true, conflict: true });
    expect(filterLayer(layer, state("TEST"))).toEqual({ included: false, conflict: true });
  });
});
