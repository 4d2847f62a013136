import type { Phase } from "../../schema/caffe-types.js";
import { CliError } from "../io-types.js";

/** `--phase test|train` (any case) → Caffe's phase name. */
export function parsePhase(value: string): Phase {
  const v = value.toLowerCase();
  if (v === "test") return "TEST";
  if (v === "train") return "TRAIN";
  throw new CliError(`--phase must be test or train (got "${value}")`);
}

/** A positive integer option value. */
export function parsePositiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${name} must be a positive integer (got "${value}")`);
  return n;
}

/** `--tolerance T`: a non-negative number, or `fallback` when not given. */
export function parseTolerance(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const t = Number(value);
  if (value.trim() === "" || !Number.isFinite(t) || t < 0) throw new CliError(`--tolerance must be a non-negative number (got "${value}")`);
  return t;
}

/** `--seed S`: an unsigned 32-bit integer (our generator's seed), 0 when not given. */
export function parseSeed(value: string | undefined): number {
  if (value === undefined) return 0;
  const s = Number(value);
  if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new CliError(`--seed must be an integer from 0 to 4294967295 (got "${value}")`);
  return s;
}
