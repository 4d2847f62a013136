import { describe, expect, it } from "vitest";
import { compareLayers, divergenceNote, firstDivergent, type ReferenceLayer } from "../../../src/verify/net/compare.js";
import type { SideRecords } from "../../../src/verify/net/records.js";

const top = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });
const ref = (name: string, type: string, ...tops: ReturnType<typeof top>[]): ReferenceLayer => ({ name, type, tops });
const side = (layers: [string, ReturnType<typeof top>[]][], error: SideRecords["error"] = null): SideRecords => ({ layers: layers.map(([name, tops]) => ({ name, tops })), error });

describe("compareLayers", () => {
  it("scales the largest |Δ| by max(1, max |caffe|) and passes within the tolerance", () => {
    const d = 2 ** -20; // exact in float32
    const reference = [ref("a", "ReLU", top([2], [0.5, -0.25])), ref("b", "ReLU", top([2], [100, -200]))];
    const candidate = side([["a", [top([2], [0.5, -0.25 + d])]], ["b", [top([2], [100, -200 - 2 ** -7])]]]);
    const [small, large] = compareLayers(reference, candidate, 1e-5);
    // Values below 1 are compared absolutely: scale max(1, 0.5) = 1.
    expect(small).toMatchObject({ status: "ok", ok: true, shape: [2], max_abs_error: d, scaled_error: d });
    // Large values relative to the largest: 2⁻⁷ / 200 = 3.9e-5.
    expect(large).toMatchObject({ status: "diverged", max_abs_error: 2 ** -7, scaled_error: 2 ** -7 / 200 });
    expect(compareLayers(reference, candidate, 1e-4)[1]!.status).toBe("ok");
  });

  it("fails a layer whose values differ by more than the tolerance, and names it first", () => {
    const checks = compareLayers([ref("a", "ReLU", top([1], [1])), ref("b", "ReLU", top([1], [1])), ref("c", "ReLU", top([1], [1]))], side([["a", [top([1], [1])]], ["b", [top([1], [1.1])]], ["c", [top([1], [2])]]]), 1e-5);
    expect(checks.map((c) => c.status)).toEqual(["ok", "diverged", "diverged"]);
    expect(firstDivergent(checks)).toBe("b");
  });

  it("requires equal shapes: a different shape diverges without an error value", () => {
    const [c] = compareLayers([ref("p", "Pooling", top([1, 1, 2, 2], [1, 2, 3, 4]))], side([["p", [top([1, 1, 1, 1], [4])]]]), 1);
    expect(c).toMatchObject({ status: "diverged", ok: false, max_abs_error: null, scaled_error: null });
    expect(divergenceNote(c!)).toBe("PyTorch: 1×1×1×1");
  });

  it("requires ArgMax tops to be exact, whatever the tolerance", () => {
    const [c] = compareLayers([ref("am", "ArgMax", top([2], [3, 1]))], side([["am", [top([2], [3, 2])]]]), 10);
    expect(c).toMatchObject({ status: "diverged", max_abs_error: 1 });
  });

  it("counts NaN on one side as an infinite difference, and NaN on both as equal", () => {
    const checks = compareLayers([ref("a", "Log", top([1], [NaN])), ref("b", "Log", top([1], [1]))], side([["a", [top([1], [NaN])]], ["b", [top([1], [NaN])]]]), 1e-5);
    expect(checks.map((c) => c.status)).toEqual(["ok", "diverged"]);
    expect(checks[1]!.max_abs_error).toBeNull();
  });

  it("compares a top recorded as samples and statistics on the samples, mean and mean square", () => {
    const sampled: ReferenceLayer = { name: "s", type: "ReLU", tops: [{ shape: [4], samples: { index: [0, 3], value: [1, 4] }, stats: { sum: 10, sq_sum: 30, min: 1, max: 4 } }] };
    expect(compareLayers([sampled], side([["s", [top([4], [1, 2, 3, 4])]]]), 1e-6)[0]!.status).toBe("ok");
    // Same samples, other values between them: the mean gives it away.
    expect(compareLayers([sampled], side([["s", [top([4], [1, 5, 3, 4])]]]), 1e-6)[0]!.status).toBe("diverged");
  });

  it("leaves a layer without tops unchecked but fine", () => {
    expect(compareLayers([ref("silence", "Silence")], side([]), 1e-5)[0]).toMatchObject({ status: "unchecked", ok: true, shape: null });
  });

  it("charges a failure to the first layer the candidate did not record, and leaves the rest unchecked", () => {
    const checks = compareLayers([ref("a", "ReLU", top([1], [1])), ref("b", "ReLU", top([1], [1])), ref("c", "ReLU", top([1], [1]))], side([["a", [top([1], [1])]]], { layer: "b", message: "boom" }), 1e-5);
    expect(checks.map((c) => `${c.status}/${String(c.ok)}`)).toEqual(["ok/true", "diverged/false", "unchecked/false"]);
    expect(divergenceNote(checks[1]!)).toBe("failed: boom");
  });

  it("diverges at a layer the candidate never records, and at a different top count", () => {
    const checks = compareLayers([ref("a", "Slice", top([1], [1]), top([1], [2])), ref("b", "ReLU", top([1], [1]))], side([["a", [top([1], [1])]]]), 1e-5);
    expect(checks.map((c) => c.status)).toEqual(["diverged", "diverged"]);
  });
});
