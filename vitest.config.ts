import { defineConfig } from "vitest/config";

/**
 * Tuned for a loaded 2-core machine (issue 12; figures in BENCHMARKS.md, "The test suite").
 *
 * - pool "forks": each worker is a process of its own, so a worker blocked in spawnSync, or
 *   holding a large array, affects only itself; process.chdir works; and in the measurements it
 *   was no slower than "threads".
 * - maxWorkers "100%": one worker per core, two here. vitest's default is cores − 1, one worker on
 *   two cores, leaving a core for its main process; but much of this suite is spent waiting for
 *   child processes (the CLI, protoc, Python), and when other processes load the machine the
 *   scheduler shares the cores per runnable process, so a second worker gets the suite a larger
 *   share instead of idling. minWorkers the same: workers are kept, never restarted.
 * - isolate false: a worker runs its files one after the other in the same module graph instead of
 *   a fresh process per file. Isolation cost more than half of the suite's CPU time (a new
 *   process, vitest's start-up and the transform and import of src/ per file: ~205–235 s of CPU
 *   isolated, ~120 s not). The price is a rule for tests: leave no global state behind — no
 *   vi.mock or stubbed globals, no changes to process.env or the working directory — and keep
 *   per-file resources per file (useTorchSession closes its Python in the file's afterAll).
 * - globalSetup probes PyTorch once per run instead of once per file (test/helpers/global-setup.ts).
 * - setupFiles: yield-to-io.ts lets the worker's event loop turn between tests, so vitest's RPC
 *   replies are read before its 60 s timer fires (the "Timeout calling onTaskUpdate" failure).
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: "100%",
    minWorkers: "100%",
    fileParallelism: true,
    isolate: false,
    globalSetup: ["test/helpers/global-setup.ts"],
    setupFiles: ["test/helpers/yield-to-io.ts"],
  },
});
