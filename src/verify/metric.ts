/**
 * The worst disagreement of one quantity (an output, a running statistic) over the forwards of a
 * block, kept while the executors step in lockstep so no step's tensors need to be stored.
 */
import { compare } from "../numeric/compare.js";
import type { TensorLike } from "../numeric/tensor.js";
import type { VerifyMetric } from "./types.js";

/** Collects comparisons of PyTorch's values against Caffe's (the reference). */
export class MetricTracker {
  private maxError = -1;
  private maxAbsError = 0;
  private step = 0;
  private index = -1;
  private torch = NaN;
  private caffe = NaN;
  private count = 0;

  /** @param claimed whether the quantity is claimed equivalent (it then decides the verdict). */
  constructor(readonly claimed: boolean) {}

  /** Compares `torch` against `caffe` at `step` (1-based training step; 0 for the evaluation forward). */
  add(torch: TensorLike, caffe: TensorLike, step: number): void {
    const c = compare(torch, caffe);
    this.count += 1;
    this.maxAbsError = Math.max(this.maxAbsError, c.maxAbsError);
    if (c.maxError > this.maxError) {
      this.maxError = c.maxError;
      this.step = step;
      this.index = c.index;
      this.torch = c.actual;
      this.caffe = c.expected;
    }
  }

  /** The metric under a tolerance, or null when nothing was compared. */
  result(tolerance: number): VerifyMetric | null {
    if (this.count === 0) return null;
    return {
      max_error: this.maxError,
      max_abs_error: this.maxAbsError,
      step: this.step,
      index: this.index,
      torch: this.torch,
      caffe: this.caffe,
      claimed: this.claimed,
      within: this.maxError <= tolerance,
    };
  }
}

/** A per-channel vector as a tensor of shape [C]. */
export function vector(data: Float32Array): TensorLike {
  return { shape: [data.length], data };
}
