/**
 * What the Caffe executor passes around: blobs as shape + float32 values, one executor per layer
 * type, and the context an executor sees.
 */
import type { NetLayer } from "../caffe/net.js";
import type { SourceMap } from "../schema/locations.js";

/** A blob's values: row-major float32, `data.length` = the product of `shape` (1 for `[]`). */
export interface Blob {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** For a caffemodel blob: its shape came from the legacy num/channels/height/width fields. */
  readonly legacy?: boolean;
}

/** Caffe's phases. */
export type Phase = "TRAIN" | "TEST";

/** What an executor sees of its layer. */
export interface LayerContext {
  /** The layer as the net model holds it; executors read its parameters themselves (layerParams). */
  readonly layer: NetLayer;
  /** The values of its bottoms, in `bottom:` order. */
  readonly bottoms: readonly Blob[];
  /** Its parameter blobs from the caffemodel (matched by layer name, as Net::CopyTrainedLayersFrom does). */
  readonly params: readonly Blob[];
  readonly phase: Phase;
  /** The net's input values by blob name (read by Input layers). */
  readonly inputs: ReadonlyMap<string, Blob>;
  /**
   * Called by a layer whose forward writes its parameter blobs, with all of them after the write:
   * BatchNorm with batch statistics updates its running sums during the forward, as Caffe's does.
   * The blobs in `params` stay as given (the caller decides whether the next forward sees the new ones).
   */
  readonly updateParams?: (blobs: Blob[]) => void;
  /**
   * The net's source map, where the fork layers' parameter messages live (our schema is BVLC's, so
   * `bn_param`, `interp_param`, `prior_box_param`, … are kept as raw syntax); without it a fork
   * layer reads its fork's defaults.
   */
  readonly sourceMap?: SourceMap;
}

/**
 * The Caffe-semantics forward of one or more layer types. It returns one blob per top and never
 * writes into its bottoms or params (new parameter values go to `updateParams`): a top is a fresh
 * buffer, or a bottom's own buffer when the values are unchanged (Flatten, Reshape, Split, Dropout
 * in TEST) — so every blob version stays as it was produced, which is how in-place layers are
 * recorded step by step.
 */
export interface LayerExecutor {
  readonly types: readonly string[];
  forward(ctx: LayerContext): Blob[];
}

/** Why a layer could not be executed: a code and its data (rendered by the caller). */
export class ExecuteError extends Error {
  constructor(
    readonly code: string,
    readonly data: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${code} ${JSON.stringify(data)}`);
    this.name = "ExecuteError";
  }
}

/** Throws an {@link ExecuteError}. */
export function fail(code: string, data: Record<string, unknown> = {}): never {
  throw new ExecuteError(code, data);
}
