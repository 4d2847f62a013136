// Shared helpers for `npm run bench`: whole-process timing with peak memory, alternating runs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SHARED = resolve(ROOT, "../shared");
export const OUT = join(ROOT, "bench", "out");
export const BIN = join(ROOT, "bin", "caffe2torch.js");
export const PROTO_DIR = join(ROOT, "proto");
mkdirSync(OUT, { recursive: true });

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

/**
 * Runs a command once; returns wall seconds and peak RSS in MiB (from GNU time's %M, when
 * /usr/bin/time exists). stdin/stdout may be files; `env` replaces the environment when given.
 */
export function timeProcess(cmd, args, { stdin, stdout, okStatus = [0], env } = {}) {
  const full = TIME ? [TIME, ["-f", "__TIME__ %e %M", cmd, ...args]] : [cmd, args];
  const input = stdin ? readFileSync(stdin) : undefined;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { input, env, maxBuffer: 1 << 30, stdio: [input ? "pipe" : "ignore", stdout ? "pipe" : "ignore", "pipe"] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr.toString();
  if (!okStatus.includes(r.status)) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${err.slice(0, 500)}`);
  const m = /__TIME__ ([\d.]+) (\d+)/.exec(err);
  return { wall, peakMiB: m ? Number(m[2]) / 1024 : null, stdout: r.stdout };
}

/** Alternates `a` and `b` `rounds` times (so both see the same machine state); medians. */
export function alternate(rounds, a, b) {
  const ra = [];
  const rb = [];
  for (let i = 0; i < rounds; i++) {
    ra.push(a());
    rb.push(b());
  }
  return { a: summarise(ra), b: summarise(rb) };
}

export function summarise(runs) {
  const walls = runs.map((r) => r.wall).sort((x, y) => x - y);
  const peaks = runs.map((r) => r.peakMiB).filter((x) => x !== null);
  return {
    medianS: walls[Math.floor(walls.length / 2)],
    minS: walls[0],
    maxS: walls[walls.length - 1],
    peakMiB: peaks.length ? Math.max(...peaks) : null,
    runs: walls.length,
  };
}

export const fmt = (x, d = 3) => (x === null || x === undefined ? "n/a" : Number(x).toFixed(d));
