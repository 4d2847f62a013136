/**
 * Fields and enum values that Caffe forks added to their own copies of caffe.proto. BVLC
 * Caffe and protoc refuse them; naming the fork tells the user which Caffe their file needs.
 */
const FORK_FIELDS: Record<string, string> = {
  bn_param: "the PSPNet / SegNet / ENet Caffe forks (their `BN` layer)",
  scale_bias: "NVIDIA Caffe (BatchNorm with built-in scale and bias)",
  cache: "NVIDIA Caffe (DataParameter.cache)",
  ceil_mode: "forks with a Pooling `ceil_mode` switch (BVLC has `round_mode`)",
  permute_param: "SSD Caffe (weiliu89)",
  prior_box_param: "SSD Caffe (weiliu89)",
  resize_param: "SSD Caffe (weiliu89)",
  multibox_loss_param: "SSD Caffe (weiliu89)",
  detection_output_param: "SSD Caffe (weiliu89)",
  annotated_data_param: "SSD Caffe (weiliu89)",
  norm_param: "SSD Caffe (weiliu89)",
  emit_constraint: "SSD Caffe (weiliu89)",
  distort_param: "SSD Caffe (weiliu89)",
  expand_param: "SSD Caffe (weiliu89)",
  noise_param: "SSD Caffe (weiliu89)",
  roi_pooling_param: "py-faster-rcnn Caffe",
  smooth_l1_loss_param: "py-faster-rcnn Caffe",
  psroi_pooling_param: "R-FCN Caffe",
  shuffle_channel_param: "ShuffleNet Caffe forks",
  interp_param: "PSPNet / DeepLab Caffe",
  dense_image_data_param: "SegNet Caffe",
  upsample_param: "SegNet Caffe",
  transpose_param: "caffe_ocr",
  reverse_param: "caffe_ocr",
  lstm_param: "caffe_ocr",
  ctc_param: "caffe_ocr / warp-ctc forks",
};

const FORK_ENUM_VALUES: Record<string, string> = {
  IMAGE_SEG_DATA: "DeepLab Caffe",
  INTERP: "DeepLab Caffe",
  SEG_ACCURACY: "DeepLab Caffe",
  INFERENCE: "SegNet / ENet Caffe (bn_mode)",
  LEARN: "SegNet / ENet Caffe (bn_mode)",
};

/** The fork known to define field `name`, if any. */
export function forkOfField(name: string): string | undefined {
  return Object.hasOwn(FORK_FIELDS, name) ? FORK_FIELDS[name] : undefined;
}

/** The fork known to define enum value `name`, if any. */
export function forkOfEnumValue(name: string): string | undefined {
  return Object.hasOwn(FORK_ENUM_VALUES, name) ? FORK_ENUM_VALUES[name] : undefined;
}
