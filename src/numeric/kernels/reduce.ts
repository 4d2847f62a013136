/**
 * Caffe's ReductionLayer and ArgMaxLayer (Forward_cpu).
 */

/** The reductions ReductionParameter names. */
export type ReductionOp = "SUM" | "ASUM" | "SUMSQ" | "MEAN";

/**
 * Reduces each of `num` runs of `dim` values to one: SUM and MEAN by a dot with ones, ASUM by
 * asum, SUMSQ by a dot with itself (BLAS sdot/sasum; summed here in double and rounded once, which
 * is at least as accurate as OpenBLAS's float32 lanes); then, when `coeff` ≠ 1, scaled by it
 * (MEAN's coeff is already divided by dim, as ReductionLayer::Reshape does).
 */
export function reduce(x: Float32Array, num: number, dim: number, op: ReductionOp, coeff: number, out: Float32Array): void {
  for (let i = 0; i < num; i++) {
    let s = 0;
    const base = i * dim;
    if (op === "ASUM") for (let j = 0; j < dim; j++) s += Math.abs(x[base + j]!);
    else if (op === "SUMSQ") for (let j = 0; j < dim; j++) s += x[base + j]! * x[base + j]!;
    else for (let j = 0; j < dim; j++) s += x[base + j]!;
    out[i] = s;
  }
  if (coeff !== 1) for (let i = 0; i < num; i++) out[i] = out[i]! * coeff;
}

/**
 * ArgMax over `dim` values `axisDist` apart, for each of `count / dim` positions: the `topK`
 * largest by `std::partial_sort` with `std::greater` on (value, index) pairs — so among equal
 * values the larger index comes first. `values` chooses what is written where (see the layer).
 */
export function topK(
  x: Float32Array,
  count: number,
  dim: number,
  axisDist: number,
  k: number,
  write: (position: number, rank: number, value: number, index: number) => void,
): void {
  const num = count / dim;
  const order = new Array<number>(dim);
  for (let i = 0; i < num; i++) {
    const at = (j: number): number => x[(Math.floor(i / axisDist) * dim + j) * axisDist + (i % axisDist)]!;
    for (let j = 0; j < dim; j++) order[j] = j;
    order.sort((p, q) => at(q) - at(p) || q - p);
    for (let r = 0; r < k; r++) write(i, r, at(order[r]!), order[r]!);
  }
}
