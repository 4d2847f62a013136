/**
 * Loaders for the shared golden recordings. The files live beside the repository (../shared/golden)
 * and are read in place, never copied.
 */
import { readFileSync } from "node:fs";
import type { GoldenTrace } from "../../src/numeric/golden.js";
import type { TensorRecord } from "../../src/numeric/golden-types.js";

const BN_CASES_URL = new URL("../../../shared/golden/bn_cases.json", import.meta.url);
const TRAINED_SMALL_URL = new URL("../../../shared/golden/trained_small/trace.json", import.meta.url);

let bnCases: unknown;
let trainedSmall: unknown;

/** The parsed `bn_cases.json` as plain JSON (parsed once per test file). */
export function loadBnCasesJson(): unknown {
  bnCases ??= JSON.parse(readFileSync(BN_CASES_URL, "utf8"));
  return bnCases;
}

/** A fresh deep copy of `bn_cases.json`, safe to alter. */
export function freshBnCasesJson(): GoldenTrace {
  return JSON.parse(readFileSync(BN_CASES_URL, "utf8")) as GoldenTrace;
}

/** `bn_cases.json` typed. */
export function loadBnCases(): GoldenTrace {
  return loadBnCasesJson() as GoldenTrace;
}

/** The subset of `trained_small/trace.json` the tests read. */
export interface TrainedSmallTrace {
  readonly caffemodel_blobs: Record<
    string,
    | { type: "BatchNorm"; mean_sum: TensorRecord; var_sum: TensorRecord; scale_factor: TensorRecord }
    | { type: "Scale"; scale: TensorRecord; bias?: TensorRecord }
    | { type: "Bias"; bias: TensorRecord }
  >;
  readonly bn_layers: {
    name: string;
    block_layers: string[];
    effective_eps: number;
    effective_moving_average_fraction: number;
    effective_mean: TensorRecord;
    effective_var: TensorRecord;
  }[];
  readonly eval: {
    batches: {
      bn: Record<string, { bottom: TensorRecord; bn_top: TensorRecord; block_output: TensorRecord }>;
    }[];
  };
}

/** The parsed `trained_small/trace.json`. */
export function loadTrainedSmall(): TrainedSmallTrace {
  trainedSmall ??= JSON.parse(readFileSync(TRAINED_SMALL_URL, "utf8"));
  return trainedSmall as TrainedSmallTrace;
}
