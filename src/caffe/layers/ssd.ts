/**
 * What the SSD fork (weiliu89/caffe, branch ssd) defines for PriorBox, DetectionOutput, Normalize
 * and Permute: their parameters with the fork's defaults and checks, and their top shapes.
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import type { ShapeRule } from "../shapes.js";
import { canonicalAxis, type Dim } from "../shape-util.js";
import { DETECTION_OUTPUT_PARAM, forkParams, NMS_PARAM, NORM_PARAM, PERMUTE_PARAM, PRIOR_BOX_PARAM, type ForkParams } from "./fork-params.js";

/** A parameter set Caffe's LayerSetUp refuses (a CHECK that fails), with a stable code. */
export interface ForkRefusal {
  refused: string;
  data?: Record<string, string | number | boolean | null>;
}

/** Whether a read gave a refusal. */
export const isForkRefusal = (x: unknown): x is ForkRefusal => typeof x === "object" && x !== null && (x as ForkRefusal).refused !== undefined;

/** PriorBox parameters as PriorBoxLayer::LayerSetUp keeps them (prior_box_layer.cpp:11-100). */
export interface PriorBoxParams {
  minSizes: number[];
  maxSizes: number[];
  /** aspect_ratio as written; the layer's own list is {@link priorAspectRatios}. */
  aspectRatios: number[];
  flip: boolean;
  clip: boolean;
  /** One value, four values, or the layer's default [0.1] when none is written. */
  variance: number[];
  /** 0: taken from bottom 1 (the image) at run time. */
  imgH: number;
  imgW: number;
  /** 0: the image size over the feature map size. */
  stepH: number;
  stepW: number;
  offset: number;
  /** Boxes per feature-map cell. */
  numPriors: number;
}

const fround = Math.fround;

/**
 * PriorBoxLayer::LayerSetUp's aspect_ratios_ (prior_box_layer.cpp:20-38): 1 first, then each
 * written ratio not within 1e-6 of one already listed, each followed by its inverse with flip.
 * The fork keeps them as float.
 */
export function priorAspectRatios(written: readonly number[], flip: boolean): number[] {
  const out = [1];
  for (const w of written) {
    const ar = fround(w);
    if (out.some((e) => Math.abs(fround(ar - e)) < 1e-6)) continue;
    out.push(ar);
    if (flip) out.push(fround(1 / ar));
  }
  return out;
}

/** prior_box_param with the fork's defaults, or what LayerSetUp's CHECKs refuse. */
export function readPriorBox(layer: NetLayer, sourceMap: SourceMap | undefined): PriorBoxParams | ForkRefusal {
  const p = forkParams(layer, "prior_box_param", PRIOR_BOX_PARAM, sourceMap);
  const minSizes = p.list("min_size");
  const maxSizes = p.list("max_size");
  if (minSizes.length === 0) return { refused: "prior-box-no-min-size" };
  if (minSizes.some((s) => !(s > 0))) return { refused: "prior-box-min-size", data: { min_size: minSizes.join(",") } };
  if (maxSizes.length > 0 && maxSizes.length !== minSizes.length) return { refused: "prior-box-max-size-count", data: { min: minSizes.length, max: maxSizes.length } };
  if (maxSizes.some((m, i) => !(m > minSizes[i]!))) return { refused: "prior-box-max-size", data: { max_size: maxSizes.join(",") } };
  const written = p.list("variance");
  if (written.length > 1 && written.length !== 4) return { refused: "prior-box-variance-count", data: { count: written.length } };
  if (written.some((v) => !(v > 0))) return { refused: "prior-box-variance", data: { variance: written.join(",") } };
  const size = pair(p, "img_size", "img_h", "img_w");
  const step = pair(p, "step", "step_h", "step_w");
  if (isForkRefusal(size)) return size;
  if (isForkRefusal(step)) return step;
  const flip = p.bool("flip");
  const aspectRatios = p.list("aspect_ratio");
  const perSize = priorAspectRatios(aspectRatios, flip).length;
  return {
    minSizes,
    maxSizes,
    aspectRatios,
    flip,
    clip: p.bool("clip"),
    variance: written.length === 0 ? [0.1] : written,
    imgH: size[0],
    imgW: size[1],
    stepH: step[0],
    stepW: step[1],
    offset: p.num("offset"),
    numPriors: perSize * minSizes.length + maxSizes.length,
  };
}

/** `img_size` or `img_h`/`img_w` (likewise `step`), never both (prior_box_layer.cpp:65-97); [0, 0] when none. */
function pair(p: ForkParams, both: string, h: string, w: string): [number, number] | ForkRefusal {
  if (p.has(h) || p.has(w)) {
    if (p.has(both)) return { refused: "prior-box-both-forms", data: { field: both } };
    const [vh, vw] = [p.num(h), p.num(w)];
    if (!(vh > 0) || !(vw > 0)) return { refused: "prior-box-size-not-positive", data: { field: both } };
    return [vh, vw];
  }
  if (p.has(both)) {
    const v = p.num(both);
    return v > 0 ? [v, v] : { refused: "prior-box-size-not-positive", data: { field: both } };
  }
  return [0, 0];
}

