/**
 * Copies that only move values: Concat, Slice, Tile and Crop as Caffe's layers do them.
 * Each view of a buffer is outer × (size along the axis) × inner.
 */

/** Concat along an axis: `parts[i]` is outer × sizes[i] × inner; the result is outer × Σsizes × inner. */
export function concat(parts: readonly Float32Array[], sizes: readonly number[], outer: number, inner: number, out: Float32Array): void {
  const total = sizes.reduce((a, b) => a + b, 0);
  let offset = 0;
  parts.forEach((part, i) => {
    const run = sizes[i]! * inner;
    for (let n = 0; n < outer; n++) out.set(part.subarray(n * run, (n + 1) * run), (n * total + offset) * inner);
    offset += sizes[i]!;
  });
}

/** Slice along an axis: the run [start, start + size) of an outer × total × inner buffer. */
export function slice(x: Float32Array, total: number, start: number, size: number, outer: number, inner: number): Float32Array {
  const out = new Float32Array(outer * size * inner);
  for (let n = 0; n < outer; n++) out.set(x.subarray((n * total + start) * inner, (n * total + start + size) * inner), n * size * inner);
  return out;
}

/** Tile: each of `outer` runs of `inner` values repeated `tiles` times. */
export function tile(x: Float32Array, outer: number, inner: number, tiles: number): Float32Array {
  const out = new Float32Array(outer * tiles * inner);
  for (let n = 0; n < outer; n++) {
    const run = x.subarray(n * inner, (n + 1) * inner);
    for (let t = 0; t < tiles; t++) out.set(run, (n * tiles + t) * inner);
  }
  return out;
}

/** Crop: the box of `outShape` starting at `offsets` inside an `inShape` buffer (same rank). */
export function crop(x: Float32Array, inShape: readonly number[], offsets: readonly number[], outShape: readonly number[]): Float32Array {
  const rank = inShape.length;
  const out = new Float32Array(outShape.reduce((p, d) => p * d, 1));
  if (out.length === 0) return out;
  if (rank === 0) {
    out[0] = x[0]!;
    return out;
  }
  const last = outShape[rank - 1]!;
  const strides = inShape.map((_, i) => inShape.slice(i + 1).reduce((p, d) => p * d, 1));
  const index = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < out.length; o += last) {
    let src = offsets[rank - 1]!;
    for (let a = 0; a < rank - 1; a++) src += (index[a]! + offsets[a]!) * strides[a]!;
    out.set(x.subarray(src, src + last), o);
    for (let a = rank - 2; a >= 0; a--) {
      if (++index[a]! < outShape[a]!) break;
      index[a] = 0;
    }
  }
  return out;
}
