import { isForkRefusal, permuteOrder, readDetectionOutput, readNormalize, readPriorBox } from "../../caffe/layers/ssd.js";
import { pyFloat } from "../python-literals.js";
import type { PyValue } from "../torch-graph.js";
import { bindBlob, forkFillerOf, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** A float argument spelled as Python spells floats. */
const float = (x: number): PyValue => ({ raw: pyFloat(x) });
const floats = (xs: readonly number[]): PyValue => xs.map(float);

/**
 * Permute (weiliu89/caffe ssd, permute_layer.cpp:29-72, 97-110): the written order, then the axes
 * not listed in their order, as `.permute(...)`; the natural order shares the bottom (an alias).
 */
function permute(ctx: LayerContext): LayerConversion | LayerRefusal {
  const rank = ctx.inputs[0]?.length;
  if (rank === undefined) return { refused: "input-shape-unknown" };
  const order = permuteOrder(ctx.layer, rank, ctx.sourceMap);
  if (isForkRefusal(order)) return order;
  if (order.every((a, i) => a === i)) return { module: null, call: { kind: "alias" } };
  return { module: null, call: { kind: "expr", expr: `{0}.permute(${order.join(", ")})` } };
}

/**
 * Normalize (normalize_layer.cpp:9-61, 85-133) → the `Normalize` helper; its one blob is the scale,
 * 0-d with channel_shared (`vector<int>(0)`) or [C], filled with constant 1 unless scale_filler.
 */
function normalize(ctx: LayerContext): LayerConversion | LayerRefusal {
  const input = ctx.inputs[0];
  // NormalizeLayer reads num/channels/height/width: 2 to 4 axes.
  if (input && (input.length < 2 || input.length > 4)) return { refused: "normalize-rank", data: { rank: input.length } };
  const p = readNormalize(ctx.layer, ctx.sourceMap);
  const channels = input?.[1] ?? null;
  if (!p.channelShared && channels === null) return { refused: "input-shape-unknown" };
  const kwargs: Record<string, PyValue> = {};
  if (!p.acrossSpatial) kwargs["across_spatial"] = false;
  if (!p.channelShared) kwargs["channel_shared"] = false;
  if (p.eps !== 1e-10) kwargs["eps"] = float(p.eps);
  const shape = p.channelShared ? [] : [channels!];
  const filler = forkFillerOf(p.scaleFiller?.view(), { type: "constant", value: 1 });
  return {
    module: { cls: "Normalize", args: [channels], kwargs },
    call: { kind: "module" },
    helpers: ["Normalize"],
    params: [bindBlob(ctx, 0, { key: keyOf(ctx.attr, "weight"), shape, filler })],
  };
}

/**
 * PriorBox (prior_box_layer.cpp:11-219) → the `PriorBox` helper. With the feature map's and the
 * image's sizes known at export, the priors are computed once in `__init__` (a buffer, not in the
 * state dict) and recomputed only for other input sizes.
 */
function priorBox(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = readPriorBox(ctx.layer, ctx.sourceMap);
  if (isForkRefusal(p)) return p;
  const [feature, image] = ctx.inputs;
  if (feature && feature.length !== 4) return { refused: "rank-not-4", data: { rank: feature.length } };
  // Without img_size/img_h/img_w, Forward_cpu reads the image size from bottom 1.
  if (p.imgH === 0 && ctx.layer.bottoms.length < 2) return { refused: "prior-box-no-image" };
  const kwargs: Record<string, PyValue> = {};
  if (p.maxSizes.length > 0) kwargs["max_sizes"] = floats(p.maxSizes);
  if (p.aspectRatios.length > 0) kwargs["aspect_ratios"] = floats(p.aspectRatios);
  if (!p.flip) kwargs["flip"] = false;
  if (p.clip) kwargs["clip"] = true;
  kwargs["variance"] = floats(p.variance);
  if (p.imgH !== 0) kwargs["img_size"] = { tuple: [p.imgH, p.imgW] };
  if (p.stepH !== 0) kwargs["step"] = { tuple: [float(p.stepH), float(p.stepW)] };
  if (p.offset !== 0.5) kwargs["offset"] = float(p.offset);
  const img = p.imgH !== 0 ? [p.imgH, p.imgW] : [image?.[2] ?? null, image?.[3] ?? null];
  const shapes = [feature?.[2] ?? null, feature?.[3] ?? null, ...img];
  if (shapes.every((d) => d !== null)) kwargs["shapes"] = { tuple: shapes as number[] };
  const bottoms = Math.min(ctx.layer.bottoms.length, 2);
  return {
    module: { cls: "PriorBox", args: [floats(p.minSizes)], kwargs },
    call: bottoms === ctx.layer.bottoms.length ? { kind: "module" } : { kind: "expr", expr: "{self}({0}, {1})" },
    helpers: ["PriorBox"],
  };
}

/**
 * DetectionOutput (detection_output_layer.cpp:16-40, 180-295) → the `DetectionOutput` helper on
 * (loc, conf, priors); a fourth bottom (only read for visualisation) is not passed. Results the
 * fork writes to files (save_output_param) or shows (visualize) are not reproduced: a note says so.
 */
function detectionOutput(ctx: LayerContext): LayerConversion | LayerRefusal {
  const n = ctx.layer.bottoms.length;
  if (n < 3 || n > 4) return { refused: "bottom-count", data: { bottoms: n } };
  const p = readDetectionOutput(ctx.layer, ctx.sourceMap);
  if (isForkRefusal(p)) return p;
  const kwargs: Record<string, PyValue> = {};
  if (!p.shareLocation) kwargs["share_location"] = false;
  if (p.backgroundLabelId !== 0) kwargs["background_label_id"] = p.backgroundLabelId;
  if (p.codeType !== "CORNER") kwargs["code_type"] = p.codeType;
  if (p.varianceEncodedInTarget) kwargs["variance_encoded_in_target"] = true;
  if (p.keepTopK !== -1) kwargs["keep_top_k"] = p.keepTopK;
  if (p.confidenceThreshold !== null) kwargs["confidence_threshold"] = float(p.confidenceThreshold);
  if (p.nmsThreshold !== 0.3) kwargs["nms_threshold"] = float(p.nmsThreshold);
  if (p.eta !== 1) kwargs["eta"] = float(p.eta);
  if (p.topK !== -1) kwargs["top_k"] = p.topK;
  return {
    module: { cls: "DetectionOutput", args: [p.numClasses], kwargs },
    call: n === 3 ? { kind: "module" } : { kind: "expr", expr: "{self}({0}, {1}, {2})" },
    helpers: ["DetectionOutput"],
    notes: p.sideEffects ? [{ code: "detection-output-side-effects", data: {} }] : [],
  };
}

/** The SSD fork's layers: Permute, Normalize, PriorBox, DetectionOutput (Flatten is BVLC's, in reshape.ts). */
export const ssdConverter: LayerConverter = {
  types: ["Permute", "Normalize", "PriorBox", "DetectionOutput"],
  convert(ctx) {
    switch (ctx.layer.type) {
      case "Permute":
        return permute(ctx);
      case "Normalize":
        return normalize(ctx);
      case "PriorBox":
        return priorBox(ctx);
      default:
        return detectionOutput(ctx);
    }
  },
};
