/**
 * Whether `import torch` works in the tests' Python, probed once per `npm test` by
 * global-setup.ts (one torch import, ~1.5 s of CPU, instead of one per test file) and handed to
 * the test files through vitest's provide/inject. No vitest import here: global-setup.ts runs in
 * vitest's main process.
 */
import { execFile, spawnSync } from "node:child_process";

/** The interpreter: Debian's python3 with python3-torch, as issue 3 asks CI to install. */
export const PYTHON = process.env.CAFFE2TORCH_PYTHON ?? "/usr/bin/python3";

/** Whether PyTorch can be imported, and why not. */
export interface TorchAvailability {
  available: boolean;
  /** torch.__version__ when available. */
  version: string | null;
  /** Why not, when unavailable. */
  reason: string | null;
}

const PROBE = ["-c", "import torch; print(torch.__version__)"];
const PROBE_TIMEOUT_MS = 60_000;

function availability(error: Error | undefined, status: number | null, stdout: string, stderr: string): TorchAvailability {
  if (error !== undefined && status === null) return { available: false, version: null, reason: `${PYTHON}: ${error.message}` };
  if (status !== 0) {
    const last = stderr.trim().split("\n").pop() ?? "";
    return { available: false, version: null, reason: `${PYTHON} cannot import torch: ${last}` };
  }
  return { available: true, version: stdout.trim(), reason: null };
}

/** Probes `PYTHON -c "import torch"` without blocking the event loop. */
export function probeTorch(): Promise<TorchAvailability> {
  return new Promise((resolve) => {
    execFile(PYTHON, PROBE, { encoding: "utf8", timeout: PROBE_TIMEOUT_MS }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve(availability(error ?? undefined, status, stdout, stderr));
    });
  });
}

/** The same probe, blocking: only for a test run without global-setup.ts (another vitest config). */
export function probeTorchSync(): TorchAvailability {
  const probe = spawnSync(PYTHON, PROBE, { encoding: "utf8", timeout: PROBE_TIMEOUT_MS });
  return availability(probe.error, probe.error !== undefined ? null : probe.status, probe.stdout ?? "", probe.stderr ?? "");
}
