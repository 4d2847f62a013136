/**
 * What whole-net verification (`verify --net`) reports: the JSON of `verify --net --json`, which
 * `report` embeds too.
 */

/** One compared layer: the Caffe executor's tops against the PyTorch side's. */
export interface NetLayerCheck {
  /** Caffe layer name. */
  name: string;
  /** Caffe layer type. */
  type: string;
  /** Shape of the layer's first top (Caffe's), or null when the layer has no top. */
  shape: number[] | null;
  /** Largest |caffe − torch| over the layer's tops; null when not compared. */
  max_abs_error: number | null;
  /** max_abs_error / max(1, max |caffe|). */
  scaled_error: number | null;
  /** scaled_error ≤ tolerance, shapes equal (ArgMax: exact). */
  ok: boolean;
  /** "ok" | "diverged" | "unchecked" (not compared: fused partials, no top, side failed). */
  status: "ok" | "diverged" | "unchecked";
  /** The PyTorch module or expression the layer became (e.g. "nn.MaxPool2d(3, stride=2, ceil_mode=True)"). */
  torch?: string;
}

/** Why the first divergent layer diverges, when we know. */
export interface DivergenceCause {
  layer: string;
  /** The layer's Caffe parameters as the prototxt gives them (text form). */
  caffe: string;
  /** The PyTorch module or expression it became. */
  torch: string;
  /** A likely cause in words, or null when none is known. */
  likely_cause: string | null;
}

/** The result of `verify --net`. */
export interface NetVerification {
  net: string;
  phase: "TEST" | "TRAIN";
  tolerance: number;
  /** What the PyTorch side was: our executor of the emitted graph, the real model.py, or a recording. */
  against: "torch-executor" | "torch" | "record";
  layers: NetLayerCheck[];
  first_divergent: string | null;
  cause: DivergenceCause | null;
  ok: boolean;
}
