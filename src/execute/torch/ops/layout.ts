/**
 * Tensor views and copies as PyTorch defines them: reshape (one −1 inferred), permute, transpose,
 * flatten, repeat, cat, tensor_split, basic indexing with ints and slices, flip. Values are copied
 * as they are; only their places change.
 */
import { invalid, numel, stridesOf, tensor, wrapDim, type Tensor } from "../value.js";
import { concat, slice } from "../../../numeric/kernels/layout.js";

/** `x.reshape(shape)`: one −1 inferred from the count, as torch.reshape infers it. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.length - known.length;
  if (inferred > 1 || known.some((d) => d < 0)) invalid("reshape-shape", { shape: [...shape] });
  const count = numel(known);
  const n = x.data.length;
  let out = [...shape];
  if (inferred === 1) {
    if (count === 0 || n % count !== 0) invalid("reshape-size", { from: [...x.shape], to: [...shape] });
    out = shape.map((d) => (d === -1 ? n / count : d));
  }
  if (numel(out) !== n) invalid("reshape-size", { from: [...x.shape], to: [...shape] });
  return tensor(out, x.data, x.dtype);
}

/** `x.permute(dims)`: output axis i is input axis dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const rank = x.shape.length;
  if (dims.length !== rank) invalid("permute-dims", { dims: [...dims], rank });
  const order = dims.map((d) => wrapDim(d, rank));
  if (new Set(order).size !== rank) invalid("permute-dims", { dims: [...dims], rank });
  const shape = order.map((d) => x.shape[d]!);
  const inStrides = stridesOf(x.shape);
  const step = order.map((d) => inStrides[d]!);
  const out = new Float32Array(x.data.length);
  const idx = new Array<number>(rank).fill(0);
  let at = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = x.data[at]!;
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]!++;
      at += step[a]!;
      if (idx[a]! < shape[a]!) break;
      at -= step[a]! * shape[a]!;
      idx[a] = 0;
    }
  }
  return tensor(shape, out, x.dtype);
}

/** `x.transpose(a, b)`. */
export function transpose(x: Tensor, a: number, b: number): Tensor {
  const rank = x.shape.length;
  const dims = Array.from({ length: rank }, (_, i) => i);
  const [i, j] = [wrapDim(a, rank), wrapDim(b, rank)];
  [dims[i], dims[j]] = [dims[j]!, dims[i]!];
  return permute(x, dims);
}

/** `torch.flatten(x, start, end)`. */
export function flatten(x: Tensor, start: number, end: number): Tensor {
  const rank = x.shape.length;
  if (rank === 0) return tensor([1], x.data, x.dtype);
  const [s, e] = [wrapDim(start, rank), wrapDim(end, rank)];
  if (s > e) invalid("flatten-dims", { start, end });
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return tensor(shape, x.data, x.dtype);
}

/** `x.repeat(repeats)`: the tensor tiled `repeats[i]` times along each axis (leading axes added). */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.shape.length) invalid("repeat-dims", { repeats: [...repeats], rank: x.shape.length });
  const inShape = [...new Array<number>(repeats.length - x.shape.length).fill(1), ...x.shape];
  const shape = inShape.map((d, i) => d * repeats[i]!);
  const out = new Float32Array(numel(shape));
  const rank = shape.length;
  const inStrides = stridesOf(inShape);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < out.length; k++) {
    let at = 0;
    for (let a = 0; a < rank; a++) at += (idx[a]! % inShape[a]!) * inStrides[a]!;
    out[k] = x.data[at]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return tensor(shape, out, x.dtype);
}

/** `torch.cat(parts, dim)`: every other axis must agree. */
export function cat(parts: readonly Tensor[], dim: number): Tensor {
  if (parts.length === 0) invalid("cat-empty");
  const first = parts[0]!;
  const rank = first.shape.length;
  const d = wrapDim(dim, rank);
  for (const p of parts) {
    if (p.shape.length !== rank || p.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      invalid("cat-shapes", { shapes: parts.map((q) => [...q.shape]), dim: d });
    }
  }
  const outer = numel(first.shape.slice(0, d));
  const inner = numel(first.shape.slice(d + 1));
  const total = parts.reduce((s, p) => s + p.shape[d]!, 0);
  const out = new Float32Array(outer * total * inner);
  // A copy of runs: the same definition in both frameworks (numeric/kernels/layout.ts).
  concat(parts.map((p) => p.data), parts.map((p) => p.shape[d]!), outer, inner, out);
  const shape = [...first.shape];
  shape[d] = total;
  const dtype = parts.some((p) => p.dtype === "float32") ? "float32" : first.dtype;
  return tensor(shape, out, dtype);
}

