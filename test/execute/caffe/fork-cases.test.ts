/**
 * The detection and OCR fork layers on the tops worked out by hand in test/export/fork-layer-cases.ts
 * (PriorBox, Normalize, DetectionOutput, ROIPooling, PSROIPooling, Lstm, CTCGreedyDecoder; the
 * reasoning sits beside each value there), and Permute, Reverse and Transpose on small cases here.
 */
import { describe, expect, it } from "vitest";
import { buildNet } from "../../../src/caffe/net.js";
import { executeNet } from "../../../src/execute/net.js";
import type { Blob } from "../../../src/execute/types.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import { readNet } from "../../../src/schema/read.js";
import { CASES, type Nested } from "../../export/fork-layer-cases.js";
import { blob, layer, run, values } from "./run-net.js";

const flat = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n]);
const shapeOf = (n: Nested): number[] => (Array.isArray(n) ? [n.length, ...shapeOf(n[0]!)] : []);
/** float32 arithmetic against double hand values near 1. */
const TOL = 2e-6;

/** The blobs of a case's layer from its state (torch keys; the same values in Caffe's layout). */
function blobsOf(layerName: string, type: string, state: Record<string, Nested>): Blob[] {
  const get = (k: string): Blob => {
    const v = state[`${layerName}.${k}`]!;
    return blob(shapeOf(v), flat(v));
  };
  if (type === "Normalize") return [get("weight")];
  if (type === "Lstm") return [get("weight_i"), get("weight_h"), get("bias")];
  return [];
}

function runCase(c: (typeof CASES)[number]) {
  const read = readNet(c.net, { allowUnknown: true, upgrade: true });
  const model = buildNet(read.net as NetParameter, { phase: "TEST" }, read.sourceMap);
  const inputs = new Map<string, Blob>();
  for (const l of model.layers.filter((x) => x.type === "Input")) {
    const shape = (l.param.input_param?.shape?.[0]?.dim ?? []).map(Number);
    const given = c.inputs[l.tops[0]!];
    // Only the hand-worked layers are checked here; their inputs are literal (PriorBox reads shapes only).
    inputs.set(l.tops[0]!, Array.isArray(given) ? blob(shape, flat(given)) : blob(shape));
  }
  const weights = new Map<string, Blob[]>();
  for (const l of model.layers) if (c.state && Object.keys(c.state).some((k) => k.startsWith(`${l.name}.`))) weights.set(l.name, blobsOf(l.name, l.type, c.state));
  return executeNet(model, inputs, weights, { sourceMap: read.sourceMap });
}

describe("the hand-worked fork cases", () => {
  it.each(CASES.filter((c) => c.hand).map((c) => [c.name, c] as const))("%s", (_, c) => {
    const result = runCase(c);
    for (const [name, expected] of Object.entries(c.hand!)) {
      const l = result.layers.find((x) => x.name === name);
      expect(l, `${name} ran (${JSON.stringify(result.error)})`).toBeDefined();
      const got = l!.tops[0]!;
      expect(got.shape, `${name} shape`).toEqual(shapeOf(expected).length === 0 ? [] : shapeOf(expected));
      flat(expected).forEach((e, i) => expect(Math.abs(got.data[i]! - e), `${name}[${i}]`).toBeLessThanOrEqual(TOL));
    }
  });
});

describe("Permute", () => {
  it("puts the written axes first and the others after in order: order {2} of [1, 2, 3] is [2, 0, 1]", () => {
    const r = run([layer("p", "Permute", ["x"], "permute_param { order: 2 }")], { x: blob([1, 2, 3], [0, 1, 2, 3, 4, 5]) });
    expect(r.top("p").shape).toEqual([3, 1, 2]);
    expect(values(r.top("p"))).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it("shares the bottom's values for the natural order, and refuses a repeated axis", () => {
    const x = blob([2, 2], [1, 2, 3, 4]);
    expect(run([layer("p", "Permute", ["x"], "permute_param { order: 0 order: 1 }")], { x }).top("p").data).toBe(x.data);
    expect(run([layer("p", "Permute", ["x"], "permute_param { order: 1 order: 1 }")], { x }).error).toMatchObject({ code: "permute-duplicate-order" });
  });
});

describe("Reverse and Transpose", () => {
  const x = blob([2, 3], [1, 2, 3, 4, 5, 6]);
  it("Reverse flips the blocks along its axis within each slice before it", () => {
    expect(values(run([layer("r", "Reverse", ["x"], "reverse_param { axis: 0 }")], { x }).top("r"))).toEqual([4, 5, 6, 1, 2, 3]);
    expect(values(run([layer("r", "Reverse", ["x"], "reverse_param { axis: 1 }")], { x }).top("r"))).toEqual([3, 2, 1, 6, 5, 4]);
  });
  it("Transpose puts bottom axis dim[i] at top axis i; both refuse to run in place", () => {
    const t = run([layer("t", "Transpose", ["x"], "transpose_param { dim: 1 dim: 0 }")], { x }).top("t");
    expect(t.shape).toEqual([3, 2]);
    expect(values(t)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(run([layer("t", "Transpose", ["x"], "transpose_param { dim: 1 dim: 0 }", ["x"])], { x }).error).toMatchObject({ code: "in-place-not-allowed" });
    expect(run([layer("r", "Reverse", ["x"], "", ["x"])], { x }).error).toMatchObject({ code: "in-place-not-allowed" });
  });
});

describe("Lstm", () => {
  it("with a continuation bottom uses the forget gate and h(t−1) only where it is non-zero", () => {
    // One unit, one input; W_i = (1, 2, 3, 4) for gates i, f, o, g, W_h = ½, no bias; x = (1, −1) over two steps.
    const lines = [layer("l", "Lstm", ["x", "cont"], "lstm_param { num_output: 1 }")];
    const weights = { l: [blob([4, 1], [1, 2, 3, 4]), blob([4, 1], [0.5, 0.5, 0.5, 0.5]), blob([4], [0, 0, 0, 0])] };
    const x = blob([2, 1, 1], [1, -1]);
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const c0 = s(1) * Math.tanh(4);
    const h0 = s(3) * Math.tanh(c0);
    // Step 2 cut off (cont 0): no h0·W_h, forget gate 0: c = σ(−1)·tanh(−4).
    const cut = run(lines, { x, cont: blob([2, 1], [1, 0]) }, weights).top("l");
    expect(values(cut)[0]).toBeCloseTo(h0, 6);
    expect(values(cut)[1]).toBeCloseTo(s(-3) * Math.tanh(s(-1) * Math.tanh(-4)), 6);
    // Continued (cont 1): the same as without the bottom (the fork's hand case: −0.01348630228547303).
    const on = run(lines, { x, cont: blob([2, 1], [1, 1]) }, weights).top("l");
    expect(values(on)[1]).toBeCloseTo(-0.01348630228547303, 6);
  });
});
