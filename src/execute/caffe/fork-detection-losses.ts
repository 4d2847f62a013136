/**
 * The training losses of the detection forks, each with its fork's forward: py-faster-rcnn's
 * SmoothL1Loss (rbgirshick/caffe-fast-rcnn smooth_L1_loss_layer.cu), R-FCN's SmoothL1LossOHEM
 * (smooth_L1_loss_ohem_layer.cu/.cpp) and SSD's MultiBoxLoss (weiliu89/caffe multibox_loss_layer.cpp
 * Forward_cpu with bbox_util.cpp), in float32.
 */
import { readMultiBoxLoss, readSmoothL1Loss, readSmoothL1LossOhem, type MultiBoxLossParams, type RfcnNormalization } from "../../caffe/layers/detection-losses.js";
import { layerParams } from "../../caffe/layers/params.js";
import { isForkRefusal } from "../../caffe/layers/ssd.js";
import { FLT_MIN, softmaxLoss } from "../../numeric/kernels/loss.js";
import { softmax } from "../../numeric/kernels/softmax.js";
import { blobOf, count, legacyDim, needBottoms, needTops, scalar } from "../blob.js";
import { fail, type Blob, type LayerContext, type LayerExecutor } from "../types.js";
import { boxOf, overlap, type Box } from "./fork-detection-output.js";
import { forkSource } from "./fork-source.js";
import { lossNormalization } from "../../caffe/layers/loss-param.js";

const f = Math.fround;

/** Every bottom holds as many values as bottom 0 (the forks' Reshape CHECKs channels, height and width). */
function sameCounts(ctx: LayerContext): void {
  const n = ctx.bottoms[0]!.data.length;
  const bad = ctx.bottoms.findIndex((b) => b.data.length !== n);
  if (bad >= 0) fail("smooth-l1-shapes", { layer: ctx.layer.name, bottom: bad, shapes: ctx.bottoms.map((b) => [...b.shape]) });
}

/**
 * The smooth L1 errors of `d` (float32, the kernels' Dtype): 0.5·σ²·d² where |d| < 1/σ², else
 * |d| − 0.5/σ² (smooth_L1_loss_layer.cu:13-26; the OHEM kernel is the σ = 1 case, .cu:17-29).
 */
function smoothL1Errors(d: Float32Array, sigma2: number): Float32Array {
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const a = Math.abs(d[i]!);
    // The kernel's literals are doubles: the threshold and each value are computed in double, then stored as float.
    out[i] = a < 1 / sigma2 ? 0.5 * d[i]! * d[i]! * sigma2 : a - 0.5 / sigma2;
  }
  return out;
}

/** caffe_gpu_asum / caffe_cpu_asum: the sum of absolute values (added in double, rounded once, as loss.ts does BLAS sums). */
function asum(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += Math.abs(v);
  return f(s);
}

/** diff = (b0 − b1) [· weights]: caffe_gpu_sub then caffe_gpu_mul, each rounded to float. */
function weightedDiff(x: Blob, t: Blob, weights: Blob | undefined): Float32Array {
  const d = new Float32Array(x.data.length);
  for (let i = 0; i < d.length; i++) d[i] = x.data[i]! - t.data[i]!;
  if (weights) for (let i = 0; i < d.length; i++) d[i] = weights.data[i]! * d[i]!;
  return d;
}

/**
 * SmoothL1Loss of Faster R-CNN's Caffe (smooth_L1_loss_layer.cu:29-61; the CPU forward is
 * NOT_IMPLEMENTED): d = inside · (x − t), errors ·= outside, asum(errors) / num.
 */
