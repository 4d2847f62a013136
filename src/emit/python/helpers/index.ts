import { BATCH_NORM_STEPS_SOURCE } from "./batch-norm-steps.js";
import { BILINEAR_SOURCE, POSITIVE_UNITBALL_SOURCE, SPARSE_SOURCE } from "./fillers.js";
import { BIAS_SOURCE, BROADCAST_SOURCE, SCALE_SOURCE } from "./scale.js";
import { STUB_SOURCE } from "./stub.js";

/** A piece of Python the generated file defines when a node needs it. */
export interface HelperSource {
  /** Python source of the class or function. */
  source: string;
  /** Helpers it uses, defined before it. */
  needs: readonly string[];
  /** The Caffe behaviour it reproduces, for the export summary. */
  why: string;
}

/** Every helper, by name (the class or function name in the file). */
export const HELPERS: Readonly<Record<string, HelperSource>> = {
  _from_axis: { source: BROADCAST_SOURCE, needs: [], why: "Caffe's parameter broadcasting from an axis" },
  Scale: { source: SCALE_SOURCE, needs: ["_from_axis"], why: "Caffe's Scale layer outside a BatchNorm block (axis, num_axes, second input)" },
  Bias: { source: BIAS_SOURCE, needs: ["_from_axis"], why: "Caffe's Bias layer outside a BatchNorm block" },
  caffe_batch_norm_steps: { source: BATCH_NORM_STEPS_SOURCE, needs: [], why: "the values between a fused BatchNorm and Scale, for forward_layers" },
  CaffeLayerStub: { source: STUB_SOURCE, needs: [], why: "a layer that could not be converted (--allow-stubs): raises NotImplementedError until replaced" },
  caffe_bilinear_: { source: BILINEAR_SOURCE, needs: [], why: "Caffe's bilinear filler (init_caffe_fillers)" },
  caffe_positive_unitball_: { source: POSITIVE_UNITBALL_SOURCE, needs: [], why: "Caffe's positive_unitball filler (init_caffe_fillers)" },
  caffe_sparse_: { source: SPARSE_SOURCE, needs: [], why: "the sparse option of Caffe's gaussian filler (init_caffe_fillers)" },
};

/** Helper sources for `names` and what they need, each once, dependencies first, in a fixed order. */
export function helperSources(names: Iterable<string>): string[] {
  const order: string[] = [];
  const visit = (name: string): void => {
    if (order.includes(name)) return;
    const helper = HELPERS[name];
    if (!helper) throw new Error(`no helper named ${name}`);
    helper.needs.forEach(visit);
    order.push(name);
  };
  [...names].sort().forEach(visit);
  return order.map((n) => HELPERS[n]!.source);
}