/** `x.narrow(dim, start, length)` as a copy. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = wrapDim(dim, x.shape.length);
  const size = x.shape[d]!;
  if (start < 0 || length < 0 || start + length > size) invalid("narrow-range", { dim: d, start, length, size });
  const outer = numel(x.shape.slice(0, d));
  const inner = numel(x.shape.slice(d + 1));
  const out = slice(x.data, size, start, length, outer, inner);
  const shape = [...x.shape];
  shape[d] = length;
  return tensor(shape, out, x.dtype);
}

/**
 * `torch.tensor_split(x, sections_or_indices, dim)`: n sections (the first `size % n` one longer,
 * as PyTorch splits), or pieces ending at each index (indices clamped to the axis).
 */
export function tensorSplit(x: Tensor, split: number | readonly number[], dim: number): Tensor[] {
  const d = wrapDim(dim, x.shape.length);
  const size = x.shape[d]!;
  const bounds: number[] = [0];
  if (typeof split === "number") {
    if (split < 1) invalid("tensor-split-sections", { sections: split });
    const [base, extra] = [Math.floor(size / split), size % split];
    for (let i = 0; i < split; i++) bounds.push(bounds[i]! + base + (i < extra ? 1 : 0));
  } else {
    for (const i of split) bounds.push(Math.min(size, Math.max(bounds[bounds.length - 1]!, i < 0 ? i + size : i)));
    bounds.push(size);
  }
  return bounds.slice(1).map((end, i) => narrow(x, d, bounds[i]!, end - bounds[i]!));
}

/** One axis of a basic index: an int (the axis goes away) or a slice. */
export type AxisIndex = { kind: "int"; at: number } | { kind: "slice"; start: number | null; stop: number | null; step: number | null };

/** Python's slice.indices(size): the start, step and count a slice selects. */
export function sliceRange(start: number | null, stop: number | null, step: number | null, size: number): { start: number; step: number; count: number } {
  const s = step ?? 1;
  if (s === 0) invalid("slice-step-zero");
  const clamp = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + size : v;
    return Math.min(hi, Math.max(lo, w));
  };
  const b = s > 0 ? clamp(start, 0, 0, size) : clamp(start, size - 1, -1, size - 1);
  const e = s > 0 ? clamp(stop, size, 0, size) : clamp(stop, -1, -1, size - 1);
  const count = s > 0 ? Math.max(0, Math.ceil((e - b) / s)) : Math.max(0, Math.ceil((b - e) / -s));
  return { start: b, step: s, count };
}

/** `x[i0, i1, …]` with ints and slices (axes not indexed are kept whole); PyTorch refuses negative steps. */
export function index(x: Tensor, axes: readonly AxisIndex[]): Tensor {
  const rank = x.shape.length;
  if (axes.length > rank) invalid("too-many-indices", { indices: axes.length, rank });
  const starts: number[] = [];
  const steps: number[] = [];
  const counts: number[] = [];
  const kept: boolean[] = [];
  for (let a = 0; a < rank; a++) {
    const size = x.shape[a]!;
    const ix = axes[a] ?? { kind: "slice", start: null, stop: null, step: null };
    if (ix.kind === "int") {
      const at = ix.at < 0 ? ix.at + size : ix.at;
      if (at < 0 || at >= size) invalid("index-out-of-range", { axis: a, index: ix.at, size });
      starts.push(at), steps.push(1), counts.push(1), kept.push(false);
    } else {
      if (ix.step !== null && ix.step <= 0) invalid("slice-step", { step: ix.step });
      const r = sliceRange(ix.start, ix.stop, ix.step, size);
      starts.push(r.start), steps.push(r.step), counts.push(r.count), kept.push(true);
    }
  }
  const strides = stridesOf(x.shape);
  const out = new Float32Array(numel(counts));
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < out.length; k++) {
    let at = 0;
    for (let a = 0; a < rank; a++) at += (starts[a]! + idx[a]! * steps[a]!) * strides[a]!;
    out[k] = x.data[at]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < counts[a]!) break;
      idx[a] = 0;
    }
  }
  return tensor(counts.filter((_, a) => kept[a]), out, x.dtype);
}

/** `torch.flip(x, dims)`. */
export function flip(x: Tensor, dims: readonly number[]): Tensor {
  const rank = x.shape.length;
  const flipped = new Set(dims.map((d) => wrapDim(d, rank)));
  const strides = stridesOf(x.shape);
  const out = new Float32Array(x.data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < out.length; k++) {
    let at = 0;
    for (let a = 0; a < rank; a++) at += (flipped.has(a) ? x.shape[a]! - 1 - idx[a]! : idx[a]!) * strides[a]!;
    out[k] = x.data[at]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < x.shape[a]!) break;
      idx[a] = 0;
    }
  }
  return tensor(x.shape, out, x.dtype);
}