export const smoothL1Loss: LayerExecutor = {
  types: ["SmoothL1Loss"],
  forward(ctx) {
    needTops(ctx, 1);
    const p = readSmoothL1Loss(ctx.layer, forkSource(ctx));
    if (isForkRefusal(p)) return fail(p.refused, { layer: ctx.layer.name, ...p.data });
    sameCounts(ctx);
    const [x, t, inside, outside] = ctx.bottoms as [Blob, Blob, Blob?, Blob?];
    const sigma2 = f(p.sigma * p.sigma);
    const errors = smoothL1Errors(weightedDiff(x, t, p.weights ? inside : undefined), sigma2);
    if (p.weights) for (let i = 0; i < errors.length; i++) errors[i] = outside!.data[i]! * errors[i]!;
    return [scalar(f(asum(errors) / legacyDim(ctx, x.shape, 0)))];
  },
};

/** SmoothL1LossOHEMLayer::get_normalizer (smooth_L1_loss_ohem_layer.cpp:60-87), at least 1. */
function ohemNormalizer(mode: RfcnNormalization, outer: number, inner: number, preFixed: number): number {
  const n = mode === "FULL" || mode === "VALID" ? outer * inner : mode === "BATCH_SIZE" ? outer : mode === "PRE_FIXED" ? f(preFixed) : 1;
  return Math.max(1, n);
}

/**
 * SmoothL1LossOHEM of R-FCN's Caffe (smooth_L1_loss_ohem_layer.cu:47-82): d = w · (x − t), the
 * σ = 1 errors, asum / normaliser (N·H·W for FULL and VALID); top 1, when written, holds each
 * instance's errors summed over the channels, [N, 1, H, W] (kernel_channel_sum, a float sum in
 * channel order).
 */
export const smoothL1LossOhem: LayerExecutor = {
  types: ["SmoothL1LossOHEM"],
  forward(ctx) {
    needTops(ctx, 1, 2);
    const p = readSmoothL1LossOhem(ctx.layer, forkSource(ctx));
    if (isForkRefusal(p)) return fail(p.refused, { layer: ctx.layer.name, ...p.data });
    sameCounts(ctx);
    const x = ctx.bottoms[0]!;
    const errors = smoothL1Errors(weightedDiff(x, ctx.bottoms[1]!, p.weights ? ctx.bottoms[2] : undefined), 1);
    const [num, channels, height, width] = [0, 1, 2, 3].map((i) => legacyDim(ctx, x.shape, i)) as [number, number, number, number];
    const loss = scalar(f(asum(errors) / f(ohemNormalizer(p.normalization, num, height * width, p.preFixedNormalizer))));
    if (ctx.layer.tops.length === 1) return [loss];
    const spatial = height * width;
    const perInstance = blobOf([num, 1, height, width]);
    for (let n = 0; n < num; n++) {
      for (let s = 0; s < spatial; s++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum = f(sum + errors[(n * channels + c) * spatial + s]!);
        perInstance.data[n * spatial + s] = sum;
      }
    }
    return [loss, perInstance];
  },
};

/** A ground-truth box of GetGroundTruth (bbox_util.cpp:1055-1084): its box and label. */
interface Truth {
  box: Box;
  label: number;
}

/**
 * GetGroundTruth: rows (image, label, instance, xmin, ymin, xmax, ymax, difficult); image −1 is
 * padding, a background label is the fork's CHECK_NE, difficult boxes are skipped unless
 * use_difficult_gt.
 */
function groundTruth(ctx: LayerContext, gt: Blob, rows: number, p: MultiBoxLossParams): Map<number, Truth[]> {
  const byImage = new Map<number, Truth[]>();
  for (let r = 0; r < rows; r++) {
    const v = gt.data.subarray(r * 8, r * 8 + 8);
    const item = Math.trunc(v[0]!);
    if (item === -1) continue;
    const label = Math.trunc(v[1]!);
    if (label === p.backgroundLabelId) fail("multibox-loss-background-ground-truth", { layer: ctx.layer.name, row: r, label });
    if (!p.useDifficultGt && v[7]! !== 0) continue;
    const list = byImage.get(item) ?? [];
    list.push({ box: boxOf(v[3]!, v[4]!, v[5]!, v[6]!), label });
    byImage.set(item, list);
  }
  return byImage;
}

