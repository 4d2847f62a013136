/**
 * `export --phase train --weights init.caffemodel` on every grad_* recording of BVLC Caffe
 * (../shared/golden/training): in real PyTorch the model reproduces every top Caffe recorded,
 * every loss, Net.loss (the weighted total), every parameter and input gradient after
 * Net.loss().backward(), and with --exact the BatchNorm blobs Caffe updated in the forward; and
 * the first batch of solver_sgd_fixed, whose MemoryData layer becomes the net's input. All cases
 * run in one Python process.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { requireTorch, runPythonJson, skipWithoutTorch } from "../helpers/python.js";

/** |a − b| ≤ TOLERANCE · max(1, max |reference|) for every compared blob. */
const TOLERANCE = 1e-4;

const CHECKER = fileURLToPath(new URL("./check_training.py", import.meta.url));
const TRAINING_DIR = join(GOLDEN_DIR, "training");
const CASES = readdirSync(TRAINING_DIR).filter((name) => name.startsWith("grad_")).sort();
/** Cases whose BatchNorm updates its blobs in the TRAIN forward (batch statistics). */
const BATCH_STATISTICS = ["grad_bn_batch_scale"];
const WITH_BATCH_NORM = ["grad_bn_batch_scale", "grad_bn_frozen"];
/** A solver case fed by MemoryData: its first iteration's forward and backward (exported with --exact). */
const MEMORY_DATA = "solver_sgd_fixed";

interface Compared {
  name: string;
  scaled_error: number;
  max_abs_error?: number;
  missing?: boolean;
  buffer?: boolean;
}

interface Report {
  case: string;
  training: boolean;
  tops: Compared[];
  losses: Compared[];
  grads: Compared[];
  bn: Compared[];
  bn_after_layers: Compared[];
  input_shapes?: Record<string, number[]>;
}

/** The largest scaled error of a list, with its name, for messages. */
function worst(list: Compared[]): Compared {
  return list.reduce((a, b) => (b.scaled_error > a.scaled_error ? b : a), { name: "(none)", scaled_error: 0 });
}

describe.skipIf(skipWithoutTorch)("export --phase train against BVLC Caffe's recorded forward and backward", () => {
  const plain = new Map<string, Report>();
  const exact = new Map<string, Report>();
  let memory: Report;

  beforeAll(() => {
    requireTorch();
    const root = mkdtempSync(join(tmpdir(), "caffe2torch-training-"));
    const runs = [
      ...CASES.map((name) => ({ name, exact: false })),
      ...WITH_BATCH_NORM.map((name) => ({ name, exact: true })),
      { name: MEMORY_DATA, exact: true },
    ];
    const cases = runs.map(({ name, exact: withExact }) => {
      const dir = join(TRAINING_DIR, name);
      const out = join(root, withExact ? `${name}_exact` : name);
      const args = ["export", join(dir, "train.prototxt"), "--phase", "train", "--weights", join(dir, "init.caffemodel"), "-o", out, "-q"];
      const run = runCli(withExact ? [...args, "--exact"] : args);
      expect(run.status, `${name}: ${run.stderr}`).toBe(0);
      return { case: dir, export: out, tag: withExact ? `${name}_exact` : name, first_iteration: name === MEMORY_DATA };
    });
    const casesPath = join(root, "cases.json");
    writeFileSync(casesPath, JSON.stringify(cases));
    const reports = runPythonJson<Report[]>(CHECKER, [casesPath]);
    memory = reports.pop()!;
    runs.slice(0, -1).forEach((run, i) => (run.exact ? exact : plain).set(run.name, reports[i]!));
  }, 300_000);

  it.each(CASES)("%s: every recorded top and loss, Net.loss and every gradient agree", (name) => {
    const report = plain.get(name)!;
    expect(report.training).toBe(true);
    expect(report.tops.filter((t) => t.missing)).toEqual([]);
    for (const kind of ["tops", "losses", "grads"] as const) {
      const w = worst(report[kind]);
      expect(w.scaled_error, `${name} ${kind}: ${w.name}`).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(report.losses.map((l) => l.name)).toContain("total_loss");
    expect(report.grads.length).toBeGreaterThan(0);
  });

  it.each(WITH_BATCH_NORM)("%s with --exact: the BatchNorm blobs after the forward are Caffe's", (name) => {
    const report = exact.get(name)!;
    expect(report.bn.map((b) => b.name)).toEqual(["bn1/0", "bn1/1", "bn1/2"]);
    for (const kind of ["tops", "losses", "grads", "bn", "bn_after_layers"] as const) {
      const w = worst(report[kind]);
      expect(w.scaled_error, `${name} ${kind}: ${w.name}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it("MemoryData (solver_sgd_fixed) is an input [4, 3, 6, 6] with labels [4, 1, 1, 1]: its first batch's loss, gradients and BatchNorm blobs agree", () => {
    expect(memory.input_shapes).toEqual({ data: [4, 3, 6, 6], label: [4, 1, 1, 1] });
    expect(memory.grads.map((g) => g.name)).toEqual(["conv1/0", "conv1/1", "scale1/0", "scale1/1", "ip1/0", "ip1/1"]);
    for (const kind of ["losses", "grads", "bn"] as const) {
      const w = worst(memory[kind]);
      expect(w.scaled_error, `${MEMORY_DATA} ${kind}: ${w.name}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it("plain nn.BatchNorm (momentum 1 − moving_average_fraction) lags Caffe's statistics; frozen ones stay as loaded", () => {
    for (const name of BATCH_STATISTICS) expect(worst(plain.get(name)!.bn).scaled_error, name).toBeGreaterThan(1e-3);
    expect(worst(plain.get("grad_bn_frozen")!.bn).scaled_error).toBeLessThanOrEqual(TOLERANCE);
  });
});
