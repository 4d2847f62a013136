import type { SourceMap } from "../schema/locations.js";
import type { BlobGraph } from "./blobs.js";
import type { NetLayer, NetModel } from "./net.js";
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
  concatShape,
  cropShape,
  eltwiseShape,
  flattenShape,
  innerProductShape,
  permuteShape,
  reshapeShape,
  sameAsFirst,
  scalarShape,
  sliceShape,
  splitShape,
  tileShape,
} from "./shapes-tensor.js";
import type { Shape } from "./shape-util.js";

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
  ["Convolution", convolutionShape],
  // Fork depthwise convolutions read the same convolution_param and compute the same geometry.
  ["DepthwiseConvolution", convolutionShape],
  ["ConvolutionDepthwise", convolutionShape],
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
]);

/** Whether `type` has a shape rule. */
export function hasShapeRule(type: string): boolean {
  return RULES.has(type);
}

/** Shapes given for blobs that data layers make, by blob name (e.g. a Data layer's channels). */
export type InputShapes = ReadonlyMap<string, readonly number[]>;

/** `shape` with its unknown dims taken from `given` (the whole of `given` when unknown; kept when the ranks differ). */
function fillUnknown(shape: Shape, given: readonly number[]): Shape {
  if (shape === null) return [...given];
  if (shape.length !== given.length) return shape;
  return shape.map((d, i) => d ?? given[i]!);
}

/**
 * Infers the shape of every blob version, walking the layers in order as Caffe's Net::Init calls
 * each layer's Reshape. Returns one entry per version id (null: unknown). `given` fills the
 * dims a layer without bottoms (Input, data layers) leaves unknown; known dims win.
 */
export function inferShapes(model: NetModel, graph: BlobGraph, sourceMap?: SourceMap, given?: InputShapes): Shape[] {
  const shapes: Shape[] = graph.versions.map(() => null);
  model.layers.forEach((layer, position) => {
    const inputs = graph.bottoms[position]!.map((id) => shapes[id] ?? null);
    const rule = RULES.get(layer.type);
    const outputs = rule ? rule({ layer, inputs, sourceMap }) : null;
    graph.tops[position]!.forEach((id, top) => {
      const fill = layer.bottoms.length === 0 ? given?.get(layer.tops[top]!) : undefined;
      const s = fill ? fillUnknown(outputs?.[top] ?? null, fill) : outputs?.[top] ?? null;
      // A size that is not a non-negative integer (a parameter out of range) is unknown, not wrong.
      shapes[id] = s ? s.map((d) => (d !== null && Number.isInteger(d) && d >= 0 ? d : null)) : null;
    });
  });
  return shapes;
}
