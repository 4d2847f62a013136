/**
 * The worst disagreement of one quantity (an output, a running statistic) over the forwards of a
 * block, kept while the executors step in lockstep so no step's tensors need to be stored.
 */
import { compare, scaledError } from "../numeric/compare.js";
import { sameShape, type TensorLike } from "../numeric/tensor.js";
import { boundAt, channelAt, type OperandBound } from "./float32-bound.js";
import type { Float32BoundUse, VerifyMetric } from "./types.js";

/** Collects comparisons of PyTorch's values against Caffe's (the reference). */
export class MetricTracker {
  private maxError = -1;
  private maxAbsError = 0;
  private step = 0;
  private index = -1;
  private torch = NaN;
  private caffe = NaN;
  private count = 0;
  /** Some element exceeded both the output-relative tolerance and its float32 bound. */
  private failed = false;
  private boundUse: Float32BoundUse | null = null;

  /**
   * @param claimed whether the quantity is claimed equivalent (it then decides the verdict).
   * @param tolerance the output-relative tolerance: `|torch − caffe| ≤ tolerance·max(1, |caffe|)`.
   */
  constructor(
    readonly claimed: boolean,
    readonly tolerance: number,
  ) {}

  /**
   * Compares `torch` against `caffe` at `step` (1-based training step; 0 for the evaluation
   * forward). An element beyond the tolerance still agrees when its difference is within `bound`,
   * float32's error bound for its operands (float32-bound.ts); such elements are counted. `bound` is
   * made on first need: ordinary data never exceeds the tolerance, so never pays for it.
   */
  add(torch: TensorLike, caffe: TensorLike, step: number, bound: (() => OperandBound) | null = null): void {
    this.count += 1;
    if (torch.data instanceof Float32Array && caffe.data instanceof Float32Array && sameShape(torch.shape, caffe.shape)) {
      this.addFast(torch.data, caffe.data, step, bound);
      return;
    }
    const c = compare(torch, caffe);
    this.maxAbsError = Math.max(this.maxAbsError, c.maxAbsError);
    if (c.maxError > this.tolerance) this.failed = true;
    if (c.maxError > this.maxError) this.keep(c.maxError, step, c.index, c.actual, c.expected);
  }

  /** An element beyond the output-relative tolerance: accepted if within its float32 bound. */
  private beyond(diff: number, i: number, step: number, bound: OperandBound | null): void {
    const limit = bound === null ? NaN : boundAt(bound, i);
    if (bound === null || !(diff <= limit)) {
      this.failed = true;
      return;
    }
    const use = this.boundUse;
    const elements = (use?.elements ?? 0) + 1;
    // Keep the closest call (largest share of its bound): the element the report should show.
    if (use === null || diff / limit > use.error / use.bound) {
      const c = channelAt(bound, i);
      this.boundUse = { elements, step, index: i, error: diff, bound: limit, mean: bound.mean[c] as number, std: bound.std[c] as number };
    } else {
      use.elements = elements;
    }
  }

  /**
   * compare()'s scaled error in one tight loop (block outputs have millions of elements): finite
   * values take the fast path, anything else goes through scaledError.
   */
  private addFast(a: Float32Array, e: Float32Array, step: number, makeBound: (() => OperandBound) | null): void {
    const tolerance = this.tolerance;
    let bound: OperandBound | null = null;
    let worst = -1;
    let worstIndex = -1;
    let maxAbs = this.maxAbsError;
    for (let i = 0; i < e.length; i++) {
      const ai = a[i] as number;
      const ei = e[i] as number;
      const diff = Math.abs(ai - ei);
      let err: number;
      if (Number.isFinite(diff)) {
        const ref = Math.abs(ei);
        err = diff / (ref > 1 ? ref : 1);
        if (diff > maxAbs) maxAbs = diff;
        if (err > tolerance) {
          bound ??= makeBound?.() ?? null;
          this.beyond(diff, i, step, bound);
        }
      } else {
        err = scaledError(ai, ei);
        if (err !== 0) maxAbs = Infinity;
        if (err > tolerance) this.failed = true;
      }
      if (err > worst) {
        worst = err;
        worstIndex = i;
      }
    }
    this.maxAbsError = maxAbs;
    if (worstIndex >= 0 && worst > this.maxError) this.keep(worst, step, worstIndex, a[worstIndex] as number, e[worstIndex] as number);
  }

  private keep(error: number, step: number, index: number, torch: number, caffe: number): void {
    this.maxError = error;
    this.step = step;
    this.index = index;
    this.torch = torch;
    this.caffe = caffe;
  }

  /** The metric under the tracker's tolerance, or null when nothing was compared. */
  result(): VerifyMetric | null {
    if (this.count === 0) return null;
    return {
      max_error: this.maxError,
      max_abs_error: this.maxAbsError,
      step: this.step,
      index: this.index,
      torch: this.torch,
      caffe: this.caffe,
      claimed: this.claimed,
      within: !this.failed,
      tolerance: this.tolerance,
      float32_bound: this.boundUse && { ...this.boundUse },
    };
  }
}

/** A per-channel vector as a tensor of shape [C]. */
export function vector(data: Float32Array): TensorLike {
  return { shape: [data.length], data };
}
