/**
 * TypeScript views of the caffe.proto messages that the net model and the converters read.
 *
 * The reader (src/schema/read.ts) binds a prototxt to plain objects that mirror caffe.proto:
 * keys are the proto field names (snake_case), a singular field that was not written is absent
 * (no defaults are filled in), repeated fields are arrays, enum values are their names and
 * floats are the double value of the decimal written. Every field is therefore optional here;
 * the Caffe defaults are applied where the value is used, next to a comment citing Caffe.
 *
 * Only the messages and fields this project reads are declared; the objects may carry more.
 */

/** `caffe.Phase`. */
export type Phase = "TRAIN" | "TEST";

/** `caffe.BlobShape`: dimensions, outermost first. */
export interface BlobShape {
  dim?: number[];
}

/** `caffe.NetState`: the phase, level and stages a net is instantiated with. */
export interface NetState {
  phase?: Phase;
  level?: number;
  stage?: string[];
}

/** `caffe.NetStateRule`: one include/exclude condition of a layer. */
export interface NetStateRule {
  phase?: Phase;
  min_level?: number;
  max_level?: number;
  stage?: string[];
  not_stage?: string[];
}

/** `caffe.ParamSpec`: training settings of one learnable blob of a layer. */
export interface ParamSpec {
  name?: string;
  share_mode?: "STRICT" | "PERMISSIVE";
  /** Caffe's default is 1. */
  lr_mult?: number;
  /** Caffe's default is 1. */
  decay_mult?: number;
}

/** `caffe.FillerParameter` (only the fields we look at). */
export interface FillerParameter {
  type?: string;
  value?: number;
}

/** `caffe.TransformationParameter`. */
export interface TransformationParameter {
  scale?: number;
  mirror?: boolean;
  crop_size?: number;
  mean_file?: string;
  mean_value?: number[];
  force_color?: boolean;
  force_gray?: boolean;
}

/** `caffe.BatchNormParameter`. Defaults: moving_average_fraction 0.999, eps 1e-5. */
export interface BatchNormParameter {
  use_global_stats?: boolean;
  moving_average_fraction?: number;
  eps?: number;
}

/** `caffe.ScaleParameter`. Defaults: axis 1, num_axes 1, bias_term false. */
export interface ScaleParameter {
  axis?: number;
  num_axes?: number;
  filler?: FillerParameter;
  bias_term?: boolean;
  bias_filler?: FillerParameter;
}

/** `caffe.BiasParameter`. Defaults: axis 1, num_axes 1. */
export interface BiasParameter {
  axis?: number;
  num_axes?: number;
  filler?: FillerParameter;
}

/** `caffe.ConvolutionParameter` (also read by Deconvolution). */
export interface ConvolutionParameter {
  num_output?: number;
  bias_term?: boolean;
  pad?: number[];
  kernel_size?: number[];
  stride?: number[];
  dilation?: number[];
  pad_h?: number;
  pad_w?: number;
  kernel_h?: number;
  kernel_w?: number;
  stride_h?: number;
  stride_w?: number;
  group?: number;
  axis?: number;
  force_nd_im2col?: boolean;
}

/** `caffe.PoolingParameter`. */
export interface PoolingParameter {
  pool?: "MAX" | "AVE" | "STOCHASTIC";
  pad?: number;
  pad_h?: number;
  pad_w?: number;
  kernel_size?: number;
  kernel_h?: number;
  kernel_w?: number;
  stride?: number;
  stride_h?: number;
  stride_w?: number;
  global_pooling?: boolean;
  round_mode?: "CEIL" | "FLOOR";
}

/** `caffe.InnerProductParameter`. */
export interface InnerProductParameter {
  num_output?: number;
  bias_term?: boolean;
  axis?: number;
  transpose?: boolean;
}

/** `caffe.InputParameter`. */
export interface InputParameter {
  shape?: BlobShape[];
}

/** `caffe.DataParameter`. */
export interface DataParameter {
  source?: string;
  batch_size?: number;
  crop_size?: number;
}

