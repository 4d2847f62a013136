import { ARGMAX_SOURCE } from "./argmax.js";
import { BATCH_NORM_STEPS_SOURCE } from "./batch-norm-steps.js";
import { LRN_WITHIN_CHANNEL_SOURCE } from "./lrn-within-channel.js";
import { MAX_UNPOOL_SOURCE } from "./max-unpool.js";
import { MVN_SOURCE } from "./mvn.js";
import { EMBED_SOURCE } from "./embed.js";
import { PARAMETER_SOURCE } from "./parameter.js";
import { BIAS_SOURCE, BROADCAST_SOURCE, SCALE_SOURCE } from "./scale.js";

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
  LRNWithinChannel: { source: LRN_WITHIN_CHANNEL_SOURCE, needs: [], why: "Caffe's LRN within a channel (an n×n window, divisor n²)" },
  MVN: { source: MVN_SOURCE, needs: [], why: "Caffe's MVN layer (eps added to the standard deviation)" },
  ArgMax: { source: ARGMAX_SOURCE, needs: [], why: "Caffe's ArgMax layer (top_k, out_max_val, no axis; equal values larger index first)" },
  Embed: { source: EMBED_SOURCE, needs: [], why: "Caffe's Embed layer with its bias term" },
  Parameter: { source: PARAMETER_SOURCE, needs: [], why: "Caffe's Parameter layer (a learned blob as the top)" },
  MaxUnpool: { source: MAX_UNPOOL_SOURCE, needs: [], why: "SegNet / ENet Caffe's Upsample layer (values placed where the Pooling mask points)" },
  caffe_batch_norm_steps: { source: BATCH_NORM_STEPS_SOURCE, needs: [], why: "the values between a fused BatchNorm and Scale, for forward_layers" },
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
