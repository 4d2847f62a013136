/**
 * Running the real Python + PyTorch from tests. Tests that need them use
 * `it.skipIf(skipWithoutTorch)`: without torch they are skipped locally, but in CI
 * (`CI=true`) they run and fail through {@link requireTorch}, so a broken CI image cannot turn
 * the PyTorch parity checks into silent skips. The checks themselves run in a long-lived Python
 * (torch-session.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { probeTorchSync, type TorchAvailability } from "./torch-probe.js";

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

/** Writes `text` to `fileName` in a fresh temporary directory; returns the file's path. */
export function writeTempFile(fileName: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-"));
  const path = join(dir, fileName);
  writeFileSync(path, text, "utf8");
  return path;
}
