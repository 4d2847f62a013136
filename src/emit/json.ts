import type { ConvertResult } from "../convert/types.js";
import { jsonText } from "../diagnostics/json-text.js";

/** Options of {@link emitJson}. */
export interface JsonEmitOptions {
  /** Spaces per indentation level; 2 unless told. */
  indent?: number;
}

/**
 * Key order of each object in the contract (src/convert/types.ts, issue 3's output contract).
 * Emitting in this order, whatever order the converter built the objects in, keeps the output
 * byte-stable for diffs and snapshots; keys we do not know yet follow, sorted.
 */
const ORDER = {
  root: ["source", "net", "phase", "blocks", "unpaired", "diagnostics", "weights"],
  block: [
    "batchnorm", "scale", "bias", "input", "output", "input_shape", "caffe", "torch", "exact",
    "equivalence", "notes", "line", "column", "weights",
  ],
  caffe: [
    "type", "use_global_stats", "use_global_stats_explicit", "use_global_stats_by_phase",
    "moving_average_fraction", "eps", "stats_lr_mult", "scale_lr_mult", "bias_term",
  ],
  byPhase: ["TRAIN", "TEST"],
  torch: [
    "module", "num_features", "eps", "momentum", "affine", "track_running_stats",
    "weight_requires_grad", "bias_requires_grad", "mode",
  ],
  equivalence: ["inference", "training", "lag_steps"],
  note: ["code", "message"],
  weights: ["scale_factor", "mean_min", "mean_max", "var_min", "var_max", "num_batches_tracked"],
  unpaired: ["batchnorm", "reason", "code"],
  diagnostic: ["code", "severity", "message", "line", "column"],
} as const;

type Shape = keyof typeof ORDER;

/** Which shape the values under `key` of a `parent`-shaped object have (arrays: their items). */
const CHILD: Partial<Record<Shape, Partial<Record<string, Shape>>>> = {
  root: { blocks: "block", unpaired: "unpaired", diagnostics: "diagnostic" },
  block: { caffe: "caffe", torch: "torch", equivalence: "equivalence", notes: "note", weights: "weights" },
  caffe: { use_global_stats_by_phase: "byPhase" },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A copy of `value` with keys in contract order; objects of unknown shape get sorted keys. */
function ordered(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item, shape));
  if (!isPlainObject(value)) return value;
  const known: readonly string[] = shape === undefined ? [] : ORDER[shape];
  const keys = [
    ...known.filter((k) => k in value),
    ...Object.keys(value).filter((k) => !known.includes(k)).sort(),
  ];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const childShape = shape === undefined ? undefined : CHILD[shape]?.[key];
    out[key] = ordered(value[key], childShape);
  }
  return out;
}

/**
 * The `convert --format json` document: the result with keys in contract order, indented by
 * 2 spaces, ending with a newline. Pure: equal results give identical text. Non-ASCII text is
 * kept as UTF-8; lone surrogates are escaped (`\ud800`), as JSON.stringify does since ES2019.
 * Non-finite numbers cannot occur in a valid result; JSON.stringify would write them as null.
 */
export function emitJson(result: ConvertResult, options: JsonEmitOptions = {}): string {
  return `${jsonText(ordered(result, "root"), options.indent ?? 2)}\n`;
}
