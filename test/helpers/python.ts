/**
 * Running the real Python + PyTorch from tests. Tests that need them use
 * `it.skipIf(skipWithoutTorch)`: without torch they are skipped locally, but in CI
 * (`CI=true`) they run and fail through {@link requireTorch}, so a broken CI image cannot turn
 * the PyTorch parity checks into silent skips. The checks themselves run in a long-lived Python
 * (torch-session.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { PYTHON, probeTorchSync, type TorchAvailability } from "./torch-probe.js";

export { PYTHON, type TorchAvailability } from "./torch-probe.js";

let cached: TorchAvailability | undefined;

/** Whether PyTorch can be imported, and why not: global-setup.ts's probe of this run. */
export function torchAvailability(): TorchAvailability {
  cached ??= inject("torch") ?? probeTorchSync();
  return cached;
}

/** True when PyTorch tests should be skipped: torch missing and not in CI. */
export const skipWithoutTorch: boolean =
  process.env.CI !== "true" && !torchAvailability().available;

/** Throws (failing the test) when torch is unavailable; call first in a torch test. */
export function requireTorch(): void {
  const torch = torchAvailability();
  if (!torch.available) throw new Error(`PyTorch is required here (CI=true): ${torch.reason}`);
}

/** What a Python run produced. */
export interface PythonRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `PYTHON script ...args`; UTF-8 I/O regardless of the locale. */
export function runPython(script: string, args: readonly string[], cwd?: string): PythonRun {
  const run = spawnSync(PYTHON, [script, ...args], {
    encoding: "utf8",
    cwd,
    timeout: 120_000,
    env: { ...process.env, PYTHONIOENCODING: "utf-8", PYTHONDONTWRITEBYTECODE: "1" },
  });
  if (run.error !== undefined) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs a script that prints one JSON document; throws with its stderr when it fails. */
export function runPythonJson<T>(script: string, args: readonly string[], cwd?: string): T {
  const run = runPython(script, args, cwd);
  if (run.status !== 0) {
    throw new Error(`${script} exited with ${String(run.status)}:\n${run.stderr}`);
  }
  return JSON.parse(run.stdout) as T;
}

/**
 * {@link runPythonJson} without blocking the event loop (for runs of many seconds: other test
 * files keep running meanwhile). Rejects with the script's stderr when it fails.
 */
export async function runPythonJsonAsync<T>(script: string, args: readonly string[], timeoutMs = 300_000): Promise<T> {
  const run = await runPythonAsync(script, args, timeoutMs);
  if (run.status !== 0) throw new Error(`${script} exited with ${String(run.status)}:\n${run.stderr}`);
  try {
    return JSON.parse(run.stdout) as T;
  } catch (e) {
    throw new Error(`${script} printed no JSON: ${String(e)}\n${run.stdout.slice(0, 2000)}\n${run.stderr}`);
  }
}

/** Writes `text` to `fileName` in a fresh temporary directory; returns the file's path. */
export function writeTempFile(fileName: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-"));
  const path = join(dir, fileName);
  writeFileSync(path, text, "utf8");
  return path;
}

/** {@link runPython} without blocking the event loop: resolves with the status and both outputs. */
export function runPythonAsync(script: string, args: readonly string[], timeoutMs = 300_000, cwd?: string): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script, ...args], {
      cwd,
      env: { ...process.env, PYTHONIOENCODING: "utf-8", PYTHONDONTWRITEBYTECODE: "1" },
      timeout: timeoutMs,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status: status ?? (signal ? -1 : null), stdout, stderr: signal ? `${stderr}\n(ended by ${signal})` : stderr }));
  });
}
