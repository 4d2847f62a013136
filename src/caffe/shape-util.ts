/** One dimension: a size, or null when it cannot be known from the prototxt alone. */
export type Dim = number | null;

/** A blob shape, outermost axis first; null when even the number of axes is unknown. */
export type Shape = Dim[] | null;

/**
 * Caffe's Blob::CanonicalAxisIndex: a negative axis counts from the end; an axis outside
 * [-rank, rank) is an error in Caffe, null here.
 */
export function canonicalAxis(axis: number, rank: number): number | null {
  if (axis < -rank || axis >= rank) return null;
  return axis < 0 ? axis + rank : axis;
}

/** Product of dims, null if any is unknown. */
export function product(dims: readonly Dim[]): Dim {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/** True when every dimension is known. */
export function isComplete(shape: Shape): shape is number[] {
  return shape !== null && shape.every((d) => d !== null);
}

/** Fills unknown dims of `a` from `b` when both have the same rank (elementwise layers agree on shape). */
export function unify(a: Shape, b: Shape): Shape {
  if (a === null) return b === null ? null : [...b];
  if (b === null || b.length !== a.length) return [...a];
  return a.map((d, i) => d ?? b[i] ?? null);
}

/** Applies `f` to a dim when known. */
export function mapDim(d: Dim, f: (n: number) => number): Dim {
  if (d === null) return null;
  const r = f(d);
  return Number.isFinite(r) ? r : null;
}
