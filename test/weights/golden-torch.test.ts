/**
 * The emitted module and its .safetensors file under real PyTorch (Debian's 1.13, no safetensors
 * package, so our numpy reader is what loads the file): build() loads the weights beside the module
 * and every block, in eval(), reproduces the outputs Caffe recorded for trained_small.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { emitPython } from "../../src/emit/python.js";
import { planModules } from "../../src/emit/python-plan.js";
import { compare } from "../../src/numeric/compare.js";
import type { AttachedWeights } from "../../src/weights/attach.js";
import { safetensorsBytes } from "../../src/weights/safetensors.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { useTorchSession } from "../helpers/torch-session.js";
import { convertWithWeights, trainedTrace } from "./support.js";

/** Agreement required with every recorded block output, as |a − b| / max(1, |b|) (issue 6). */
const BLOCK_TOLERANCE = 1e-5;

const RUNNER = fileURLToPath(new URL("./run_blocks.py", import.meta.url));
/** A stand-in safetensors package (the real one is not in Debian), to take the package branch. */
const FAKE_SAFETENSORS = fileURLToPath(new URL("./fake_safetensors", import.meta.url));
/** The cases of this file in one Python (torch imported once)... */
const python = useTorchSession();
/** ...but the stand-in package gets a Python of its own, so no other case can import it. */
const withFakeSafetensors = useTorchSession({ env: { PYTHONPATH: FAKE_SAFETENSORS } });

interface BlocksRun {
  weights_file: string;
  safetensors_package: boolean;
  training: Record<string, boolean>;
  outputs: { key: string; shape: number[]; data: number[] }[];
}

/** Writes model.py and model.safetensors into a fresh directory; returns the module's path. */
function writeModel(out: AttachedWeights, exact: boolean, withWeights = true): string {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-weights-"));
  writeFileSync(join(dir, "model.py"), emitPython(out.result, { exact }));
  if (withWeights) writeFileSync(join(dir, "model.safetensors"), safetensorsBytes(out.state, out.metadata));
  return join(dir, "model.py");
}

/** Every recorded block input, keyed by the module key of its BatchNorm. */
function cases(out: AttachedWeights) {
  const keys = new Map(planModules(out.result).map((p) => [p.block.batchnorm, p.key]));
  return trainedTrace().eval.batches.flatMap((batch, b) =>
    Object.entries(batch.bn).map(([bn, rec]) => ({ b, bn, key: keys.get(bn)!, input: rec.bottom, expected: rec.block_output })),
  );
}

describe.each([false, true])("the emitted module (exact: %s) with its safetensors file in PyTorch", (exact) => {
  const converted = convertWithWeights({ exact });
  const all = cases(converted);

  it.skipIf(skipWithoutTorch)("build() loads the file beside it and reproduces every recorded block output", async () => {
    requireTorch();
    const module = writeModel(converted, exact);
    const run = await python.call<BlocksRun>(RUNNER, "blocks", [module, all.map((c) => ({ key: c.key, shape: c.input.shape, data: c.input.data }))]);
    expect(run.weights_file).toBe(join(module, "..", "model.safetensors"));
    expect(Object.values(run.training)).toEqual([false, false, false]);
    expect(run.outputs).toHaveLength(6);
    all.forEach((c, i) => {
      const result = compare(run.outputs[i]!, c.expected);
      expect(result.shapeMismatch, `batch ${c.b} ${c.bn}`).toBe(false);
      expect(result.maxError, `batch ${c.b} ${c.bn}`).toBeLessThanOrEqual(BLOCK_TOLERANCE);
    });
  });

  it.skipIf(skipWithoutTorch)("restores exactly the state that was written, caffe_scale_factor only with exact", async () => {
    requireTorch();
    const state = await python.call<Record<string, number[]>>(RUNNER, "state", [writeModel(converted, exact)]);
    expect(Object.keys(state).sort()).toEqual([...converted.state.keys()].sort());
    for (const [key, tensor] of converted.state) expect(state[key]).toEqual(Array.from(tensor.data, Number));
  });
});

describe("build(weights) in PyTorch", () => {
  const plain = convertWithWeights();
  const exact = convertWithWeights({ exact: true });

  it.skipIf(skipWithoutTorch)("without a file beside it builds PyTorch's initial state, as without weights", async () => {
    requireTorch();
    const state = await python.call<Record<string, number[]>>(RUNNER, "state", [writeModel(plain, false, false)]);
    expect(state["bn1.running_mean"]).toEqual(new Array(8).fill(0));
    expect(state["bn1.running_var"]).toEqual(new Array(8).fill(1));
  });

  it.skipIf(skipWithoutTorch)("loads a file given by path", async () => {
    requireTorch();
    const elsewhere = writeModel(plain, false);
    const state = await python.call<Record<string, number[]>>(RUNNER, "state", [writeModel(plain, false, false), join(elsewhere, "..", "model.safetensors")]);
    expect(state["bn2.running_var"]).toEqual(Array.from(plain.state.get("bn2.running_var")!.data, Number));
  });

  it.skipIf(skipWithoutTorch)("uses the safetensors package's safe_open when it is installed", async () => {
    requireTorch();
    const module = writeModel(plain, false);
    const state = await withFakeSafetensors.call<Record<string, number[] | number>>(RUNNER, "state", [module]);
    expect(state["__safetensors_calls__"]).toBe(1);
    expect(state["bn1.running_mean"]).toEqual(Array.from(plain.state.get("bn1.running_mean")!.data));
  });

  it.skipIf(skipWithoutTorch)("raises FileNotFoundError for a path that does not exist", async () => {
    requireTorch();
    const module = writeModel(plain, false);
    const error = await python.call<{ type: string; message: string }>(RUNNER, "error", [module, "/nonexistent/model.safetensors"]);
    expect(error).toEqual({ type: "FileNotFoundError", message: "[Errno 2] No such file or directory: '/nonexistent/model.safetensors'" });
  });

  it.skipIf(skipWithoutTorch)("refuses, naming the Caffe layer, a file whose keys do not fit the modules", async () => {
    requireTorch();
    const exactFile = join(writeModel(exact, true), "..", "model.safetensors");
    const error = await python.call<{ type: string; message: string }>(RUNNER, "error", [writeModel(plain, false, false), exactFile]);
    expect(error.type).toBe("RuntimeError");
    expect(error.message).toContain("cannot load module 'bn1' (Caffe layer 'bn1')");
    expect(error.message).toContain("caffe_scale_factor");
  });
});
