/**
 * `verify --net --torch`: writes each model to check (model.py, model.safetensors, the inputs) into
 * a temporary folder and runs them all in ONE Python process (src/verify/net/torch-runner.ts), then
 * reads every layer's tops back. Python is `$PYTHON`, else /usr/bin/python3.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TorchGraph } from "../../convert/torch-graph.js";
import type { SideRecords, TopValues } from "../../verify/net/records.js";
import { runnerRecords, TORCH_RUNNER_PY, type RunnerFatal, type RunnerResult } from "../../verify/net/torch-runner.js";
import { safetensorsBytes, type SafetensorsTensor } from "../../weights/safetensors.js";
import { CliError } from "../io-types.js";

/** The Python that runs the models when $PYTHON is not set (the one with torch on our machines). */
export const DEFAULT_PYTHON = "/usr/bin/python3";

/** One model to run: its graph (to place a failure), its model.py text, its state and the inputs. */
export interface TorchModelJob {
  graph: TorchGraph;
  source: string;
  tensors: ReadonlyMap<string, SafetensorsTensor>;
  inputs: ReadonlyMap<string, TopValues>;
}

interface Prepared {
  dir: string;
  runner: string;
  jobsFile: string;
  outputs: string[];
}

function prepare(jobs: readonly TorchModelJob[]): Prepared {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-verify-net-"));
  const runner = join(dir, "runner.py");
  writeFileSync(runner, TORCH_RUNNER_PY);
  const outputs: string[] = [];
  const list = jobs.map((job, i) => {
    const model = join(dir, `model${i}`);
    mkdirSync(model);
    writeFileSync(join(model, "model.py"), job.source);
    writeFileSync(join(model, "model.safetensors"), safetensorsBytes(job.tensors));
    const inputs = new Map<string, SafetensorsTensor>([...job.inputs].map(([blob, v]) => [blob, { dtype: "F32", shape: [...v.shape], data: v.data }]));
    const inputsFile = join(model, "inputs.safetensors");
    writeFileSync(inputsFile, safetensorsBytes(inputs));
    const output = join(model, "tops.safetensors");
    outputs.push(output);
    return { export: model, inputs: inputsFile, output };
  });
  const jobsFile = join(dir, "jobs.json");
  writeFileSync(jobsFile, JSON.stringify(list));
  return { dir, runner, jobsFile, outputs };
}

function finish(prepared: Prepared, jobs: readonly TorchModelJob[], python: string, run: { status: number | null; stdout: string; stderr: string; error?: Error }): SideRecords[] {
  try {
    if (run.error) {
      const code = (run.error as NodeJS.ErrnoException).code;
      throw new CliError(code === "ENOENT" ? `--torch needs Python with PyTorch: ${python} does not exist (set $PYTHON to one that has torch)` : `--torch: cannot run ${python}: ${run.error.message}`);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(run.stdout);
    } catch {
      throw new CliError(`--torch: ${python} failed (exit ${String(run.status)}): ${run.stderr.trim().split("\n").slice(-3).join(" | ") || "no output"}`);
    }
    if (!Array.isArray(answer)) {
      const fatal = answer as RunnerFatal;
      throw new CliError(`--torch needs PyTorch, and ${python} cannot import it (${fatal.fatal}); install torch for it or set $PYTHON to a Python that has it`);
    }
    return (answer as RunnerResult[]).map((result, i) => {
      const output = prepared.outputs[i]!;
      return runnerRecords(result, existsSync(output) ? readFileSync(output) : null, jobs[i]!.graph);
    });
  } finally {
    rmSync(prepared.dir, { recursive: true, force: true });
  }
}

const ENV = { PYTHONDONTWRITEBYTECODE: "1", PYTHONIOENCODING: "utf-8", OMP_NUM_THREADS: "1" };

/** Runs every job in one Python process, blocking; each job's records in order. */
export function runTorchJobs(jobs: readonly TorchModelJob[], python: string): SideRecords[] {
  const prepared = prepare(jobs);
  const run = spawnSync(python, [prepared.runner, prepared.jobsFile], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, ...ENV } });
  return finish(prepared, jobs, python, { status: run.status, stdout: run.stdout ?? "", stderr: run.stderr ?? "", ...(run.error ? { error: run.error } : {}) });
}

/** {@link runTorchJobs} without blocking the event loop (tests run it beside others). */
export function runTorchJobsAsync(jobs: readonly TorchModelJob[], python: string): Promise<SideRecords[]> {
  const prepared = prepare(jobs);
  return new Promise((resolve, reject) => {
    const child = spawn(python, [prepared.runner, prepared.jobsFile], { env: { ...process.env, ...ENV } });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const settle = (status: number | null, error?: Error): void => {
      if (settled) return;
      settled = true;
      try {
        resolve(finish(prepared, jobs, python, { status, stdout, stderr, ...(error ? { error } : {}) }));
      } catch (e) {
        reject(e as Error);
      }
    };
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    // A Python that cannot start reports 'error' (and may never 'close').
    child.on("error", (e) => settle(null, e));
    child.on("close", (status) => settle(status));
  });
}
