import type { SourceMap } from "../schema/locations.js";
import type { NetLayer } from "./net.js";
import { paramView, unknownMessage, type ParamView } from "./param-view.js";

/**
 * Which BatchNorm implementation a layer asks for. BVLC's `BatchNorm` keeps gamma/beta in a
 * following Scale layer; the forks keep them inside the layer and differ in their statistics:
 *
 * - `nvcaffe`: NVIDIA Caffe 0.17 `BatchNorm` with `batch_norm_param { scale_bias: true }` (or a
 *   scale_filler/bias_filler, which its BatchNormLayer::LayerSetUp takes as an implicit scale_bias).
 * - `segnet`: `BN` of caffe-segnet and its ENet descendant (`bn_param { bn_mode, scale_filler,
 *   shift_filler }`), blobs [scale, shift], no running statistics.
 * - `pspnet`: `BN` of the PSPNet (hszhao) fork (`bn_param { slope_filler, bias_filler, momentum,
 *   eps, frozen }`), blobs [slope, bias, mean, variance].
 * - `unrecognised`: a `BN` whose bn_param matches none of these.
 */
export type BnVariant =
  | { family: "bvlc" }
  | { family: "nvcaffe"; params: ParamView }
  | { family: "segnet"; mode: "LEARN" | "INFERENCE" }
  | { family: "pspnet"; frozen: boolean; momentum: number; eps: number }
  | { family: "unrecognised"; fields: string[]; reason: "unknown-fields" | "unknown-bn-mode" | "mixed-fields" | "no-bn-param" };

/** Layer types treated as BatchNorm-type layers (one block each). */
export const BN_TYPES: ReadonlySet<string> = new Set(["BatchNorm", "BN"]);

const SEGNET_FIELDS = new Set(["bn_mode", "scale_filler", "shift_filler"]);
const PSPNET_FIELDS = new Set(["slope_filler", "bias_filler", "momentum", "eps", "frozen", "engine"]);

/** The bn_param of a `BN` layer, whether the schema knows the field or not. */
function bnParam(layer: NetLayer, sourceMap: SourceMap | undefined): ParamView | undefined {
  const known = (layer.param as Record<string, unknown>)["bn_param"];
  if (known && typeof known === "object") return paramView(known, sourceMap);
  return unknownMessage(layer.param, "bn_param", sourceMap);
}

/** Recognises the implementation a BatchNorm-type layer asks for. */
export function bnVariant(layer: NetLayer, sourceMap: SourceMap | undefined): BnVariant {
  if (layer.type === "BatchNorm") {
    // Nearly every BatchNorm is BVLC's: decided without building a view (pairing and two rules
    // ask for each layer, and a cold lint of ResNet-152 felt the views' allocations). NVCaffe's
    // fields are not in our schema (BVLC's), so they can only be among the unknown fields.
    const known = layer.param.batch_norm_param;
    if (!known || (sourceMap?.unknownFields(known).length ?? 0) === 0) return { family: "bvlc" };
    const params = paramView(known, sourceMap);
    const nv = params.bool("scale_bias") === true || params.has("scale_filler") || params.has("bias_filler");
    return nv ? { family: "nvcaffe", params } : { family: "bvlc" };
  }
  const view = bnParam(layer, sourceMap);
  if (!view) return { family: "unrecognised", fields: [], reason: "no-bn-param" };
  const fields = view.names();
  const segnet = fields.filter((f) => SEGNET_FIELDS.has(f));
  const pspnet = fields.filter((f) => PSPNET_FIELDS.has(f));
  const other = fields.filter((f) => !SEGNET_FIELDS.has(f) && !PSPNET_FIELDS.has(f));
  if (other.length > 0) return { family: "unrecognised", fields, reason: "unknown-fields" };
  if (segnet.length > 0 && pspnet.length > 0) return { family: "unrecognised", fields, reason: "mixed-fields" };
  if (segnet.length > 0) {
    // bn_mode defaults to LEARN in caffe-segnet's BNParameter.
    const mode = view.ident("bn_mode") ?? "LEARN";
    if (mode !== "LEARN" && mode !== "INFERENCE") return { family: "unrecognised", fields, reason: "unknown-bn-mode" };
    return { family: "segnet", mode };
  }
  if (pspnet.length > 0) {
    // PSPNet's BNParameter defaults: momentum 0.9, eps 1e-5, frozen false.
    return {
      family: "pspnet",
      frozen: view.bool("frozen") ?? false,
      momentum: view.number("momentum") ?? 0.9,
      eps: view.number("eps") ?? 1e-5,
    };
  }
  return { family: "unrecognised", fields, reason: "no-bn-param" };
}

/** True when the variant holds gamma/beta itself (no Scale layer to pair). */
export function hasOwnAffine(variant: BnVariant): boolean {
  return variant.family !== "bvlc";
}
