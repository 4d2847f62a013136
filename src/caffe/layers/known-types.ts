/**
 * Layer types registered by BVLC Caffe (master): every `REGISTER_LAYER_CLASS` /
 * `REGISTER_LAYER_CREATOR` in src/caffe/layers and layer_factory.cpp. `Python` needs a build
 * WITH_PYTHON_LAYER, but is BVLC's own.
 */
export const BVLC_LAYER_TYPES: ReadonlySet<string> = new Set([
  "AbsVal", "Accuracy", "ArgMax", "BatchNorm", "BatchReindex", "Bias", "BNLL", "Clip", "Concat",
  "ContrastiveLoss", "Convolution", "Crop", "Data", "Deconvolution", "Dropout", "DummyData", "Eltwise",
  "ELU", "Embed", "EuclideanLoss", "Exp", "Filter", "Flatten", "HDF5Data", "HDF5Output", "HingeLoss",
  "Im2col", "ImageData", "InfogainLoss", "InnerProduct", "Input", "Log", "LRN", "LSTM", "MemoryData",
  "MultinomialLogisticLoss", "MVN", "Parameter", "Pooling", "Power", "PReLU", "Python", "Reduction",
  "ReLU", "Reshape", "RNN", "Scale", "Sigmoid", "SigmoidCrossEntropyLoss", "Silence", "Slice", "Softmax",
  "SoftmaxWithLoss", "Split", "SPP", "Swish", "TanH", "Threshold", "Tile", "WindowData",
]);

/** Where well-known fork layer types come from (the forks that define them). */
const FORK_LAYER_TYPES: Readonly<Record<string, string>> = {
  DepthwiseConvolution: "MobileNet depthwise-convolution forks",
  ConvolutionDepthwise: "MobileNet depthwise-convolution forks",
  ReLU6: "MobileNet forks",
  ShuffleChannel: "ShuffleNet Caffe forks",
  Interp: "PSPNet / DeepLab Caffe",
  ImageSegData: "DeepLab Caffe",
  SegAccuracy: "DeepLab Caffe",
  Upsample: "SegNet Caffe",
  DenseImageData: "SegNet Caffe",
  ROIPooling: "py-faster-rcnn Caffe",
  SmoothL1Loss: "py-faster-rcnn Caffe",
  PSROIPooling: "R-FCN Caffe",
  SmoothL1LossOHEM: "R-FCN Caffe",
  AnnotatedData: "SSD Caffe (weiliu89)",
  PriorBox: "SSD Caffe (weiliu89)",
  MultiBoxLoss: "SSD Caffe (weiliu89)",
  Permute: "SSD Caffe (weiliu89)",
  Normalize: "SSD Caffe (weiliu89)",
  DetectionOutput: "SSD Caffe (weiliu89)",
  DetectionEvaluate: "SSD Caffe (weiliu89)",
  VideoData: "SSD Caffe (weiliu89)",
  Lstm: "caffe_ocr",
  Reverse: "caffe_ocr",
  Transpose: "caffe_ocr",
  WarpCTCLoss: "caffe_ocr / warp-ctc forks",
  CTCGreedyDecoder: "caffe_ocr",
};

/** Every fork layer type listed above, for suggestions. */
export const FORK_LAYER_TYPE_NAMES: readonly string[] = Object.keys(FORK_LAYER_TYPES);

/** The fork known to define layer type `type`, if any. */
export function forkOfLayerType(type: string): string | undefined {
  return Object.hasOwn(FORK_LAYER_TYPES, type) ? FORK_LAYER_TYPES[type] : undefined;
}