/** `caffe.ImageDataParameter`. Defaults: batch_size 1, is_color true. */
export interface ImageDataParameter {
  batch_size?: number;
  new_height?: number;
  new_width?: number;
  is_color?: boolean;
  crop_size?: number;
}

/** `caffe.MemoryDataParameter`. */
export interface MemoryDataParameter {
  batch_size?: number;
  channels?: number;
  height?: number;
  width?: number;
}

/** `caffe.WindowDataParameter`. */
export interface WindowDataParameter {
  batch_size?: number;
  crop_size?: number;
}

/** `caffe.HDF5DataParameter`. */
export interface HDF5DataParameter {
  batch_size?: number;
}

/** `caffe.DummyDataParameter`. */
export interface DummyDataParameter {
  shape?: BlobShape[];
  num?: number[];
  channels?: number[];
  height?: number[];
  width?: number[];
}

/** `caffe.ConcatParameter`. Default axis 1; legacy concat_dim. */
export interface ConcatParameter {
  axis?: number;
  concat_dim?: number;
}

/** `caffe.SliceParameter`. Default axis 1; legacy slice_dim. */
export interface SliceParameter {
  axis?: number;
  slice_point?: number[];
  slice_dim?: number;
}

/** `caffe.FlattenParameter`. Defaults: axis 1, end_axis -1. */
export interface FlattenParameter {
  axis?: number;
  end_axis?: number;
}

/** `caffe.ReshapeParameter`. Defaults: axis 0, num_axes -1. */
export interface ReshapeParameter {
  shape?: BlobShape;
  axis?: number;
  num_axes?: number;
}

/** `caffe.CropParameter`. Default axis 2. */
export interface CropParameter {
  axis?: number;
  offset?: number[];
}

/** `caffe.SoftmaxParameter`. */
export interface SoftmaxParameter {
  axis?: number;
}

/** `caffe.ArgMaxParameter`. */
export interface ArgMaxParameter {
  out_max_val?: boolean;
  top_k?: number;
  axis?: number;
}

/** `caffe.TileParameter`. */
export interface TileParameter {
  axis?: number;
  tiles?: number;
}

/** `caffe.ReductionParameter`. */
export interface ReductionParameter {
  axis?: number;
}

/** `caffe.LayerParameter`, the current (V2) layer form. */
export interface LayerParameter {
  name?: string;
  type?: string;
  bottom?: string[];
  top?: string[];
  phase?: Phase;
  loss_weight?: number[];
  param?: ParamSpec[];
  propagate_down?: boolean[];
  include?: NetStateRule[];
  exclude?: NetStateRule[];
  transform_param?: TransformationParameter;
  batch_norm_param?: BatchNormParameter;
  bias_param?: BiasParameter;
  concat_param?: ConcatParameter;
  convolution_param?: ConvolutionParameter;
  crop_param?: CropParameter;
  data_param?: DataParameter;
  dummy_data_param?: DummyDataParameter;
  flatten_param?: FlattenParameter;
  hdf5_data_param?: HDF5DataParameter;
  image_data_param?: ImageDataParameter;
  inner_product_param?: InnerProductParameter;
  input_param?: InputParameter;
  memory_data_param?: MemoryDataParameter;
  pooling_param?: PoolingParameter;
  reshape_param?: ReshapeParameter;
  scale_param?: ScaleParameter;
  slice_param?: SliceParameter;
  softmax_param?: SoftmaxParameter;
  argmax_param?: ArgMaxParameter;
  tile_param?: TileParameter;
  reduction_param?: ReductionParameter;
  window_data_param?: WindowDataParameter;
}

/** `caffe.NetParameter`, the top-level message of a net prototxt. */
export interface NetParameter {
  name?: string;
  input?: string[];
  input_shape?: BlobShape[];
  input_dim?: number[];
  force_backward?: boolean;
  state?: NetState;
  layer?: LayerParameter[];
  /** Legacy V1 layers; the reader upgrades them to `layer` when asked to. */
  layers?: unknown[];
}
