import { layerParams } from "../../caffe/layers/params.js";
import { pyFloat } from "../python-literals.js";
import type { FillerSpec, NodeNote, TransformSpec } from "../torch-graph.js";
import { fillerOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * Layers that bring data into the net become arguments of `forward`: Input (and the `input:`
 * fields), and the data layers, whose tops (data, label) have the shapes they produce; SegNet's
 * DenseImageData (image and label image) among them.
 */
export const DATA_TYPES: readonly string[] = ["Input", "Data", "ImageData", "HDF5Data", "MemoryData", "WindowData", "AnnotatedData", "DenseImageData"];

/** Data layers whose images go through Caffe's DataTransformer (BaseDataLayer's transform_param). */
const TRANSFORMED: ReadonlySet<string> = new Set(["Data", "ImageData", "MemoryData", "AnnotatedData"]);

/** What each data layer type's images go through besides transform_param, as a note code. */
const TRANSFORM_NOTES: Readonly<Record<string, string>> = {
  // ImageDataLayer resizes to new_height × new_width (when set) before the transformer.
  ImageData: "image-data-resize",
  // MemoryDataLayer transforms only AddDatumVector/AddMatVector data; Reset (pycaffe's
  // set_input_arrays) passes its arrays as they are.
  MemoryData: "memory-data-transform",
  // The SSD fork's resize/distort/expand/noise parameters are not applied by preprocess.
  AnnotatedData: "annotated-data-transform",
  // WindowDataLayer warps windows of its images itself (context_pad, crop_mode): no preprocess.
  WindowData: "window-data-warp",
  // HDF5DataLayer has no transformer: its arrays are the net's input as they are.
  HDF5Data: "hdf5-data-raw",
};

/** transform_param with Caffe's defaults, or undefined when it changes nothing. */
function transformOf(ctx: LayerContext): TransformSpec | undefined {
  const p = layerParams(ctx.layer, "transform_param");
  const spec: TransformSpec = {
    layer: ctx.layer.name,
    cropSize: p.num("crop_size"),
    mirror: p.bool("mirror"),
    scale: p.num("scale"),
    meanValues: p.list("mean_value"),
    meanFile: p.has("mean_file") ? p.str("mean_file") : null,
  };
  const identity = spec.cropSize === 0 && !spec.mirror && spec.scale === 1 && spec.meanValues.length === 0 && spec.meanFile === null;
  return identity ? undefined : spec;
}

/** Input and data layers: arguments of forward, with the transform their images went through. */
function dataLayer(ctx: LayerContext): LayerConversion {
  const type = ctx.layer.type;
  const notes: NodeNote[] = [];
  const transform = TRANSFORMED.has(type) ? transformOf(ctx) : undefined;
  // A note where transform_param is written (or, for WindowData, always: it never uses it).
  const written = ctx.layer.param.transform_param !== undefined;
  const note = TRANSFORM_NOTES[type];
  if (note !== undefined && (written || type === "WindowData")) notes.push({ code: note, data: {} });
  return { module: null, call: { kind: "input" }, notes, ...(transform ? { transform } : {}) };
}

const shapeTuple = (shape: readonly number[]): string => `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;

/**
 * The expression that fills one DummyData top as its Caffe filler does: constant (filled once at
 * setup), gaussian and uniform (DummyDataLayer refills both at every forward).
 */
function fillExpr(filler: FillerSpec, shape: readonly number[]): string | LayerRefusal {
  const size = shapeTuple(shape);
  switch (filler.type) {
    case "constant":
      return `torch.full(${size}, ${pyFloat(filler.value)})`;
    case "gaussian":
      // GaussianFiller with sparse >= 0 zeroes weights at random per output: not a plain fill.
      if (filler.sparse >= 0) return { refused: "dummy-filler-sparse", data: { sparse: filler.sparse } };
      return `torch.normal(${pyFloat(filler.mean)}, ${pyFloat(filler.std)}, ${size})`;
    case "uniform":
      return `torch.empty(${size}).uniform_(${pyFloat(filler.min)}, ${pyFloat(filler.max)})`;
    default:
      return { refused: "dummy-filler", data: { filler: filler.type } };
  }
}

/**
 * DummyData: each top is the constant its filler gives (one filler for every top, one per top,
 * or none: constant 0), with the shape DummyDataLayer::LayerSetUp gives it.
 */
function dummyData(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "dummy_data_param");
  const fillers = p.msgs("data_filler").map(fillerOf);
  const n = ctx.layer.tops.length;
  if (fillers.length > 1 && fillers.length !== n) return { refused: "dummy-filler-count", data: { fillers: fillers.length, tops: n } };
  const exprs: string[] = [];
  for (let i = 0; i < n; i++) {
    const shape = ctx.outputs[i];
    if (!shape || shape.some((d) => d === null)) return { refused: "shape-unknown", data: { top: i } };
    const filler = fillers.length === 0 ? fillerOf(p.msg("data_filler")) : fillers[fillers.length === 1 ? 0 : i]!;
    const e = fillExpr(filler, shape as number[]);
    if (typeof e !== "string") return e;
    exprs.push(e);
  }
  const expr = exprs.length === 1 ? exprs[0]! : `(${exprs.join(", ")})`;
  return { module: null, call: { kind: "expr", expr } };
}

/** Input and data layers, and DummyData. */
export const dataConverter: LayerConverter = {
  types: [...DATA_TYPES, "DummyData"],
  convert: (ctx) => (ctx.layer.type === "DummyData" ? dummyData(ctx) : dataLayer(ctx)),
};
