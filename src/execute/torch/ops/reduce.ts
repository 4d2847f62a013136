/**
 * Reductions and normalisations over axes as PyTorch defines them: sum and mean over a set of
 * axes (keepdim or not), softmax along one axis (exp(x − max) / Σ), and bilinear interpolation
 * with align_corners=True. Sums are accumulated in double and rounded once (PyTorch's float
 * cascade sum is within a few float32 ulps of that).
 */
import { invalid, numel, tensor, wrapDim, type Tensor } from "../value.js";
import { permute } from "./layout.js";

/** The axes `dims` moved last: [kept axes…, reduced axes…], with the kept shape and the reduced count. */
function reducedView(x: Tensor, dims: readonly number[] | null): { data: Float32Array; outer: number; inner: number; kept: number[] } {
  const rank = x.shape.length;
  const reduced = dims === null ? Array.from({ length: rank }, (_, i) => i) : [...new Set(dims.map((d) => wrapDim(d, rank)))].sort((a, b) => a - b);
  const keptAxes = Array.from({ length: rank }, (_, i) => i).filter((i) => !reduced.includes(i));
  const moved = reduced.every((d, i) => d === rank - reduced.length + i) ? x : permute(x, [...keptAxes, ...reduced]);
  const inner = numel(reduced.map((d) => x.shape[d]!));
  return { data: moved.data, outer: inner === 0 ? numel(keptAxes.map((d) => x.shape[d]!)) : moved.data.length / inner, inner, kept: keptAxes };
}

/** `x.sum(dims, keepdim)` (dims null: every axis, a 0-d result). */
export function sum(x: Tensor, dims: readonly number[] | null, keepdim = false): Tensor {
  return reduceWith(x, dims, keepdim, (s) => s);
}

/** `x.mean(dims, keepdim)`. */
export function mean(x: Tensor, dims: readonly number[] | null, keepdim = false): Tensor {
  return reduceWith(x, dims, keepdim, (s, n) => Math.fround(s) / n);
}

function reduceWith(x: Tensor, dims: readonly number[] | null, keepdim: boolean, finish: (sum: number, n: number) => number): Tensor {
  const rank = x.shape.length;
  const v = reducedView(x, dims);
  const out = new Float32Array(v.outer);
  for (let o = 0; o < v.outer; o++) {
    let s = 0;
    for (let i = o * v.inner, end = i + v.inner; i < end; i++) s += v.data[i]!;
    out[o] = finish(s, v.inner);
  }
  const shape = keepdim ? x.shape.map((d, i) => (v.kept.includes(i) ? d : 1)) : v.kept.map((i) => x.shape[i]!);
  return tensor(rank === 0 ? [] : shape, out, x.dtype === "bool" ? "int64" : x.dtype);
}

/** Outer × size × inner view of one axis. */
export function axisView(shape: readonly number[], dim: number): { outer: number; size: number; inner: number } {
  const d = wrapDim(dim, shape.length);
  return { outer: numel(shape.slice(0, d)), size: shape[d] ?? 1, inner: numel(shape.slice(d + 1)) };
}

/** `torch.softmax(x, dim)`: exp(x − max) over the axis, divided by its sum (host_softmax). */
export function softmax(x: Tensor, dim: number): Tensor {
  const { outer, size, inner } = axisView(x.shape, dim);
  const out = new Float32Array(x.data.length);
  const e = new Float64Array(size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let max = -Infinity;
      for (let c = 0; c < size; c++) max = Math.max(max, x.data[base + c * inner]!);
      let s = 0;
      for (let c = 0; c < size; c++) {
        e[c] = Math.fround(Math.exp(Math.fround(x.data[base + c * inner]! - max)));
        s += e[c]!;
      }
      const total = Math.fround(s);
      for (let c = 0; c < size; c++) out[base + c * inner] = e[c]! / total;
    }
  }
  return tensor(x.shape, out);
}

/**
 * `F.interpolate(x, size, mode="bilinear", align_corners=True)` on [N, C, H, W]: output (h, w)
 * samples the input at h·(H − 1)/(OH − 1), w·(W − 1)/(OW − 1) (0 when the output is one wide),
 * blending the four neighbours with float32 weights as upsample_bilinear2d does.
 */
export function bilinearAlignCorners(x: Tensor, outH: number, outW: number): Tensor {
  if (x.shape.length !== 4) invalid("interpolate-rank", { rank: x.shape.length });
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const scaleH = outH > 1 ? Math.fround((h - 1) / (outH - 1)) : 0;
  const scaleW = outW > 1 ? Math.fround((w - 1) / (outW - 1)) : 0;
  const out = new Float32Array(n * c * outH * outW);
  const src = (o: number, scale: number, size: number): [number, number, number, number] => {
    const real = Math.fround(scale * o);
    const i0 = Math.floor(real);
    const i1 = i0 < size - 1 ? i0 + 1 : i0;
    const l1 = Math.fround(real - i0);
    return [i0, i1, Math.fround(1 - l1), l1];
  };
  for (let oh = 0; oh < outH; oh++) {
    const [h0, h1, hl0, hl1] = src(oh, scaleH, h);
    for (let ow = 0; ow < outW; ow++) {
      const [w0, w1, wl0, wl1] = src(ow, scaleW, w);
      for (let p = 0; p < n * c; p++) {
        const base = p * h * w;
        const v =
          Math.fround(hl0 * Math.fround(Math.fround(wl0 * x.data[base + h0 * w + w0]!) + Math.fround(wl1 * x.data[base + h0 * w + w1]!))) +
          Math.fround(hl1 * Math.fround(Math.fround(wl0 * x.data[base + h1 * w + w0]!) + Math.fround(wl1 * x.data[base + h1 * w + w1]!)));
        out[(p * outH + oh) * outW + ow] = v;
      }
    }
  }
  return tensor([n, c, outH, outW], out);
}
