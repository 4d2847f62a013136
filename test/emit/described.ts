/**
 * What test/emit/check_module.py's `describe` prints for an emitted module (read by the emitter's
 * and the corpus's real-PyTorch tests).
 */
export interface DescribedModule {
  class: string;
  mro: string[];
  num_features: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  track_running_stats: boolean;
  weight_requires_grad: boolean | null;
  bias_requires_grad: boolean | null;
  moving_average_fraction: number | null;
  caffe_scale_factor: number[] | null;
  training_after_build: boolean;
  training_when_training: boolean;
  training_when_not_training: boolean;
}

/** The whole emitted file, as `describe` reports it. */
export interface Described {
  doc: string;
  all: string[];
  source: string;
  net: string | null;
  phase: string;
  layer_names: Record<string, string>;
  modes: Record<string, string>;
  training_flags: Record<string, [boolean, boolean]>;
  skipped: Record<string, string>;
  is_module_dict: boolean;
  /** ModuleDict.training after set_training(True), then after set_training(False). */
  container_training: [boolean, boolean];
  keys: string[];
  attribute_access: boolean;
  modules: Record<string, DescribedModule>;
}