/** IsCrossBoundaryBBox (bbox_util.cpp): a corner outside [0, 1]. */
const crossesBoundary = (b: Box): boolean => b.xmin < 0 || b.xmin > 1 || b.ymin < 0 || b.ymin > 1 || b.xmax < 0 || b.xmax > 1 || b.ymax < 0 || b.ymax > 1;

/**
 * MatchBBox (bbox_util.cpp:584-720) for share_location: per prior its matched box (−1 none, −2
 * across the border when ignored) and its best overlap. Overlaps above 1e-6 are kept; the
 * bipartite pass repeatedly takes the largest kept overlap among free priors and boxes (the first
 * prior, then the first box, on ties: the map and pool orders with a strict >); PER_PREDICTION
 * then gives each free prior its best box at or above overlap_threshold.
 */
function matchPriors(priors: readonly Box[], gts: readonly Truth[], p: MultiBoxLossParams): { match: Int32Array; best: Float32Array } {
  const match = new Int32Array(priors.length).fill(-1);
  const best = new Float32Array(priors.length);
  const kept = priors.map(() => new Map<number, number>());
  priors.forEach((prior, i) => {
    if (p.ignoreCrossBoundaryBbox && crossesBoundary(prior)) {
      match[i] = -2;
      return;
    }
    gts.forEach((g, j) => {
      const o = overlap(prior, g.box);
      if (o > 1e-6) {
        best[i] = Math.max(best[i]!, o);
        kept[i]!.set(j, o);
      }
    });
  });
  const pool = gts.map((_, j) => j);
  while (pool.length > 0) {
    let [bi, bj, bo] = [-1, -1, -1];
    for (let i = 0; i < priors.length; i++) {
      if (match[i] !== -1) continue;
      for (const j of pool) {
        const o = kept[i]!.get(j);
        if (o !== undefined && o > bo) [bi, bj, bo] = [i, j, o];
      }
    }
    if (bi === -1) break;
    match[bi] = bj;
    best[bi] = bo;
    pool.splice(pool.indexOf(bj), 1);
  }
  if (p.matchType === "PER_PREDICTION") {
    for (let i = 0; i < priors.length; i++) {
      if (match[i] !== -1) continue;
      let [bj, bo] = [-1, -1];
      for (let j = 0; j < gts.length; j++) {
        const o = kept[i]!.get(j);
        if (o !== undefined && o >= p.overlapThreshold && o > bo) [bj, bo] = [j, o];
      }
      if (bj !== -1) {
        match[i] = bj;
        best[i] = bo;
      }
    }
  }
  return { match, best };
}

/**
 * EncodeBBox (bbox_util.cpp:355-439): the box relative to the prior in code_type, divided by the
 * prior's variances unless encode_variance_in_target (EncodeLocPrediction then divides both sides).
 */
function encode(prior: Box, v: ArrayLike<number>, g: Box, p: MultiBoxLossParams): number[] {
  const byVariance = (code: number[]): number[] => (p.encodeVarianceInTarget ? code : code.map((c, k) => f(c / v[k]!)));
  if (p.codeType === "CORNER") return byVariance([f(g.xmin - prior.xmin), f(g.ymin - prior.ymin), f(g.xmax - prior.xmax), f(g.ymax - prior.ymax)]);
  const pw = f(prior.xmax - prior.xmin);
  const ph = f(prior.ymax - prior.ymin);
  if (p.codeType === "CORNER_SIZE") return byVariance([f(f(g.xmin - prior.xmin) / pw), f(f(g.ymin - prior.ymin) / ph), f(f(g.xmax - prior.xmax) / pw), f(f(g.ymax - prior.ymax) / ph)]);
  const pcx = f((prior.xmin + prior.xmax) / 2);
  const pcy = f((prior.ymin + prior.ymax) / 2);
  const bw = f(g.xmax - g.xmin);
  const bh = f(g.ymax - g.ymin);
  const bcx = f((g.xmin + g.xmax) / 2);
  const bcy = f((g.ymin + g.ymax) / 2);
  return byVariance([f(f(bcx - pcx) / pw), f(f(bcy - pcy) / ph), f(Math.log(f(bw / pw))), f(Math.log(f(bh / ph)))]);
}

