/**
 * DetectionOutput of the SSD fork (weiliu89/caffe, branch ssd, src/caffe/layers/detection_output_layer.cpp
 * Forward_cpu and the helpers of src/caffe/util/bbox_util.cpp): decode each prior's location,
 * per-class NMS, keep_top_k, and rows [image, label, score, xmin, ymin, xmax, ymax].
 */
import { isForkRefusal, readDetectionOutput, type DetectionOutputParams } from "../../caffe/layers/ssd.js";
import { blobOf, needBottoms } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";
import { forkSource } from "./fork-source.js";

const f = Math.fround;

/** A NormalizedBBox: corners and the size DecodeBBox/GetPriorBBoxes store (floats); MultiBoxLoss reads boxes the same way. */
export interface Box {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  size: number;
}

/** BBoxSize (bbox_util.cpp:82-100), normalized: 0 for an inverted box, else width·height in float. */
function sizeOf(xmin: number, ymin: number, xmax: number, ymax: number): number {
  if (xmax < xmin || ymax < ymin) return 0;
  return f(f(xmax - xmin) * f(ymax - ymin));
}

export const boxOf = (xmin: number, ymin: number, xmax: number, ymax: number): Box => {
  const [a, b, c, d] = [f(xmin), f(ymin), f(xmax), f(ymax)];
  return { xmin: a, ymin: b, xmax: c, ymax: d, size: sizeOf(a, b, c, d) };
};

