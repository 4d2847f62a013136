import type { SourceMap } from "../schema/locations.js";
import type { BlobGraph } from "./blobs.js";
import { BN_TYPES, bnVariant, hasOwnAffine, type BnVariant } from "./bn-variant.js";
import type { NetLayer, NetModel } from "./net.js";
import { canonicalAxis, type Shape } from "./shape-util.js";

/** Why a BVLC BatchNorm was not fused with a Scale. Stable codes. */
export type UnpairedCode =
  /** The BatchNorm's output is not read by any layer. */
  | "no-consumer"
  /** Several layers read the BatchNorm's output, so a Scale is not its only continuation. */
  | "multiple-consumers"
  /** The single reader is not a Scale layer. */
  | "no-scale"
  /** The Scale takes its factor from a second bottom (SE-style gating), not from learned gamma. */
  | "scale-two-bottoms"
  /** The Scale does not scale exactly the channel axis (axis 1, one axis). */
  | "scale-axes";

/** A BatchNorm-type layer with the layers fused into its block. */
export interface BnPairing {
  /** Position of the BatchNorm-type layer in `NetModel.layers`. */
  bn: number;
  variant: BnVariant;
  /** Position of the paired Scale, or null. */
  scale: number | null;
  /** Position of the paired Bias (only after a Scale without bias_term), or null. */
  bias: number | null;
  /** Set for a BVLC BatchNorm left without a Scale. */
  unpaired: UnpairedCode | null;
  /** Version id read by the BatchNorm (null if it has no bottom). */
  inputVersion: number | null;
  /** Version id written by the last layer of the block (null if the BatchNorm has no top). */
  outputVersion: number | null;
}

/** Whether `layer` applies one learned factor (or offset) per channel: axis 1 over exactly one axis. */
function channelwise(axis: number, numAxes: number, rank: number | null): boolean {
  const a = rank === null ? (axis >= 0 ? axis : null) : canonicalAxis(axis, rank);
  if (a !== 1) return false;
  // num_axes -1 means "to the last axis", which is the channel axis alone only on 2-D input.
  return numAxes === 1 || (numAxes === -1 && rank === 2);
}

/**
 * Pairs every BatchNorm-type layer with what follows it, as Caffe nets express BatchNorm ⇢ Scale ⇢
 * Bias: the single reader of the BatchNorm's output version must be a Scale with one bottom over
 * the channel axis; a Scale without bias_term may be followed by a single-reader Bias layer over
 * the channel axis. In place or not makes no difference: versions carry the data flow. Fork
 * layers holding their own gamma/beta are never paired.
 */
export function pairBatchNorms(model: NetModel, graph: BlobGraph, shapes: readonly Shape[], sourceMap?: SourceMap): BnPairing[] {
  const pairings: BnPairing[] = [];
  model.layers.forEach((layer, position) => {
    if (!BN_TYPES.has(layer.type)) return;
    const variant = bnVariant(layer, sourceMap);
    const inputVersion = graph.bottoms[position]?.[0] ?? null;
    const outputVersion = graph.tops[position]?.[0] ?? null;
    const base: BnPairing = { bn: position, variant, scale: null, bias: null, unpaired: null, inputVersion, outputVersion };
    if (hasOwnAffine(variant)) {
      pairings.push(base);
      return;
    }
    pairings.push(pairScale(model, graph, shapes, base));
  });
  return pairings;
}

/** The single layer reading `version`, or the reason there is not exactly one. */
function singleReader(model: NetModel, graph: BlobGraph, version: number): { position: number; layer: NetLayer } | "no-consumer" | "multiple-consumers" {
  const consumers = graph.versions[version]!.consumers;
  if (consumers.length === 0) return "no-consumer";
  if (consumers.length > 1) return "multiple-consumers";
  const position = consumers[0]!.layer;
  return { position, layer: model.layers[position]! };
}

function pairScale(model: NetModel, graph: BlobGraph, shapes: readonly Shape[], base: BnPairing): BnPairing {
  if (base.outputVersion === null) return { ...base, unpaired: "no-consumer" };
  const reader = singleReader(model, graph, base.outputVersion);
  if (typeof reader === "string") return { ...base, unpaired: reader };
  const scale = reader.layer;
  if (scale.type !== "Scale") return { ...base, unpaired: "no-scale" };
  if (scale.bottoms.length !== 1) return { ...base, unpaired: "scale-two-bottoms" };
  const rank = shapes[base.outputVersion]?.length ?? null;
  const sp = scale.param.scale_param ?? {};
  if (!channelwise(sp.axis ?? 1, sp.num_axes ?? 1, rank)) return { ...base, unpaired: "scale-axes" };
  const scaleOut = graph.tops[reader.position]?.[0] ?? null;
  const paired: BnPairing = { ...base, scale: reader.position, outputVersion: scaleOut };
  if (sp.bias_term === true || scaleOut === null) return paired;
  const next = singleReader(model, graph, scaleOut);
  if (typeof next === "string" || next.layer.type !== "Bias" || next.layer.bottoms.length !== 1) return paired;
  const bp = next.layer.param.bias_param ?? {};
  if (!channelwise(bp.axis ?? 1, bp.num_axes ?? 1, rank)) return paired;
  return { ...paired, bias: next.position, outputVersion: graph.tops[next.position]?.[0] ?? scaleOut };
}
