import type { SourceMap } from "../schema/locations.js";
import type { BlobGraph } from "./blobs.js";
import type { NetLayer, NetModel } from "./net.js";
import { axpyShape, convolutionDepthwiseShape, denseImageDataShape, interpShape, upsampleShape } from "./shapes-fork.js";
import { convolutionShape, deconvolutionShape, poolingShape } from "./shapes-spatial.js";
import {
  annotatedDataShape,
  dataShape,
  dummyDataShape,
  imageDataShape,
  inputShape,
  memoryDataShape,
  windowDataShape,
} from "./shapes-data.js";
import {
  argMaxShape,
  concatShape,
  cropShape,
  eltwiseShape,
  embedShape,
  flattenShape,
  innerProductShape,
  parameterShape,
  permuteShape,
  reductionShape,
  reshapeShape,
  sameAsFirst,
  scalarShape,
  sliceShape,
  splitShape,
  tileShape,
} from "./shapes-tensor.js";
import type { Shape } from "./shape-util.js";
import { OCR_SHAPE_RULES } from "./layers/ocr.js";
import { ROI_SHAPE_RULES } from "./layers/roi-pooling.js";
import { SSD_SHAPE_RULES } from "./layers/ssd.js";

export type { Dim, Shape } from "./shape-util.js";

/** What a shape rule sees: the layer and the shapes of its bottoms. */
export interface ShapeContext {
  layer: NetLayer;
  inputs: Shape[];
  sourceMap?: SourceMap;
}

/** Computes one shape per top, or null when nothing can be said (every top unknown). */
export type ShapeRule = (ctx: ShapeContext) => Shape[] | null;

/**
 * Layer types whose output shape we compute, by Caffe type string. Types not listed (Python
 * layers, most fork layers) give unknown shapes downstream — never an error.
 */
const RULES: ReadonlyMap<string, ShapeRule> = new Map<string, ShapeRule>([
  ["Input", inputShape],
  ["Data", dataShape],
  ["ImageData", imageDataShape],
  ["MemoryData", memoryDataShape],
  ["WindowData", windowDataShape],
  ["DummyData", dummyDataShape],
  ["AnnotatedData", annotatedDataShape],
  ["DenseImageData", denseImageDataShape],
  ["Convolution", convolutionShape],
  // yonghenglh6's DepthwiseConvolution is a BaseConvolutionLayer: num_output and group as written.
  ["DepthwiseConvolution", convolutionShape],
  ["ConvolutionDepthwise", convolutionDepthwiseShape],
  ["Interp", interpShape],
  ["Upsample", upsampleShape],
  ["Axpy", axpyShape],
  ["Deconvolution", deconvolutionShape],
  ["Pooling", poolingShape],
  ["InnerProduct", innerProductShape],
  ["Eltwise", eltwiseShape],
  ["Concat", concatShape],
  ["Slice", sliceShape],
  ["Split", splitShape],
  ["Flatten", flattenShape],
  ["Reshape", reshapeShape],
  ["Crop", cropShape],
  ["Tile", tileShape],
  ["Permute", permuteShape],
  ["Reduction", reductionShape],
  ["ArgMax", argMaxShape],
  ["Embed", embedShape],
  ["Parameter", parameterShape],
  ...[
    "Softmax",
    "LRN",
    "MVN",
    "ReLU",
    "PReLU",
    "Sigmoid",
    "TanH",
    "ELU",
    "Power",
    "AbsVal",
    "BNLL",
    "Exp",
    "Log",
    "Clip",
    "Swish",
    "Threshold",
    "Dropout",
    "BatchNorm",
    "Scale",
    "Bias",
    // Fork layers that keep their input's shape: BN (SegNet/PSPNet/ENet), SSD's Normalize,
    // ShuffleNet's ShuffleChannel, MobileNet forks' ReLU6.
    "BN",
    "Normalize",
    "ShuffleChannel",
    "ReLU6",
  ].map((t): [string, ShapeRule] => [t, sameAsFirst]),
  ...["SoftmaxWithLoss", "EuclideanLoss", "SigmoidCrossEntropyLoss", "HingeLoss", "InfogainLoss", "MultinomialLogisticLoss", "ContrastiveLoss"].map(
    (t): [string, ShapeRule] => [t, scalarShape],
  ),
  // Detection and OCR fork layers (SSD, Faster R-CNN, R-FCN, caffe_ocr): src/caffe/layers/.
  ...SSD_SHAPE_RULES,
  ...ROI_SHAPE_RULES,
  ...OCR_SHAPE_RULES,
]);

/** Whether `type` has a shape rule. */
export function hasShapeRule(type: string): boolean {
  return RULES.has(type);
}

/**
 * Infers the shape of every blob version, walking the layers in order as Caffe's Net::Init calls
 * each layer's Reshape. Returns one entry per version id (null: unknown). `given` sets versions'
 * shapes from outside the prototxt (input-shapes.ts resolves `--input-shape` to version ids): they
 * replace what the writing layer declares, and the layers downstream are computed from them.
 */
export function inferShapes(model: NetModel, graph: BlobGraph, sourceMap?: SourceMap, given?: ReadonlyMap<number, readonly number[]>): Shape[] {
  // A blob nobody writes has no layer to run; a given shape is its only source.
  const shapes: Shape[] = graph.versions.map((v) => (v.producer === null ? copy(given?.get(v.id)) : null));
  model.layers.forEach((layer, position) => {
    const inputs = graph.bottoms[position]!.map((id) => shapes[id] ?? null);
    const rule = RULES.get(layer.type);
    const outputs = rule ? rule({ layer, inputs, sourceMap }) : null;
    graph.tops[position]!.forEach((id, top) => {
      const s = given?.get(id) ?? outputs?.[top] ?? null;
      // A size that is not a non-negative integer (a parameter out of range) is unknown, not wrong.
      shapes[id] = s ? s.map((d) => (d !== null && Number.isInteger(d) && d >= 0 ? d : null)) : null;
    });
  });
  return shapes;
}

const copy = (dims: readonly number[] | undefined): Shape => (dims === undefined ? null : [...dims]);