/** PriorBoxLayer::Reshape (prior_box_layer.cpp:103-117): [1, 2, H·W·num_priors·4] of bottom 0's H and W. */
export const priorBoxShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const read = readPriorBox(layer, sourceMap);
  if (isForkRefusal(read)) return null;
  const input = inputs[0];
  const [h, w]: Dim[] = input && input.length >= 4 ? [input[2] ?? null, input[3] ?? null] : [null, null];
  const length = h === null || w === null ? null : h * w * read.numPriors * 4;
  return layer.tops.map(() => [1, 2, length]);
};

/** DetectionOutput parameters as DetectionOutputLayer::LayerSetUp keeps them (detection_output_layer.cpp:16-40). */
export interface DetectionOutputParams {
  numClasses: number;
  shareLocation: boolean;
  backgroundLabelId: number;
  codeType: "CORNER" | "CENTER_SIZE" | "CORNER_SIZE";
  varianceEncodedInTarget: boolean;
  /** -1: keep all. */
  keepTopK: number;
  /** null: none written (the layer uses -FLT_MAX, every score passes). */
  confidenceThreshold: number | null;
  nmsThreshold: number;
  eta: number;
  /** -1: none written. */
  topK: number;
  /** save_output_param or visualize written: files and windows this export does not reproduce. */
  sideEffects: boolean;
}

/** detection_output_param with the fork's defaults, or what LayerSetUp refuses. */
export function readDetectionOutput(layer: NetLayer, sourceMap: SourceMap | undefined): DetectionOutputParams | ForkRefusal {
  const p = forkParams(layer, "detection_output_param", DETECTION_OUTPUT_PARAM, sourceMap);
  if (!p.has("num_classes")) return { refused: "detection-output-no-num-classes" };
  const nms = p.msg("nms_param", NMS_PARAM);
  const codeType = p.enumName("code_type");
  if (codeType !== "CORNER" && codeType !== "CENTER_SIZE" && codeType !== "CORNER_SIZE") return { refused: "detection-output-code-type", data: { code_type: codeType } };
  const [nmsThreshold, eta] = [nms.num("nms_threshold"), nms.num("eta")];
  if (!(nmsThreshold >= 0)) return { refused: "detection-output-nms-threshold", data: { nms_threshold: nmsThreshold } };
  if (!(eta > 0 && eta <= 1)) return { refused: "detection-output-eta", data: { eta } };
  return {
    numClasses: p.num("num_classes"),
    shareLocation: p.bool("share_location"),
    backgroundLabelId: p.num("background_label_id"),
    codeType,
    varianceEncodedInTarget: p.bool("variance_encoded_in_target"),
    keepTopK: p.num("keep_top_k"),
    confidenceThreshold: p.has("confidence_threshold") ? p.num("confidence_threshold") : null,
    nmsThreshold,
    eta,
    topK: nms.has("top_k") ? nms.num("top_k") : -1,
    sideEffects: p.has("save_output_param") || p.bool("visualize"),
  };
}

/**
 * DetectionOutputLayer's top: [1, 1, number of detections, 7] rows of (image, label, score, xmin,
 * ymin, xmax, ymax). Reshape says 1 row; Forward_cpu reshapes to what NMS keeps, so the count
 * is unknown before the forward (detection_output_layer.cpp:169-176, 277-295).
 */
export const detectionOutputShape: ShapeRule = ({ layer }) => layer.tops.map(() => [1, 1, null, 7]);

/** Normalize parameters (normalize_layer.cpp:9-61). */
export interface NormalizeParams {
  acrossSpatial: boolean;
  channelShared: boolean;
  eps: number;
  /** The scale_filler as written; the layer's default is constant 1 (normalize_layer.cpp:42-50). */
  scaleFiller: ForkParams | null;
}

/** norm_param with the fork's defaults. */
export function readNormalize(layer: NetLayer, sourceMap: SourceMap | undefined): NormalizeParams {
  const p = forkParams(layer, "norm_param", NORM_PARAM, sourceMap);
  return {
    acrossSpatial: p.bool("across_spatial"),
    channelShared: p.bool("channel_shared"),
    eps: p.num("eps"),
    scaleFiller: p.has("scale_filler") ? p.msg("scale_filler", { defaults: {} }) : null,
  };
}

/**
 * PermuteLayer::LayerSetUp's full order (permute_layer.cpp:29-72): the written axes, then the
 * others in their order; a repeated or out-of-range axis is refused as the fork refuses it.
 */
export function permuteOrder(layer: NetLayer, rank: number, sourceMap: SourceMap | undefined): number[] | ForkRefusal {
  const order = forkParams(layer, "permute_param", PERMUTE_PARAM, sourceMap).list("order");
  const full: number[] = [];
  for (const o of order) {
    const a = canonicalAxis(o, rank);
    if (a === null) return { refused: "axis-out-of-range", data: { order: o, rank } };
    if (full.includes(a)) return { refused: "permute-duplicate-order", data: { order: o } };
    full.push(a);
  }
  for (let i = 0; i < rank; i++) if (!full.includes(i)) full.push(i);
  return full;
}

/** ShapeRules of the SSD types that have none elsewhere (Permute and Normalize are in shapes-tensor.ts / sameAsFirst). */
export const SSD_SHAPE_RULES: readonly [string, ShapeRule][] = [
  ["PriorBox", priorBoxShape],
  ["DetectionOutput", detectionOutputShape],
];
