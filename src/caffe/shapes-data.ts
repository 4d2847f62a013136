import type { BlobShape } from "../schema/caffe-types.js";
import { paramView } from "./param-view.js";
import type { ShapeRule } from "./shapes.js";
import type { Dim, Shape } from "./shape-util.js";

const fromBlobShape = (s: BlobShape | undefined): Shape => (s ? [...(s.dim ?? [])] : null);

/**
 * Input: InputLayer::LayerSetUp gives every top the single shape listed, or one shape per top.
 * The layer made from top-level `input` fields carries its shapes (null where not given).
 */
export const inputShape: ShapeRule = ({ layer }) => {
  if (layer.inputShapes) return layer.inputShapes.map((s) => (s ? [...s] : null));
  const shapes = layer.param.input_param?.shape ?? [];
  return layer.tops.map((_, i) => fromBlobShape(shapes.length === 1 ? shapes[0] : shapes[i]));
};

/** The crop side from transform_param (or the legacy data_param copy, before its upgrade). */
function cropSize(layer: Parameters<ShapeRule>[0]["layer"]): number | undefined {
  const crop = layer.param.transform_param?.crop_size ?? layer.param.data_param?.crop_size;
  return crop && crop > 0 ? crop : undefined;
}

/** Label top of the classic data layers: one label per image (BaseDataLayer: `label_shape(1, batch_size)`). */
const withLabel = (layer: Parameters<ShapeRule>[0]["layer"], data: Shape, batch: Dim): Shape[] =>
  layer.tops.map((_, i) => (i === 0 ? data : i === 1 ? [batch] : null));

/**
 * Data (LMDB/LevelDB): 4-D [batch_size, C, H, W]. C, H and W come from the first record of the
 * database (DataTransformer::InferBlobShape), so only a crop_size makes H and W known.
 */
export const dataShape: ShapeRule = ({ layer }) => {
  const batch = layer.param.data_param?.batch_size ?? null;
  const crop = cropSize(layer) ?? null;
  return withLabel(layer, [batch, null, crop, crop], batch);
};

/**
 * ImageData: [batch_size (default 1), 3 or 1 by is_color, H, W] where H, W are crop_size, else
 * new_height/new_width when both are set, else the size of the first image (unknown here).
 */
export const imageDataShape: ShapeRule = ({ layer }) => {
  const p = layer.param.image_data_param ?? {};
  const batch = p.batch_size ?? 1;
  const channels = p.is_color === false ? 1 : 3;
  const crop = cropSize(layer);
  const resized = (p.new_height ?? 0) > 0 && (p.new_width ?? 0) > 0;
  const h = crop ?? (resized ? p.new_height! : null);
  const w = crop ?? (resized ? p.new_width! : null);
  return withLabel(layer, [batch, channels, h, w], batch);
};

/**
 * MemoryData: every dimension is a parameter. The label is [batch_size] at setup, but every
 * Forward_cpu reshapes it to [batch_size, 1, 1, 1]: that is what the net's layers receive.
 */
export const memoryDataShape: ShapeRule = ({ layer }) => {
  const p = layer.param.memory_data_param ?? {};
  const batch = p.batch_size ?? null;
  const data = [batch, p.channels ?? null, p.height ?? null, p.width ?? null];
  return layer.tops.map((_, i) => (i === 0 ? data : i === 1 ? [batch, 1, 1, 1] : null));
};

/** WindowData: square crops of crop_size; channels come from the images. */
export const windowDataShape: ShapeRule = ({ layer }) => {
  const p = layer.param.window_data_param ?? {};
  const batch = p.batch_size ?? null;
  const crop = (p.crop_size ?? 0) > 0 ? p.crop_size! : cropSize(layer) ?? null;
  return withLabel(layer, [batch, null, crop, crop], batch);
};

/**
 * AnnotatedData (the SSD fork): [batch_size, C, H, W] with H, W from the fork's
 * transform_param.resize_param when it gives them. The label top's size depends on the data.
 */
export const annotatedDataShape: ShapeRule = ({ layer, sourceMap }) => {
  const batch = layer.param.data_param?.batch_size ?? null;
  const resize = paramView(layer.param.transform_param, sourceMap).message("resize_param");
  const crop = cropSize(layer);
  const h = crop ?? resize?.number("height") ?? null;
  const w = crop ?? resize?.number("width") ?? null;
  return layer.tops.map((_, i) => (i === 0 ? [batch, null, h || null, w || null] : null));
};

/**
 * DummyData: DummyDataLayer::LayerSetUp takes one `shape` for all tops or one per top; the legacy
 * num/channels/height/width lists likewise hold one value or one per top.
 */
export const dummyDataShape: ShapeRule = ({ layer }) => {
  const p = layer.param.dummy_data_param ?? {};
  const n = layer.tops.length;
  const shapes = p.shape ?? [];
  if (shapes.length > 0) return layer.tops.map((_, i) => fromBlobShape(shapes.length === 1 ? shapes[0] : shapes[i]));
  const pick = (list: number[] | undefined, i: number): Dim => {
    const l = list ?? [];
    if (l.length === 0) return null;
    return (l.length === 1 ? l[0] : l[i]) ?? null;
  };
  const legacy = [p.num, p.channels, p.height, p.width].some((l) => (l?.length ?? 0) > 0);
  if (!legacy) return null;
  return Array.from({ length: n }, (_, i) => [pick(p.num, i), pick(p.channels, i), pick(p.height, i), pick(p.width, i)]);
};