/** DecodeBBox (bbox_util.cpp:441-529), clip_bbox false as Forward_cpu passes it (detection_output_layer.cpp:205). */
function decode(layer: string, prior: Box, v: readonly number[], p: DetectionOutputParams, loc: readonly number[]): Box {
  const enc = p.varianceEncodedInTarget;
  const [l0, l1, l2, l3] = loc as [number, number, number, number];
  if (p.codeType === "CORNER") {
    // :446-464: corners moved by (variance·) loc.
    return enc
      ? boxOf(prior.xmin + l0, prior.ymin + l1, prior.xmax + l2, prior.ymax + l3)
      : boxOf(prior.xmin + f(v[0]! * l0), prior.ymin + f(v[1]! * l1), prior.xmax + f(v[2]! * l2), prior.ymax + f(v[3]! * l3));
  }
  const pw = f(prior.xmax - prior.xmin);
  const ph = f(prior.ymax - prior.ymin);
  // :467-469, :500-502: CHECK_GT of the prior's width and height.
  if (!(pw > 0) || !(ph > 0)) fail("detection-output-empty-prior", { layer, width: pw, height: ph });
  if (p.codeType === "CORNER_SIZE") {
    // :498-520: corners moved by (variance·) loc times the prior's size.
    const m = (vi: number, li: number): number => (enc ? li : f(v[vi]! * li));
    return boxOf(prior.xmin + f(m(0, l0) * pw), prior.ymin + f(m(1, l1) * ph), prior.xmax + f(m(2, l2) * pw), prior.ymax + f(m(3, l3) * ph));
  }
  // CENTER_SIZE (:465-497): centre moved by (variance·) loc times the size, size scaled by exp.
  const pcx = f((prior.xmin + prior.xmax) / 2);
  const pcy = f((prior.ymin + prior.ymax) / 2);
  const cx = enc ? f(f(l0 * pw) + pcx) : f(f(f(v[0]! * l0) * pw) + pcx);
  const cy = enc ? f(f(l1 * ph) + pcy) : f(f(f(v[1]! * l1) * ph) + pcy);
  const w = f(Math.exp(enc ? l2 : f(v[2]! * l2)) * pw);
  const h = f(Math.exp(enc ? l3 : f(v[3]! * l3)) * ph);
  return boxOf(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
}

/** JaccardOverlap (bbox_util.cpp:274-294), normalized, with the boxes' stored sizes. */
export function overlap(a: Box, b: Box): number {
  if (b.xmin > a.xmax || b.xmax < a.xmin || b.ymin > a.ymax || b.ymax < a.ymin) return 0;
  const iw = f(Math.min(a.xmax, b.xmax) - Math.max(a.xmin, b.xmin));
  const ih = f(Math.min(a.ymax, b.ymax) - Math.max(a.ymin, b.ymin));
  if (!(iw > 0 && ih > 0)) return 0;
  const inter = f(iw * ih);
  return f(inter / f(f(a.size + b.size) - inter));
}

/**
 * ApplyNMSFast (bbox_util.cpp:1901-1936) after GetMaxScoreIndex (:1743-1760): scores above the
 * threshold, stable-sorted descending, cut to top_k; each kept unless it overlaps a kept box by
 * more than the threshold, which shrinks by eta while above 0.5.
 */
function nms(boxes: readonly Box[], scores: readonly number[], p: DetectionOutputParams): number[] {
  const threshold = p.confidenceThreshold === null ? -Infinity : f(p.confidenceThreshold);
  let order = scores.map((s, i) => [s, i] as const).filter(([s]) => s > threshold);
  order.sort((a, b) => b[0] - a[0]);
  if (p.topK > -1 && p.topK < order.length) order = order.slice(0, p.topK);
  let adaptive = f(p.nmsThreshold);
  const kept: number[] = [];
  for (const [, idx] of order) {
    const keep = kept.every((k) => overlap(boxes[idx]!, boxes[k]!) <= adaptive);
    if (keep) kept.push(idx);
    if (keep && p.eta < 1 && adaptive > 0.5) adaptive = f(adaptive * f(p.eta));
  }
  return kept;
}

/**
 * Forward_cpu (detection_output_layer.cpp:179-295): bottoms loc [N, priors·loc classes·4], conf
 * [N, priors·classes], priors [1, 2, priors·4] (:163-167). With share_location a
 * background_label_id of −1 leaves no decoded boxes and is the fork's LOG(FATAL) (:229-231).
 * keep_top_k orders all kept detections by score with std::sort, which is not stable: ties may
 * come out in another order than this stable sort's. No detection gives one row per image,
 * (i, −1, …) (:281-291).
 */
export const detectionOutput: LayerExecutor = {
  types: ["DetectionOutput"],
  forward(ctx) {
    needBottoms(ctx, 3);
    const p = readDetectionOutput(ctx.layer, forkSource(ctx));
    if (isForkRefusal(p)) return fail(p.refused, { layer: ctx.layer.name, ...p.data });
    // save_output_param / visualize write files and windows; the top is the same without them.
    const [loc, conf, prior] = ctx.bottoms as [(typeof ctx.bottoms)[0], (typeof ctx.bottoms)[0], (typeof ctx.bottoms)[0]];
    const num = loc!.shape[0]!;
    const numPriors = Math.trunc((prior!.shape[2] ?? 1) / 4);
    const locClasses = p.shareLocation ? 1 : p.numClasses;
    const per = (b: typeof loc): number => b!.data.length / (b!.shape[0] ?? 1);
    if (numPriors * locClasses * 4 !== per(loc) || numPriors * p.numClasses !== per(conf) || conf!.shape[0] !== num) {
      fail("detection-output-sizes", { layer: ctx.layer.name, priors: numPriors, loc: [...loc!.shape], conf: [...conf!.shape] });
    }
    if (p.shareLocation && p.backgroundLabelId === -1) fail("detection-output-no-location", { layer: ctx.layer.name });
    // GetPriorBBoxes (bbox_util.cpp:1655-1680): boxes, then variances from the second channel.
    const priors: Box[] = [];
    const variances: number[][] = [];
    for (let i = 0; i < numPriors; i++) {
      const d = prior!.data;
      priors.push(boxOf(d[4 * i]!, d[4 * i + 1]!, d[4 * i + 2]!, d[4 * i + 3]!));
      variances.push([0, 1, 2, 3].map((j) => d[(numPriors + i) * 4 + j]!));
    }
    const rows: number[][] = [];
    for (let n = 0; n < num; n++) {
      // GetLocPredictions / GetConfidenceScores (:1134-1159, :1336-1351) and DecodeBBoxesAll (:552-582).
      const boxesOf = (c: number): Box[] =>
        priors.map((pr, i) => {
          const at = n * numPriors * locClasses * 4 + (i * locClasses + c) * 4;
          return decode(ctx.layer.name, pr, variances[i]!, p, Array.from(loc!.data.subarray(at, at + 4)));
        });
      const shared = p.shareLocation ? boxesOf(0) : null;
      const scoreOf = (c: number): number[] => priors.map((_, i) => conf!.data[n * numPriors * p.numClasses + i * p.numClasses + c]!);
      const kept = new Map<number, { boxes: Box[]; scores: number[]; indices: number[] }>();
      let numDet = 0;
      for (let c = 0; c < p.numClasses; c++) {
        if (c === p.backgroundLabelId) continue;
        const boxes = shared ?? boxesOf(c);
        const scores = scoreOf(c);
        const indices = nms(boxes, scores, p);
        kept.set(c, { boxes, scores, indices });
        numDet += indices.length;
      }
      if (p.keepTopK > -1 && numDet > p.keepTopK) {
        const all: [number, number, number][] = [];
        for (const [c, k] of kept) for (const idx of k.indices) all.push([k.scores[idx]!, c, idx]);
        all.sort((a, b) => b[0] - a[0]);
        const chosen = all.slice(0, p.keepTopK);
        for (const [c, k] of kept) k.indices = chosen.filter(([, cc]) => cc === c).map(([, , idx]) => idx);
      }
      for (const [c, k] of [...kept].sort((a, b) => a[0] - b[0])) {
        for (const idx of k.indices) {
          const b = k.boxes[idx]!;
          rows.push([n, c, k.scores[idx]!, b.xmin, b.ymin, b.xmax, b.ymax]);
        }
      }
    }
    if (rows.length === 0) for (let n = 0; n < num; n++) rows.push([n, -1, -1, -1, -1, -1, -1]);
    return [blobOf([1, 1, rows.length, 7], Float32Array.from(rows.flat()))];
  },
};
