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
