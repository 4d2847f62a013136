/**
 * Hand-made `verify --net` results for report tests: every layer of a golden net agrees except
 * from one layer on, as a mutated conversion would look. (Until whole-net verify lands on this
 * branch; the merge switches these tests to a real mutated model.)
 */
import type { ReportData } from "../../src/report/model.js";
import type { NetVerification } from "../../src/verify/net-types.js";

/** Layers in order with `diverged` and every layer after it diverged, the rest ok with tiny errors. */
export function verificationDivergingAt(layers: readonly { name: string; type: string; topShapes: ReportData["graph"]["layers"][number]["topShapes"] }[], diverged: string, tolerance = 1e-4): NetVerification {
  const at = layers.findIndex((l) => l.name === diverged);
  if (at < 0) throw new Error(`no layer ${diverged}`);
  return {
    net: "test",
    phase: "TEST",
    tolerance,
    against: "torch-executor",
    layers: layers.map((l, i) => {
      const bad = i >= at;
      const scaled = bad ? 0.3 * (1 + i - at) : 1e-7 * (1 + (i % 5));
      const shape = l.topShapes[0];
      return {
        name: l.name,
        type: l.type,
        shape: shape && shape.every((d) => d !== null) ? (shape as number[]) : null,
        max_abs_error: scaled,
        scaled_error: scaled,
        ok: !bad,
        status: bad ? "diverged" : "ok",
      };
    }),
    first_divergent: diverged,
    cause: { layer: diverged, caffe: "kernel_size: 3", torch: "nn.Conv2d(…)", likely_cause: "a hand-made divergence for the test" },
    ok: false,
  };
}