/** ComputeConfLoss (bbox_util.cpp) for SOFTMAX and the background label: −log max(p_bg, FLT_MIN) in float. */
function backgroundLoss(row: Float32Array, background: number): number {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum = f(sum + f(Math.exp(f(v - max))));
  return f(-Math.log(Math.max(f(f(Math.exp(f(row[background]! - max))) / sum), FLT_MIN)));
}

/** LossLayer::GetNormalizer (loss_layer.cpp:27-55) with valid_count = the matches, at least 1. */
function multiBoxNormalizer(mode: string, num: number, priors: number, matches: number): number {
  const n = mode === "FULL" ? num * priors : mode === "VALID" ? matches : mode === "BATCH_SIZE" ? num : 1;
  return Math.max(1, n);
}

/** The normalisation of loss_param as MultiBoxLossLayer::LayerSetUp reads it (:44-51): normalize only when normalization is not written. */
function normalizationOf(ctx: LayerContext): string {
  return lossNormalization(layerParams(ctx.layer, "loss_param"));
}

/**
 * MultiBoxLoss (multibox_loss_layer.cpp:146-253) for the configurations readMultiBoxLoss accepts:
 * match each image's priors to its boxes, mine MAX_NEGATIVE negatives (unmatched priors with best
 * overlap below neg_overlap, the neg_pos_ratio·matches of largest background loss; equal losses
 * keep the lower prior first: std::sort leaves their order open), the loc loss of the matched
 * predictions against the encoded boxes (the fork's SmoothL1Loss over a [1, 4·matches] blob, or
 * EuclideanLoss), the conf loss (SoftmaxWithLoss, normalization NONE) over the matched and mined
 * rows (every row without mining), each term added when its bottom propagates down, divided by
 * GetNormalizer.
 */
