/** Spawns the real built CLI (bin/caffe2torch.js), as a user would, with NO_COLOR by default. */
import { spawnSync } from "node:child_process";
import { BIN, ROOT } from "../helpers/paths.js";

export interface CliRun {
  status: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

/** Runs `caffe2torch ARGS`; `env` adds to (or, with undefined values, removes from) the environment. */
export function runCli(args: string[], options: { input?: string | Uint8Array; env?: Record<string, string | undefined>; cwd?: string } = {}): CliRun {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input,
    cwd: options.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    maxBuffer: 1 << 28,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout.toString("utf8"), stdoutBytes: r.stdout, stderr: r.stderr.toString("utf8") };
}
