/**
 * The plain-data form of a whole net in PyTorch terms: what `export` writes as `model.py`, what
 * the weights writer fills and what later stages (verify, solver) read. JSON-able throughout:
 * no functions, no class instances.
 */

/**
 * A Python value as a converter states it. Strings are data (written as escaped literals);
 * `{ raw }` is Python source that only our converters write (never text from a prototxt);
 * `{ tuple }` is a Python tuple.
 */
export type PyValue = number | boolean | string | null | PyValue[] | { tuple: PyValue[] } | { raw: string };

/** How Caffe's blob data reaches a PyTorch tensor. */
export type BlobLayout =
  /** Same shape, same values. */
  | { kind: "same" }
  /** Same values in row-major order, new shape (legacy 4-D InnerProduct blobs, 0-D blobs). */
  | { kind: "reshape"; shape: number[] }
  /** A 2-D blob transposed (InnerProduct with `transpose: true` stores [K, N]). */
  | { kind: "transpose" }
  /** BatchNorm statistics: `blob · fround(1/s)` with s the layer's third blob (0 → 0). */
  | { kind: "bn-statistic"; scaleBlob: number }
  /** BatchNorm's scale factor s as PyTorch's `num_batches_tracked` (int64). */
  | { kind: "bn-batches"; fraction: number }
  /** Kept as it is (Caffe's scale factor for the `--exact` modules). */
  | { kind: "bn-scale-factor" };

/** Where one Caffe parameter blob goes in the PyTorch model. */
export interface ParamBinding {
  /** The blob's index in the Caffe layer. */
  blob: number;
  /** The `state_dict()` key it fills, or null when PyTorch has no counterpart. */
  key: string | null;
  /** The shape of the PyTorch tensor; null when unknown before the weights are read. */
  shape: number[] | null;
  /** The shape Caffe gives the blob (what a caffemodel must hold), null when unknown. */
  caffeShape: number[] | null;
  layout: BlobLayout;
  /** A parameter (trained) or a buffer (BatchNorm statistics). */
  kind: "parameter" | "buffer";
  /** `param { lr_mult }` in force for this blob (Caffe's default 1). */
  lrMult: number;
  /** `param { decay_mult }` in force (default 1). */
  decayMult: number;
  /** `param { name }`: blobs sharing a name share one tensor in Caffe. */
  shareName: string | null;
  /** The Caffe filler that initialises the blob without weights. */
  filler: FillerSpec | null;
  /** A second tensor computed from the same blob (BatchNorm's scale factor → num_batches_tracked). */
  derived?: { key: string; layout: BlobLayout };
}

/**
 * A tensor with a fixed value that no Caffe blob holds (the zero bias of a bias-free Scale, the
 * unit running variance of a fork BatchNorm that keeps no statistics).
 */
export interface ConstantState {
  key: string;
  shape: number[];
  value: number;
  /** float32 (default) or int64 (a BatchNorm's num_batches_tracked). */
  dtype?: "F32" | "I64";
}

/** A Caffe FillerParameter with its defaults applied. */
export interface FillerSpec {
  type: string;
  value: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  sparse: number;
  varianceNorm: "FAN_IN" | "FAN_OUT" | "AVERAGE";
}

/** A module constructed in `Net.__init__`. */
export interface ModuleSpec {
  /** `nn.Conv2d`, `nn.BatchNorm2d`, or a helper class name defined in the file. */
  cls: string;
  args: PyValue[];
  kwargs: Record<string, PyValue>;
}

/**
 * How `forward` computes a layer's tops from its bottoms.
 *
 * - `module`: `tops = self.<attr>(<bottoms>)`, with `input` applied to bottom 0 first (e.g. the
 *   flatten before a Linear).
 * - `expr`: a Python expression; `{0}`, `{1}`… stand for the bottoms, `{self}` for the module
 *   attribute (a module may still exist, e.g. a Parameter holder).
 * - `input`: the tops are arguments of `forward`.
 * - `alias`: each top is the bottom of the same index (Split, and in-place no-ops).
 * - `fused`: computed by the module of another layer (a Scale or Bias folded into a BatchNorm);
 *   `forward` writes nothing for it, `forward_layers` records the partial value.
 * - `none`: nothing to compute (Silence).
 */
export type CallForm =
  | { kind: "module"; input?: string }
  | { kind: "expr"; expr: string }
  | { kind: "input" }
  | { kind: "alias" }
  | { kind: "fused"; into: string; part: FusedPart }
  | { kind: "none" };

