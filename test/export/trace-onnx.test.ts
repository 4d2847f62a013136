/**
 * A built Net is an ordinary torch.nn.Module: torch.jit.trace follows its forward and
 * torch.onnx.export writes it, for every golden net that exports today, with its golden weights.
 * All models run in ONE Python process (run_models.py).
 *
 * ONNX: PyTorch 1.13's torch.onnx.export serialises the model itself and does not need the
 * `onnx` package, which Debian's image lacks; the bytes are written to memory and checked for
 * the names of the net's inputs and outputs. Checking the graph itself (onnx.checker, running it)
 * would need the `onnx` package or a runtime, so it is not done here.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { EXPORTED_GOLDEN_CASES, graphOf, runModels, writeExport, type ModelsReport } from "./support.js";

/** One Python process for eight nets (mobilenet_v2 traces and exports in ~4 s). */
const TIMEOUT_MS = 180_000;

let dir: string | undefined;

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Exports every case with its weights and runs them all once. */
let pending: Promise<ModelsReport> | undefined;

/** Every model in one Python run, started once (the tests share it). */
function runAll(): Promise<ModelsReport> {
  if (pending !== undefined) return pending;
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-trace-"));
  const models = EXPORTED_GOLDEN_CASES.map((name) => {
    const caseDir = join(GOLDEN_DIR, "nets", name);
    const graph = graphOf(readFileSync(join(caseDir, "net.prototxt"), "utf8"), { source: name });
    expect(graph.unsupported, name).toEqual([]);
    const path = writeExport(graph, join(dir!, name), readFileSync(join(caseDir, "weights.caffemodel")));
    return { id: name, path, weights: true, trace: true, onnx: true };
  });
  pending = runModels(models, dir);
  return pending;
}

describe("torch.jit.trace and torch.onnx.export of a built Net", () => {
  for (const name of EXPORTED_GOLDEN_CASES) {
    it.skipIf(skipWithoutTorch)(
      `${name}: the traced module gives exactly the eager outputs, and ONNX export writes a model naming its inputs and outputs`,
      async () => {
        requireTorch();
        const result = (await runAll()).results[name];
        expect(result?.ok ? null : result, `${name} failed`).toBeNull();
        if (!result?.ok) return;
        expect(result.training, "TEST phase: build() returns the net in eval()").toBe(false);
        expect(result.outputs.length).toBe(result.output_names.length);
        expect(result.finite).toBe(true);
        expect(result.trace_equal).toBe(true);
        expect(result.trace_max_diff).toBe(0);
        expect(result.onnx_bytes).toBeGreaterThan(1000);
        expect(result.onnx_names_present).toBe(true);
      },
      TIMEOUT_MS,
    );
  }

  it.skipIf(skipWithoutTorch)(
    "needs no onnx package: torch.onnx.export works without it (whether or not it is installed)",
    async () => {
      requireTorch();
      const r = await runAll();
      const exported = EXPORTED_GOLDEN_CASES.filter((n) => r.results[n]?.ok === true);
      expect(exported).toEqual([...EXPORTED_GOLDEN_CASES]);
      // Recorded so that a run with the package installed is visibly different, not silently so.
      expect(typeof r.onnx_package).toBe("boolean");
    },
    TIMEOUT_MS,
  );
});
