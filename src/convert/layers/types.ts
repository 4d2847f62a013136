import type { NetLayer } from "../../caffe/net.js";
import type { Shape } from "../../caffe/shape-util.js";
import type { Phase } from "../../schema/caffe-types.js";
import type { SourceMap } from "../../schema/locations.js";
import type { ConvertBlock } from "../types.js";
import type { CallForm, ConstantState, ModuleSpec, NodeNote, ParamBinding, TransformSpec } from "../torch-graph.js";

/** Everything a layer converter sees. */
export interface LayerContext {
  layer: NetLayer;
  /** Position in the net model's active layers. */
  position: number;
  phase: Phase;
  /** Shapes of the bottoms and tops (null: unknown). */
  inputs: Shape[];
  outputs: Shape[];
  /** The Python attribute the layer's module gets on `Net`. */
  attr: string;
  /** The `convert` block of a BatchNorm-type layer, and the block a Scale/Bias is fused into. */
  block: ConvertBlock | null;
  /** For a Scale or Bias fused into a BatchNorm module: that module's attribute and the part. */
  fusedInto: { attr: string; part: "scale" | "full"; block: ConvertBlock } | null;
  /** `--exact`: the Caffe-emulating BatchNorm modules. */
  exact: boolean;
  sourceMap: SourceMap;
}

/** What a converter makes of one layer. */
export interface LayerConversion {
  module: ModuleSpec | null;
  call: CallForm;
  helpers?: string[];
  params?: ParamBinding[];
  constants?: ConstantState[];
  frozen?: string[];
  bnMode?: "train" | "frozen" | "eval" | "batch-stats";
  evalWhileTraining?: boolean;
  lossWeights?: number[];
  /** For a data layer: the transform its first top (the images) went through. */
  transform?: TransformSpec;
  notes?: NodeNote[];
}

/** A layer the converter cannot express, with a stable reason code. */
export interface LayerRefusal {
  refused: string;
  data?: Record<string, string | number | boolean | null>;
}

/** One converter; `types` are the Caffe type strings it handles. */
export interface LayerConverter {
  types: readonly string[];
  convert(ctx: LayerContext): LayerConversion | LayerRefusal;
}

/** Whether a converter refused. */
export function isRefusal(x: LayerConversion | LayerRefusal): x is LayerRefusal {
  return (x as LayerRefusal).refused !== undefined;
}