export const multiBoxLoss: LayerExecutor = {
  types: ["MultiBoxLoss"],
  forward(ctx) {
    needTops(ctx, 1);
    const p = readMultiBoxLoss(ctx.layer, forkSource(ctx));
    if (isForkRefusal(p)) return fail(p.refused, { layer: ctx.layer.name, ...p.data });
    needBottoms(ctx, 4);
    const [loc, conf, prior, gt] = ctx.bottoms as [Blob, Blob, Blob, Blob];
    // Reshape (:131-144): num = loc's num, priors = prior height / 4, ground truth rows = gt height.
    const num = legacyDim(ctx, loc.shape, 0);
    const P = legacyDim(ctx, prior.shape, 2) / 4;
    const C = p.numClasses;
    if (count(loc.shape, 1) !== P * 4 || count(conf.shape, 1) !== P * C || legacyDim(ctx, conf.shape, 0) !== num || gt.data.length % 8 !== 0) {
      fail("multibox-loss-shapes", { layer: ctx.layer.name, loc: [...loc.shape], conf: [...conf.shape], prior: [...prior.shape], label: [...gt.shape] });
    }
    const truths = groundTruth(ctx, gt, legacyDim(ctx, gt.shape, 2), p);
    // GetPriorBBoxes: P boxes, then P variances.
    const priors = Array.from({ length: P }, (_, i) => boxOf(prior.data[i * 4]!, prior.data[i * 4 + 1]!, prior.data[i * 4 + 2]!, prior.data[i * 4 + 3]!));
    const variance = (i: number): Float32Array => prior.data.subarray((P + i) * 4, (P + i) * 4 + 4);
    const locPred: number[] = [];
    const locGt: number[] = [];
    const confRows: number[] = [];
    const confLabels: number[] = [];
    let matches = 0;
    const mining = p.miningType !== "NONE";
    for (let i = 0; i < num; i++) {
      const gts = truths.get(i);
      const rowOf = (j: number): Float32Array => conf.data.subarray((i * P + j) * C, (i * P + j + 1) * C);
      // FindMatches (:722-818): an image without boxes has no match map, so no negatives either.
      const m = gts ? matchPriors(priors, gts, p) : null;
      // EncodeLocPrediction (:1170-1255) and EncodeConfPrediction (:1540-1639), prior order.
      for (let j = 0; j < P; j++) {
        const g = m ? m.match[j]! : -1;
        if (g <= -1) {
          if (!mining) {
            confRows.push(...rowOf(j));
            confLabels.push(p.backgroundLabelId);
          }
          continue;
        }
        matches++;
        const v = variance(j);
        const code = encode(priors[j]!, v, gts![g]!.box, p);
        const pred = Array.from(loc.data.subarray((i * P + j) * 4, (i * P + j + 1) * 4));
        for (let k = 0; k < 4; k++) {
          locPred.push(p.encodeVarianceInTarget ? f(pred[k]! / v[k]!) : pred[k]!);
          locGt.push(p.encodeVarianceInTarget ? f(code[k]! / v[k]!) : code[k]!);
        }
        confRows.push(...rowOf(j));
        confLabels.push(gts![g]!.label);
      }
      if (!mining || !m) continue;
      // MineHardExamples (:850-1031), MAX_NEGATIVE: eligible = unmatched with best overlap < neg_overlap.
      const positives = m.match.reduce((n, g) => n + (g > -1 ? 1 : 0), 0);
      const eligible: { loss: number; j: number }[] = [];
      for (let j = 0; j < P; j++) if (m.match[j] === -1 && m.best[j]! < p.negOverlap) eligible.push({ loss: backgroundLoss(rowOf(j), p.backgroundLabelId), j });
      const wanted = Math.min(Math.trunc(f(positives * f(p.negPosRatio))), eligible.length);
      const negatives = eligible
        .sort((a, b) => b.loss - a.loss)
        .slice(0, wanted)
        .map((e) => e.j)
        .sort((a, b) => a - b);
      for (const j of negatives) {
        confRows.push(...rowOf(j));
        confLabels.push(p.backgroundLabelId);
      }
    }
    const normalizer = f(multiBoxNormalizer(normalizationOf(ctx), num, P, matches));
    const propagate = ctx.layer.param.propagate_down ?? [];
    let loss = 0;
    // :242-252: only the terms whose bottoms propagate down (both when none is written, :15-20).
    if ((propagate.length === 0 || propagate[0] === true) && matches >= 1) {
      const d = new Float32Array(locPred.length);
      for (let k = 0; k < d.length; k++) d[k] = locPred[k]! - locGt[k]!;
      let locLoss: number;
      if (p.locLossType === "L2") {
        // EuclideanLoss: dot(d, d) / num / 2, num 1.
        let dot = 0;
        for (const v of d) dot += v * v;
        locLoss = f(f(dot) / 2);
      } else {
        // The SSD fork's SmoothL1Loss Forward_cpu (σ 1): asum(errors) / num, num 1.
        locLoss = asum(smoothL1Errors(d, 1));
      }
      loss = f(loss + f(f(f(p.locWeight) * locLoss) / normalizer));
    }
    const rows = confLabels.length;
    if ((propagate.length === 0 || propagate[1] === true) && rows >= 1) {
      const prob = new Float32Array(rows * C);
      softmax(Float32Array.from(confRows), rows, C, 1, prob);
      const confLoss = softmaxLoss(prob, Float32Array.from(confLabels), rows, C, 1, null, "NONE");
      if (typeof confLoss !== "number") return fail("label-out-of-range", { layer: ctx.layer.name, ...confLoss });
      loss = f(loss + f(confLoss / normalizer));
    }
    return [scalar(loss)];
  },
};

/** The executors of this file. */
export const FORK_DETECTION_LOSSES: readonly LayerExecutor[] = [smoothL1Loss, smoothL1LossOhem, multiBoxLoss];