/**
 * What a layer folded into a BatchNorm module contributes, for `forward_layers`: the BatchNorm
 * layer's own top is the normalised value, a Scale without bias term multiplies by gamma, and the
 * last layer of the block gives the module's output.
 */
export type FusedPart = "normalise" | "scale" | "full";

/** A code and its data; formatters turn it into words. */
export interface NodeNote {
  code: string;
  data: Record<string, string | number | boolean | null>;
}

/** One Caffe layer in PyTorch terms. */
export interface TorchNode {
  /** The Caffe layer name. */
  layer: string;
  /** The Caffe layer type. */
  type: string;
  /** Position in the net model's active layers. */
  position: number;
  /** 1-based source position of the layer (0 when it has none, e.g. made from `input:` fields). */
  line: number;
  column: number;
  /** Python attribute of the module on `Net` (a safe identifier), or null when none. */
  attr: string | null;
  module: ModuleSpec | null;
  call: CallForm;
  /** Bottom and top blob names as Caffe writes them. */
  bottoms: string[];
  tops: string[];
  /** Helper classes (defined in the generated file) this node needs. */
  helpers: string[];
  /** One entry per Caffe parameter blob. */
  params: ParamBinding[];
  /** State the module has that no blob fills. */
  constants?: ConstantState[];
  /** State keys of parameters that must not train (`requires_grad=False`). */
  frozen?: string[];
  /** The BatchNorm mode `convert` gives (train, frozen, eval, batch-stats), for BatchNorm modules. */
  bnMode?: "train" | "frozen" | "eval" | "batch-stats";
  /** A BatchNorm module that stays in eval() while the net trains (Caffe's TRAIN uses stored statistics). */
  evalWhileTraining?: boolean;
  /** Loss weight per top (Caffe's `loss_weight`, 1 for a loss layer's first top by default). */
  lossWeights?: number[];
  notes: NodeNote[];
  /** For a layer no converter could express, exported with `--allow-stubs`: what the stub module records. */
  stub?: StubSpec;
}

/**
 * A layer exported as a stub module that raises NotImplementedError: why (a refusal code and its
 * data, worded by the formatters), the layer as written in the prototxt, and for a Caffe
 * `Python` layer its python_param.
 */
export interface StubSpec {
  reason: string;
  data: Record<string, string | number | boolean | null>;
  /** The layer's text in the prototxt (`layer { ... }`), "" when it has none. */
  prototxt: string;
  python: { module: string; layer: string; param_str: string } | null;
  /** The shapes Caffe's shape inference gives the layer's tops (given ones included); null where unknown. */
  topShapes?: ((number | null)[] | null)[];
}

/** A layer no converter handles: which, where and why (a refusal code and its data). */
export interface UnsupportedLayer {
  layer: string;
  type: string;
  line: number;
  column: number;
  reason: string;
  data: Record<string, string | number | boolean | null>;
}

/**
 * A data layer's `transform_param` with Caffe's defaults, as DataTransformer::Transform applies
 * it to each image: crop, then (x − mean)·scale, then a random mirror.
 */
export interface TransformSpec {
  /** The data layer's name. */
  layer: string;
  /** 0: no crop. */
  cropSize: number;
  mirror: boolean;
  scale: number;
  /** One value for every channel, or one per channel; empty when none. */
  meanValues: number[];
  /** `mean_file` as written (the export does not read it), or null. */
  meanFile: string | null;
}

/** A net input (a `forward` argument). */
export interface TorchInput {
  blob: string;
  /** The Python argument name. */
  variable: string;
  shape: (number | null)[] | null;
  /** The layer that declares it (Input, a data layer, or the synthetic `input`); "" for a blob no layer writes. */
  layer: string;
  /** The data layer's transform_param, on its first top (the images), when it does anything. */
  transform?: TransformSpec;
}

/** The whole net in PyTorch terms, for one phase. */
export interface TorchGraph {
  net: string | null;
  phase: "TEST" | "TRAIN";
  source: string;
  inputs: TorchInput[];
  /** Blobs no layer consumes (Caffe's net outputs, sorted by name as Caffe lists them). */
  outputs: string[];
  nodes: TorchNode[];
  /** Python variable name of every blob. */
  variables: Record<string, string>;
  /** Layers no converter handles (type, where and why); with stubs, they are also nodes. */
  unsupported: UnsupportedLayer[];
}
