/**
 * Layers that move values without arithmetic, as BVLC Caffe's ConcatLayer, SliceLayer,
 * SplitLayer, CropLayer, FlattenLayer, ReshapeLayer and TileLayer shape and copy them.
 */
import { layerParams } from "../../caffe/layers/params.js";
import * as copy from "../../numeric/kernels/layout.js";
import { axisOf, blobOf, count, needBottoms } from "../blob.js";
import { fail, type Blob, type LayerContext, type LayerExecutor } from "../types.js";

/** The axis of Concat/Slice: the legacy `*_dim` field when written, else the canonical `axis`. */
function legacyAxis(ctx: LayerContext, field: string, legacy: string, rank: number): number {
  const p = layerParams(ctx.layer, field);
  const axis = p.has(legacy) ? p.num(legacy) : axisOf(ctx, p.num("axis"), rank);
  if (axis >= rank) fail("axis-out-of-range", { layer: ctx.layer.name, field: legacy, axis, rank });
  return axis;
}

export const concat: LayerExecutor = {
  types: ["Concat"],
  forward(ctx) {
    needBottoms(ctx, 1, Infinity);
    const first = ctx.bottoms[0]!.shape;
    const axis = legacyAxis(ctx, "concat_param", "concat_dim", first.length);
    for (const b of ctx.bottoms) {
      if (b.shape.length !== first.length || b.shape.some((d, i) => i !== axis && d !== first[i])) {
        fail("concat-shapes", { layer: ctx.layer.name, first: [...first], other: [...b.shape], axis });
      }
    }
    const sizes = ctx.bottoms.map((b) => b.shape[axis]!);
    const shape = [...first];
    shape[axis] = sizes.reduce((a, b) => a + b, 0);
    const top = blobOf(shape);
    copy.concat(ctx.bottoms.map((b) => b.data), sizes, count(first, 0, axis), count(first, axis + 1), top.data);
    return [top];
  },
};

/** Slice: at slice_point (one fewer than tops), or into equal parts (SliceLayer::Reshape). */
export const slice: LayerExecutor = {
  types: ["Slice"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const axis = legacyAxis(ctx, "slice_param", "slice_dim", x.shape.length);
    const total = x.shape[axis]!;
    const tops = ctx.layer.tops.length;
    const points = layerParams(ctx.layer, "slice_param").list("slice_point");
    let bounds: number[];
    if (points.length > 0) {
      if (points.length !== tops - 1) fail("slice-points", { layer: ctx.layer.name, points: points.length, tops });
      bounds = [0, ...points, total];
    } else {
      if (total % tops !== 0) fail("slice-uneven", { layer: ctx.layer.name, size: total, tops });
      bounds = Array.from({ length: tops + 1 }, (_, i) => (i * total) / tops);
    }
    const outer = count(x.shape, 0, axis);
    const inner = count(x.shape, axis + 1);
    return ctx.layer.tops.map((_, i): Blob => {
      const size = bounds[i + 1]! - bounds[i]!;
      if (size <= 0 || bounds[i + 1]! > total) fail("slice-points", { layer: ctx.layer.name, bounds });
      const shape = [...x.shape];
      shape[axis] = size;
      return { shape, data: copy.slice(x.data, total, bounds[i]!, size, outer, inner) };
    });
  },
};

/** Split: every top is the bottom (SplitLayer shares its data). */
export const split: LayerExecutor = {
  types: ["Split"],
  forward(ctx) {
    needBottoms(ctx, 1);
    return ctx.layer.tops.map(() => ctx.bottoms[0]!);
  },
};

