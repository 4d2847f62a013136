/** Spawns the real built CLI (bin/caffe2torch.js), as a user would, with NO_COLOR by default. */
import { spawn, spawnSync } from "node:child_process";
import { BIN, ROOT } from "../helpers/paths.js";

export interface CliRun {
  status: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

export interface CliOptions {
  input?: string | Uint8Array;
  /** Adds to (or, with undefined values, removes from) the environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

function cliEnv(options: CliOptions): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

/** Runs `caffe2torch ARGS`, blocking this worker until it exits (a fraction of a second each). */
export function runCli(args: string[], options: CliOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input,
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options),
    maxBuffer: 1 << 28,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout.toString("utf8"), stdoutBytes: r.stdout, stderr: r.stderr.toString("utf8") };
}

/**
 * {@link runCli} without blocking: for tests that run the CLI several times, so that vitest's
 * worker keeps answering its RPC (see test/helpers/yield-to-io.ts) while they run.
 */
export function runCliAsync(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options), stdio: "pipe" });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => stdout.push(b));
    child.stderr.on("data", (b: Buffer) => stderr.push(b));
    child.on("error", reject);
    // The CLI may exit before reading all its input (a usage error): EPIPE is its answer, not ours.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input);
    child.on("close", (status) => {
      const bytes = Buffer.concat(stdout);
      resolve({ status: status ?? -1, stdout: bytes.toString("utf8"), stdoutBytes: bytes, stderr: Buffer.concat(stderr).toString("utf8") });
    });
  });
}
