/**
 * The catalogue of Caffe layer types: the one explicit list every stage keys its per-type knowledge
 * by (lint's known types, the loss test, export's converters, the support table in docs/layers.md).
 */

/** What a layer does in the net, as far as the stages need to know. */
export type LayerRole =
  /** Brings data into the net (its tops are net inputs). */
  | "data"
  /** Computes a loss (Caffe gives its first top loss_weight 1 by default). */
  | "loss"
  /** Arithmetic on blobs. */
  | "compute"
  /** Moves or drops blobs without arithmetic (Split, Silence), or writes data out. */
  | "meta";

/** One layer type. */
export interface LayerType {
  type: string;
  /** `bvlc`: registered by BVLC Caffe master; `fork`: defined by a Caffe fork. */
  origin: "bvlc" | "fork";
  /** For fork types: the forks that define it. */
  fork?: string;
  role: LayerRole;
}

const bvlc = (role: LayerRole, ...types: string[]): LayerType[] => types.map((type) => ({ type, origin: "bvlc", role }));
const fork = (name: string, role: LayerRole, ...types: string[]): LayerType[] => types.map((type) => ({ type, origin: "fork", fork: name, role }));

/**
 * Every type BVLC Caffe master registers (REGISTER_LAYER_CLASS / REGISTER_LAYER_CREATOR in
 * src/caffe/layers and layer_factory.cpp; `Python` needs WITH_PYTHON_LAYER but is BVLC's), then the
 * fork types found in real model files.
 */
export const LAYERS: readonly LayerType[] = [
  ...bvlc("data", "Data", "DummyData", "HDF5Data", "ImageData", "Input", "MemoryData", "WindowData"),
  ...bvlc("loss", "ContrastiveLoss", "EuclideanLoss", "HingeLoss", "InfogainLoss", "MultinomialLogisticLoss", "SigmoidCrossEntropyLoss", "SoftmaxWithLoss"),
  ...bvlc("meta", "HDF5Output", "Silence", "Split"),
  ...bvlc(
    "compute",
    "AbsVal", "Accuracy", "ArgMax", "BatchNorm", "BatchReindex", "Bias", "BNLL", "Clip", "Concat", "Convolution", "Crop",
    "Deconvolution", "Dropout", "Eltwise", "ELU", "Embed", "Exp", "Filter", "Flatten", "Im2col", "InnerProduct", "Log", "LRN",
    "LSTM", "MVN", "Parameter", "Pooling", "Power", "PReLU", "Python", "Reduction", "ReLU", "Reshape", "RNN", "Scale", "Sigmoid",
    "Slice", "Softmax", "SPP", "Swish", "TanH", "Threshold", "Tile",
  ),
  ...fork("SegNet / ENet / PSPNet Caffe", "compute", "BN"),
  ...fork("MobileNet depthwise-convolution forks", "compute", "DepthwiseConvolution", "ConvolutionDepthwise"),
  ...fork("MobileNet forks", "compute", "ReLU6"),
  ...fork("ShuffleNet Caffe forks", "compute", "ShuffleChannel"),
  ...fork("PSPNet / DeepLab Caffe", "compute", "Interp"),
  ...fork("DeepLab Caffe", "data", "ImageSegData"),
  ...fork("DeepLab Caffe", "compute", "SegAccuracy"),
  ...fork("SegNet Caffe", "compute", "Upsample"),
  ...fork("SegNet Caffe", "data", "DenseImageData"),
  ...fork("py-faster-rcnn Caffe", "compute", "ROIPooling"),
  ...fork("py-faster-rcnn Caffe", "loss", "SmoothL1Loss"),
  ...fork("R-FCN Caffe", "compute", "PSROIPooling"),
  ...fork("R-FCN Caffe", "loss", "SmoothL1LossOHEM"),
  ...fork("SSD Caffe (weiliu89)", "data", "AnnotatedData", "VideoData"),
  ...fork("SSD Caffe (weiliu89)", "compute", "PriorBox", "Permute", "Normalize", "DetectionOutput", "DetectionEvaluate"),
  ...fork("SSD Caffe (weiliu89)", "loss", "MultiBoxLoss"),
  ...fork("SENet Caffe ports", "compute", "Axpy"),
  ...fork("caffe_ocr", "compute", "Lstm", "Reverse", "Transpose", "CTCGreedyDecoder"),
  ...fork("caffe_ocr / warp-ctc forks", "loss", "WarpCTCLoss"),
];

const BY_TYPE: ReadonlyMap<string, LayerType> = (() => {
  const map = new Map<string, LayerType>();
  for (const t of LAYERS) {
    if (map.has(t.type)) throw new Error(`layer type ${t.type} is listed twice`);
    map.set(t.type, t);
  }
  return map;
})();

/** The catalogue entry of `type`, if it is a known type. */
export function layerType(type: string): LayerType | undefined {
  return BY_TYPE.get(type);
}

/** Whether `type` is a BVLC Caffe type. */
export function isBvlcType(type: string): boolean {
  return BY_TYPE.get(type)?.origin === "bvlc";
}

/** The forks known to define `type`, for a fork type. */
export function forkOfType(type: string): string | undefined {
  return BY_TYPE.get(type)?.fork;
}

/** Whether a layer of `type` is a loss layer (Caffe's default loss_weight 1 on its first top). */
export function isLossType(type: string): boolean {
  return BY_TYPE.get(type)?.role === "loss";
}