/** Crop: bottom 0 cut to bottom 1's dims from `axis` on, at `offset` (one for all axes or one per axis). */
export const crop: LayerExecutor = {
  types: ["Crop"],
  forward(ctx) {
    needBottoms(ctx, 2);
    const [x, ref] = ctx.bottoms as [Blob, Blob];
    const p = layerParams(ctx.layer, "crop_param");
    const rank = x.shape.length;
    const axis = axisOf(ctx, p.num("axis"), rank);
    const given = p.list("offset");
    if (given.length > 1 && axis + given.length !== rank) fail("crop-offsets", { layer: ctx.layer.name, offsets: given.length, axis, rank });
    if (ref.shape.length !== rank) fail("crop-rank", { layer: ctx.layer.name, bottom: [...x.shape], reference: [...ref.shape] });
    const shape = x.shape.map((d, i) => (i < axis ? d : ref.shape[i]!));
    const offsets = x.shape.map((_, i) => (i < axis ? 0 : given.length === 0 ? 0 : given.length === 1 ? given[0]! : given[i - axis]!));
    shape.forEach((d, i) => {
      if (x.shape[i]! - offsets[i]! < d) fail("crop-out-of-bounds", { layer: ctx.layer.name, axis: i, size: x.shape[i], crop: d, offset: offsets[i] });
    });
    return [{ shape, data: copy.crop(x.data, x.shape, offsets, shape) }];
  },
};

/** Flatten: axes axis..end_axis become one (the values are shared, as FlattenLayer does). */
export const flatten: LayerExecutor = {
  types: ["Flatten"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "flatten_param");
    const start = axisOf(ctx, p.num("axis"), x.shape.length);
    const end = axisOf(ctx, p.num("end_axis"), x.shape.length, "end_axis");
    if (end < start) fail("flatten-axes", { layer: ctx.layer.name, start, end });
    return [{ shape: [...x.shape.slice(0, start), count(x.shape, start, end + 1), ...x.shape.slice(end + 1)], data: x.data }];
  },
};

/**
 * Reshape, as ReshapeLayer::Reshape: the axes [axis, axis + num_axes) (axis may be negative,
 * counting from one past the end) are replaced by `shape.dim`; 0 copies the bottom's dim at that
 * position and one −1 is inferred from the count. The values are shared.
 */
export const reshape: LayerExecutor = {
  types: ["Reshape"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "reshape_param");
    const dims = p.msg("shape").list("dim");
    const rank = x.shape.length;
    const axis = p.num("axis");
    const start = axis >= 0 ? axis : rank + axis + 1;
    const numAxes = p.num("num_axes");
    const end = numAxes === -1 ? rank : start + numAxes;
    if (start < 0 || start > rank || numAxes < -1 || end > rank) fail("reshape-axes", { layer: ctx.layer.name, axis, numAxes, rank });
    if (dims.filter((d) => d === -1).length > 1 || dims.some((d) => d < -1)) fail("reshape-dims", { layer: ctx.layer.name, dims });
    const middle = dims.map((d, i) => (d === 0 ? x.shape[start + i]! : d));
    const shape = [...x.shape.slice(0, start), ...middle, ...x.shape.slice(end)];
    const inferred = dims.indexOf(-1);
    if (inferred >= 0) {
      const at = start + inferred;
      const known = shape.reduce((a, d, i) => (i === at ? a : a * d), 1);
      if (known === 0 || x.data.length % known !== 0) fail("reshape-count", { layer: ctx.layer.name, count: x.data.length, shape });
      shape[at] = x.data.length / known;
    }
    if (count(shape) !== x.data.length) fail("reshape-count", { layer: ctx.layer.name, count: x.data.length, shape });
    return [{ shape, data: x.data }];
  },
};

/** Tile: the axis repeated `tiles` times (TileLayer). */
export const tile: LayerExecutor = {
  types: ["Tile"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    const p = layerParams(ctx.layer, "tile_param");
    const axis = axisOf(ctx, p.num("axis"), x.shape.length);
    const tiles = p.num("tiles");
    if (!p.has("tiles") || tiles <= 0) fail("tile-count", { layer: ctx.layer.name, tiles });
    const shape = [...x.shape];
    shape[axis] = shape[axis]! * tiles;
    return [blobOf(shape, copy.tile(x.data, count(x.shape, 0, axis), count(x.shape, axis), tiles))];
  },
};

export const LAYOUT: readonly LayerExecutor[] = [concat, slice, split, crop, flatten, reshape, tile];
