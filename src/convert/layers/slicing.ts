import { layerParams } from "../../caffe/layers/params.js";
import { canonicalAxis } from "../../caffe/shape-util.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

const expr = (e: string): LayerConversion => ({ module: null, call: { kind: "expr", expr: e } });

/** `:, :, ` — the full slices that put an index at `axis`. */
const leading = (axis: number): string => ":, ".repeat(axis);

/**
 * Slice → `torch.tensor_split`: at `slice_point` (each point ends one top, so the points are
 * tensor_split's indices), or into as many equal parts as tops. slice_layer.cpp: legacy
 * `slice_dim` (never negative) wins when written, writing both is an error; points must rise
 * strictly; an even split must divide the axis; with one top the top shares the bottom's data.
 */
function slice(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "slice_param");
  if (p.has("axis") && p.has("slice_dim")) return { refused: "slice-axis-and-dim" };
  const input = ctx.inputs[0] ?? null;
  const axisParam = p.has("slice_dim") ? p.num("slice_dim") : p.num("axis");
  const axis = input === null ? axisParam : canonicalAxis(axisParam, input.length);
  if (axis === null) return { refused: "axis-out-of-range", data: { axis: axisParam, rank: input?.length ?? null } };
  const tops = ctx.layer.tops.length;
  const size = input?.[axis] ?? null;
  const points = p.list("slice_point");
  if (points.length > 0 && points.length !== tops - 1) return { refused: "slice-point-count", data: { points: points.length, tops } };
  if (tops === 1) return { module: null, call: { kind: "alias" } };
  if (points.length === 0) {
    if (size !== null && size % tops !== 0) return { refused: "slice-uneven", data: { size, tops } };
    return expr(`torch.tensor_split({0}, ${tops}, dim=${axis})`);
  }
  // Each point must exceed the one before it (the first exceeds 0) and none the axis size.
  if (points.some((pt, i) => pt <= (i === 0 ? 0 : points[i - 1]!)) || (size !== null && points[points.length - 1]! > size)) {
    return { refused: "slice-points", data: { points: points.join(","), size } };
  }
  return expr(`torch.tensor_split({0}, [${points.join(", ")}], dim=${axis})`);
}

/**
 * Crop → slicing: the axes from `axis` on take bottom 1's sizes, starting at `offset` (none: 0;
 * one value: every cropped axis; else one per cropped axis), as crop_layer.cpp's Reshape does on
 * every forward; the sizes are read from bottom 1 at run time for the same reason.
 */
function crop(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "crop_param");
  const [input, reference] = [ctx.inputs[0] ?? null, ctx.inputs[1] ?? null];
  if (ctx.layer.bottoms.length !== 2) return { refused: "crop-bottoms", data: { bottoms: ctx.layer.bottoms.length } };
  if (input === null) return { refused: "input-shape-unknown" };
  const axis = canonicalAxis(p.num("axis"), input.length);
  if (axis === null) return { refused: "axis-out-of-range", data: { axis: p.num("axis"), rank: input.length } };
  const given = p.list("offset");
  const cropped = input.length - axis;
  if (given.length > 1 && given.length !== cropped) return { refused: "crop-offset-count", data: { offsets: given.length, axes: cropped } };
  const offsets = Array.from({ length: cropped }, (_, i) => (given.length === 0 ? 0 : given.length === 1 ? given[0]! : given[i]!));
  for (let i = 0; i < cropped; i++) {
    const [have, want] = [input[axis + i] ?? null, reference?.[axis + i] ?? null];
    if (have !== null && want !== null && offsets[i]! + want > have) return { refused: "crop-out-of-bounds", data: { axis: axis + i, offset: offsets[i]!, size: want, input: have } };
  }
  const parts = offsets.map((o, i) => {
    const end = `{1}.shape[${axis + i}]`;
    return o === 0 ? `:${end}` : `${o}:${o} + ${end}`;
  });
  return expr(`{0}[${leading(axis)}${parts.join(", ")}]`);
}

/** Tile → `repeat`: TileLayer copies each block from `axis` on `tiles` times in a row (tile_layer.cpp). */
function tile(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "tile_param");
  const input = ctx.inputs[0] ?? null;
  if (input === null) return { refused: "input-shape-unknown" };
  const axis = canonicalAxis(p.num("axis"), input.length);
  if (axis === null) return { refused: "axis-out-of-range", data: { axis: p.num("axis"), rank: input.length } };
  // TileLayer::Reshape requires `tiles` written and positive.
  if (!p.has("tiles") || p.num("tiles") < 1) return { refused: "tile-count", data: { tiles: p.has("tiles") ? p.num("tiles") : null } };
  const repeats = input.map((_, i) => (i === axis ? p.num("tiles") : 1));
  return expr(`{0}.repeat(${repeats.join(", ")})`);
}

/** Slice, Crop, Tile: layers that cut or repeat a blob. */
export const slicingConverter: LayerConverter = {
  types: ["Slice", "Crop", "Tile"],
  convert(ctx) {
    switch (ctx.layer.type) {
      case "Slice":
        return slice(ctx);
      case "Crop":
        return crop(ctx);
      case "Tile":
        return tile(ctx);
      default:
        return { refused: "unknown-type" };
    }
  },
};
