/** The JSON `verify --solver --json` prints (snake_case, as the other reports). */

/** One side's distance from Caffe at one iteration. */
export interface SideError {
  /** The largest |θ − θ_caffe| / max(1, max |θ_caffe|) over the blobs. */
  error: number;
  /** The blob (state_dict key) with the largest error relative to its bound. */
  blob: string;
  /** That blob's scaled error and float32 bound. */
  blob_error: number;
  bound: number;
  /** Every blob within its bound. */
  within: boolean;
}

/** One iteration. */
export interface SolverIterationRow {
  /** Caffe's iter_ during the update. */
  k: number;
  /** Caffe's rate (GetLearningRate). */
  lr: number;
  /** The rate differs from the previous iteration's. */
  lr_changed: boolean;
  /** Caffe's clipping decision (null without clip_gradients). */
  clipped: boolean | null;
  /** The smallest scaled float32 bound over the blobs (an error below it is within every blob's bound). */
  bound: number;
  plain: SideError;
  exact: SideError;
}

/** A side over the whole run. */
export interface SideSummary {
  /** The torch.optim class or the emitted exact class. */
  optimizer: string;
  /** What the plan says of this side: "equal" (claimed to reproduce Caffe) or "differs" (a difference is reported). */
  claim: "equal" | "differs";
  max_error: number;
  /** The first iteration with a blob beyond its bound, or null. */
  first_beyond: number | null;
  /** The blob beyond its bound first (or with the largest error). */
  blob: string | null;
  /** claim "equal" and beyond the bound: a mapping we call exact disagrees. */
  failed: boolean;
}

/** One optimizer parameter group (plus the frozen blobs as lr_mult 0). */
export interface GroupSummary {
  lr_mult: number;
  decay_mult: number;
  blobs: string[];
  /** The largest scaled error over the run, plain and exact. */
  plain: number;
  exact: number;
  plain_first_beyond: number | null;
  exact_first_beyond: number | null;
}

/** One blob run. */
export interface BlobInfo {
  key: string;
  layer: string;
  blob: number;
  lr_mult: number;
  decay_mult: number;
  frozen: boolean;
  count: number | null;
  values: number;
  gradient_scale: number;
}

/** The result of `verify --solver`. */
export interface SolverVerification {
  solver: string;
  net: string;
  type: string;
  lr_policy: string;
  iterations: number;
  seed: number;
  values_per_blob: number;
  /** The iterations run whose rate differs from the previous one's. */
  lr_changes: number[];
  /** The first iteration up to max_iter whose rate changes, run or not (null: the rate never changes). */
  first_lr_change: number | null;
  /** The plan's differences (codes and statuses; `solver --format json` has the words). */
  differences: { code: string; status: string }[];
  blobs: BlobInfo[];
  rows: SolverIterationRow[];
  groups: GroupSummary[];
  plain: SideSummary;
  exact: SideSummary;
  /** Frozen blobs (lr_mult 0) stay as they were on every side (Caffe's update is 0; PyTorch leaves them out). */
  frozen_unchanged: boolean;
  notes: { code: string; message: string }[];
  /** No mapping we call exact disagrees and frozen blobs stay. */
  ok: boolean;
}
