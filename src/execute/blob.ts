/**
 * Small helpers on blobs shared by the executors: Caffe's Blob::count and CanonicalAxisIndex, and
 * float32 parameter reading.
 */
import { canonicalAxis } from "../caffe/shape-util.js";
import type { Params } from "../caffe/layers/params.js";
import { fail, type Blob, type LayerContext } from "./types.js";
import { freshFloats } from "../numeric/float-pool.js";

/** Blob::count(start, end): the product of dims [start, end) (1 when empty). */
export function count(shape: readonly number[], start = 0, end = shape.length): number {
  let n = 1;
  for (let i = start; i < end; i++) n *= shape[i]!;
  return n;
}

/** Blob::CanonicalAxisIndex, failing as Caffe's CHECK does for an axis out of range. */
export function axisOf(ctx: LayerContext, axis: number, rank: number, field = "axis"): number {
  const a = canonicalAxis(axis, rank);
  if (a === null) fail("axis-out-of-range", { layer: ctx.layer.name, field, axis, rank });
  return a;
}

/** A float field as Caffe holds it (float32). */
export function float(p: Params, name: string): number {
  return Math.fround(p.num(name));
}

/** A blob with the given shape and a zeroed buffer (from the running pool, if any: numeric/float-pool.ts). */
export function blobOf(shape: readonly number[], data?: Float32Array): Blob {
  return { shape: [...shape], data: data ?? freshFloats(count(shape)) };
}

/** The bottoms a layer needs, failing like Caffe's ExactNumBottomBlobs / MinBottomBlobs checks. */
export function needBottoms(ctx: LayerContext, min: number, max = min): void {
  const n = ctx.bottoms.length;
  if (n < min || n > max) fail("bottom-count", { layer: ctx.layer.name, type: ctx.layer.type, count: n, min, max });
}

const fits = (expected: readonly (number | null)[], shape: readonly number[]): boolean =>
  expected.length === shape.length && expected.every((d, k) => d === null || d === shape[k]);

/**
 * Parameter blob `i` with the shape Caffe's LayerSetUp expects (`null` dims are not checked). A
 * blob stored with the legacy num/channels/height/width fields matches, as Blob::ShapeEquals
 * decides, when the expected shape padded with leading 1s to four axes equals it; it is then
 * returned with the expected shape.
 */
export function param(ctx: LayerContext, i: number, expected?: readonly (number | null)[]): Blob {
  const blob = ctx.params[i];
  if (!blob) fail("missing-params", { layer: ctx.layer.name, type: ctx.layer.type, index: i, count: ctx.params.length });
  if (!expected || fits(expected, blob.shape)) return blob;
  if (blob.legacy && expected.length <= 4 && fits([...new Array<number>(4 - expected.length).fill(1), ...expected], blob.shape)) {
    return { shape: blob.shape.slice(4 - expected.length), data: blob.data };
  }
  return fail("param-shape", { layer: ctx.layer.name, index: i, expected: [...expected], actual: [...blob.shape] });
}

/** Whether top `i` is computed in place (it names bottom `i`: Caffe then hands the layer one buffer). */
export function inPlace(ctx: LayerContext, i = 0): boolean {
  return ctx.layer.tops[i] !== undefined && ctx.layer.tops[i] === ctx.layer.bottoms[i];
}

/** A 0-axis blob holding `value` (the shape LossLayer::Reshape gives top 0). */
export const scalar = (value: number): Blob => ({ shape: [], data: Float32Array.of(value) });

/** Blob::LegacyShape(i): dims past the blob's axes read 1 (blobs of more than 4 axes are refused). */
export function legacyDim(ctx: LayerContext, shape: readonly number[], i: number): number {
  if (shape.length > 4) fail("legacy-shape", { layer: ctx.layer.name, shape: [...shape] });
  return i < shape.length ? shape[i]! : 1;
}

/** The tops a layer writes, failing like Caffe's ExactNumTopBlobs / MinTopBlobs / MaxTopBlobs checks. */
export function needTops(ctx: LayerContext, min: number, max = min): void {
  const n = ctx.layer.tops.length;
  if (n < min || n > max) fail("top-count", { layer: ctx.layer.name, type: ctx.layer.type, expected: { min, max }, actual: n });
}
