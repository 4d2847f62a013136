import { numel, sameShape, unravelIndex, type TensorLike } from "./tensor.js";

/**
 * The worst disagreement between two tensors.
 *
 * The error at each element is scaled as `|a − b| / max(1, |b|)`: absolute for small references,
 * relative for large ones (recorded tops reach |y| ≈ 10³ when Caffe's scale factor is 0, where an
 * absolute bound would be meaningless). The tolerance is the caller's, named at the call site.
 */
export interface Comparison {
  /** The largest scaled error `|a − b| / max(1, |b|)`; Infinity for a shape mismatch or a lone NaN. */
  readonly maxError: number;
  /** The largest plain `|a − b|` (it may sit at another element than maxError). */
  readonly maxAbsError: number;
  /** The flat index of the largest scaled error (the first one on ties), -1 when nothing was compared. */
  readonly index: number;
  /** The multi-index of `index` in the expected shape. */
  readonly position: number[];
  /** The actual value at `index` (NaN when nothing was compared). */
  readonly actual: number;
  /** The expected value at `index` (NaN when nothing was compared). */
  readonly expected: number;
  /** How many elements were compared. */
  readonly count: number;
  /** Whether the shapes differed; then nothing is compared and maxError is Infinity. */
  readonly shapeMismatch: boolean;
}

/** Scales an error by the reference magnitude, never by less than 1. */
export function scaledError(actual: number, expected: number): number {
  if (Number.isNaN(actual) || Number.isNaN(expected)) {
    return Number.isNaN(actual) && Number.isNaN(expected) ? 0 : Infinity;
  }
  if (actual === expected) return 0; // also covers equal infinities
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

/**
 * Compares `actual` against the reference `expected`, element by element.
 *
 * Shapes must agree; a mismatch is reported (`shapeMismatch`, maxError Infinity), never thrown.
 */
export function compare(actual: TensorLike, expected: TensorLike): Comparison {
  if (!sameShape(actual.shape, expected.shape) || actual.data.length !== expected.data.length) {
    return {
      maxError: Infinity,
      maxAbsError: Infinity,
      index: -1,
      position: [],
      actual: NaN,
      expected: NaN,
      count: 0,
      shapeMismatch: true,
    };
  }
  const a = actual.data;
  const e = expected.data;
  const count = Math.min(e.length, numel(expected.shape));
  let maxError = 0;
  let maxAbsError = 0;
  let index = count > 0 ? 0 : -1;
  for (let i = 0; i < count; i++) {
    const ai = a[i] as number;
    const ei = e[i] as number;
    const err = scaledError(ai, ei);
    if (err > maxError) {
      maxError = err;
      index = i;
    }
    const abs = err === 0 ? 0 : Number.isNaN(ai - ei) ? Infinity : Math.abs(ai - ei);
    if (abs > maxAbsError) maxAbsError = abs;
  }
  return {
    maxError,
    maxAbsError,
    index,
    position: index >= 0 ? unravelIndex(index, expected.shape) : [],
    actual: index >= 0 ? (a[index] as number) : NaN,
    expected: index >= 0 ? (e[index] as number) : NaN,
    count,
    shapeMismatch: false,
  };
}

/** Compares two scalars as shape-[1] tensors (scale factors, batch counters). */
export function compareScalar(actual: number, expected: number): Comparison {
  return compare({ shape: [1], data: [actual] }, { shape: [1], data: [expected] });
}

/** Whether a comparison stays within a scaled tolerance (`maxError ≤ tolerance`). */
export function isWithin(comparison: Comparison, tolerance: number): boolean {
  return comparison.maxError <= tolerance;
}
