/**
 * Where each field of a V0 layer (`caffe.V0LayerParameter`) goes in V1, transcribed from the
 * branches of Caffe's UpgradeV0LayerParameter. A V0 layer was one flat message holding the
 * options of every layer type; the upgrade sends each option to the parameter message of the
 * layer's type, and refuses it (LOG(ERROR), "Unknown parameter … for layer type …") for any
 * other type.
 */

/**
 * A destination: the V1 parameter message and its field. `add` appends to a repeated field
 * (ConvolutionParameter's pad/kernel_size/stride); no `field` moves the whole message.
 */
export interface V0Target {
  param: string;
  field?: string;
  add?: true;
}

/** One V0 field: where it goes for each V0 type string, or for every type (`always`). */
export interface V0FieldRule {
  v0: string;
  byType?: Readonly<Record<string, V0Target>>;
  always?: V0Target;
}

const conv = (field: string, add?: true): V0Target => (add ? { param: "convolution_param", field, add } : { param: "convolution_param", field });
const ip = (field: string): V0Target => ({ param: "inner_product_param", field });
const pool = (field: string): V0Target => ({ param: "pooling_param", field });
const lrn = (field: string): V0Target => ({ param: "lrn_param", field });
const data = (field: string): V0Target => ({ param: "data_param", field });
const hdf5 = (field: string): V0Target => ({ param: "hdf5_data_param", field });
const images = (field: string): V0Target => ({ param: "image_data_param", field });
const window = (field: string): V0Target => ({ param: "window_data_param", field });
const transform = (field: string): V0Target => ({ param: "transform_param", field });

/**
 * The rules in Caffe's order. PoolingParameter's pad/kernel_size/stride are singular in BVLC's
 * caffe.proto, so pooling sets them where convolution appends. The preprocessing fields go to
 * transform_param whatever the type, as Caffe does. V0 fields absent here (new_num,
 * new_channels) are dropped without a word by Caffe, and by us.
 */
export const V0_FIELD_RULES: readonly V0FieldRule[] = [
  { v0: "num_output", byType: { conv: conv("num_output"), innerproduct: ip("num_output") } },
  { v0: "biasterm", byType: { conv: conv("bias_term"), innerproduct: ip("bias_term") } },
  { v0: "weight_filler", byType: { conv: conv("weight_filler"), innerproduct: ip("weight_filler") } },
  { v0: "bias_filler", byType: { conv: conv("bias_filler"), innerproduct: ip("bias_filler") } },
  { v0: "pad", byType: { conv: conv("pad", true), pool: pool("pad") } },
  { v0: "kernelsize", byType: { conv: conv("kernel_size", true), pool: pool("kernel_size") } },
  { v0: "group", byType: { conv: conv("group") } },
  { v0: "stride", byType: { conv: conv("stride", true), pool: pool("stride") } },
  // V0LayerParameter.PoolMethod and PoolingParameter.PoolMethod share their value names.
  { v0: "pool", byType: { pool: pool("pool") } },
  { v0: "dropout_ratio", byType: { dropout: { param: "dropout_param", field: "dropout_ratio" } } },
  { v0: "local_size", byType: { lrn: lrn("local_size") } },
  { v0: "alpha", byType: { lrn: lrn("alpha") } },
  { v0: "beta", byType: { lrn: lrn("beta") } },
  { v0: "k", byType: { lrn: lrn("k") } },
  {
    v0: "source",
    byType: {
      data: data("source"),
      hdf5_data: hdf5("source"),
      images: images("source"),
      window_data: window("source"),
      infogain_loss: { param: "infogain_loss_param", field: "source" },
    },
  },
  { v0: "scale", always: transform("scale") },
  { v0: "meanfile", always: transform("mean_file") },
  {
    v0: "batchsize",
    byType: { data: data("batch_size"), hdf5_data: hdf5("batch_size"), images: images("batch_size"), window_data: window("batch_size") },
  },
  { v0: "cropsize", always: transform("crop_size") },
  { v0: "mirror", always: transform("mirror") },
  { v0: "rand_skip", byType: { data: data("rand_skip"), images: images("rand_skip") } },
  { v0: "shuffle_images", byType: { images: images("shuffle") } },
  { v0: "new_height", byType: { images: images("new_height") } },
  { v0: "new_width", byType: { images: images("new_width") } },
  { v0: "concat_dim", byType: { concat: { param: "concat_param", field: "concat_dim" } } },
  { v0: "det_fg_threshold", byType: { window_data: window("fg_threshold") } },
  { v0: "det_bg_threshold", byType: { window_data: window("bg_threshold") } },
  { v0: "det_fg_fraction", byType: { window_data: window("fg_fraction") } },
  { v0: "det_context_pad", byType: { window_data: window("context_pad") } },
  { v0: "det_crop_mode", byType: { window_data: window("crop_mode") } },
  { v0: "hdf5_output_param", byType: { hdf5_output: { param: "hdf5_output_param" } } },
];

/**
 * The V1 enum name of every V0 type string, as Caffe's UpgradeV0LayerType maps them. "padding"
 * is absent on purpose: padding layers are folded away before this mapping is used.
 */
export const V0_LAYER_TYPES: Readonly<Record<string, string>> = {
  accuracy: "ACCURACY",
  bnll: "BNLL",
  concat: "CONCAT",
  conv: "CONVOLUTION",
  data: "DATA",
  dropout: "DROPOUT",
  euclidean_loss: "EUCLIDEAN_LOSS",
  flatten: "FLATTEN",
  hdf5_data: "HDF5_DATA",
  hdf5_output: "HDF5_OUTPUT",
  im2col: "IM2COL",
  images: "IMAGE_DATA",
  infogain_loss: "INFOGAIN_LOSS",
  innerproduct: "INNER_PRODUCT",
  lrn: "LRN",
  multinomial_logistic_loss: "MULTINOMIAL_LOGISTIC_LOSS",
  pool: "POOLING",
  relu: "RELU",
  sigmoid: "SIGMOID",
  softmax: "SOFTMAX",
  softmax_loss: "SOFTMAX_LOSS",
  split: "SPLIT",
  tanh: "TANH",
  window_data: "WINDOW_DATA",
};
