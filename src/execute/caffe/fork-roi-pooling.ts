/**
 * Region pooling of the detection forks: ROIPooling of Fast/Faster R-CNN's Caffe
 * (rbgirshick/caffe-fast-rcnn, branch faster-rcnn, src/caffe/layers/roi_pooling_layer.cpp) and
 * PSROIPooling of R-FCN's (daijifeng001/caffe-rfcn src/caffe/layers/psroi_pooling_layer.cu, whose
 * CPU forward is NOT_IMPLEMENTED: the CUDA kernel is the definition).
 */
import { readPsRoiPooling, readRoiPooling } from "../../caffe/layers/roi-pooling.js";
import { blobOf, needBottoms } from "../blob.js";
import { fail, type Blob, type LayerContext, type LayerExecutor } from "../types.js";
import { forkSource } from "./fork-source.js";

const f = Math.fround;
/** C's round(): half away from zero. */
const round = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** The feature map [N, C, H, W] and the ROIs [R, 5] rows (batch index, x1, y1, x2, y2). */
function inputs(ctx: LayerContext): { x: Blob; rois: Blob; num: number; channels: number; height: number; width: number; count: number } {
  needBottoms(ctx, 2);
  const [x, rois] = [ctx.bottoms[0]!, ctx.bottoms[1]!];
  if (x.shape.length !== 4) fail("rank-not-4", { layer: ctx.layer.name, shape: [...x.shape] });
  const count = rois.shape[0] ?? 1;
  if (rois.data.length !== count * 5) fail("rois-shape", { layer: ctx.layer.name, shape: [...rois.shape] });
  const [num, channels, height, width] = x.shape as [number, number, number, number];
  return { x, rois, num, channels, height, width, count };
}

/** The batch index of a ROI (`int roi_batch_ind = bottom_rois[0]`), checked in range as ROIPooling does. */
function batchOf(ctx: LayerContext, value: number, num: number): number {
  const b = Math.trunc(value);
  if (b < 0 || b >= num) fail("roi-batch-index", { layer: ctx.layer.name, index: b, num });
  return b;
}

/**
 * ROIPooling::Forward_cpu (roi_pooling_layer.cpp:46-125): corners scaled and rounded (:62-65), a
 * ROI at least 1×1 (:69-70), bins floor(p·bin)…ceil((p+1)·bin) of bin = size / pooled in float
 * (:71-91), shifted by the ROI start and clipped to the map (:93-96); the maximum of a bin,
 * 0 when it is empty (:98-114).
 */
export const roiPooling: LayerExecutor = {
  types: ["ROIPooling"],
  forward(ctx) {
    const { x, rois, num, channels, height, width, count } = inputs(ctx);
    const p = readRoiPooling(ctx.layer, forkSource(ctx));
    if ("refused" in p) return fail(p.refused, { layer: ctx.layer.name, ...p.data });
    const scale = f(p.spatialScale);
    const [ph, pw] = [p.pooledH, p.pooledW];
    const out = new Float32Array(count * channels * ph * pw);
    for (let n = 0; n < count; n++) {
      const r = rois.data.subarray(n * 5, n * 5 + 5);
      const b = batchOf(ctx, r[0]!, num);
      const [startW, startH, endW, endH] = [1, 2, 3, 4].map((k) => round(f(r[k]! * scale))) as [number, number, number, number];
      const roiH = Math.max(endH - startH + 1, 1);
      const roiW = Math.max(endW - startW + 1, 1);
      const binH = f(roiH / ph);
      const binW = f(roiW / pw);
      for (let c = 0; c < channels; c++) {
        const plane = (b * channels + c) * height * width;
        for (let i = 0; i < ph; i++) {
          const hs = Math.min(Math.max(Math.floor(f(i * binH)) + startH, 0), height);
          const he = Math.min(Math.max(Math.ceil(f((i + 1) * binH)) + startH, 0), height);
          for (let j = 0; j < pw; j++) {
            const ws = Math.min(Math.max(Math.floor(f(j * binW)) + startW, 0), width);
            const we = Math.min(Math.max(Math.ceil(f((j + 1) * binW)) + startW, 0), width);
            let best = he <= hs || we <= ws ? 0 : -3.4028234663852886e38;
            for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) if (x.data[plane + h * width + w]! > best) best = x.data[plane + h * width + w]!;
            out[((n * channels + c) * ph + i) * pw + j] = best;
          }
        }
      }
    }
    return [blobOf([count, channels, ph, pw], out)];
  },
};

/**
 * PSROIPoolingForward (psroi_pooling_layer.cu:18-86): corners rounded, then scaled, the end + 1
 * (:41-44); sizes at least 0.1 (:47-48); bin (i, j) of group_size² over
 * [floor(i·bin + start), ceil((i+1)·bin + start)) clipped to the map (:51-67) averages channel
 * (ctop·group + i)·group + j (:69-83); an empty bin is 0. Channels must be output_dim·group² (:44).
 */
export const psRoiPooling: LayerExecutor = {
  types: ["PSROIPooling"],
  forward(ctx) {
    const { x, rois, num, channels, height, width, count } = inputs(ctx);
    const p = readPsRoiPooling(ctx.layer, forkSource(ctx));
    if ("refused" in p) return fail(p.refused, { layer: ctx.layer.name, ...p.data });
    const { outputDim, groupSize: g } = p;
    if (channels !== outputDim * g * g) fail("psroi-channels", { layer: ctx.layer.name, channels, outputDim, groupSize: g });
    const scale = f(p.spatialScale);
    const out = new Float32Array(count * outputDim * g * g);
    for (let n = 0; n < count; n++) {
      const r = rois.data.subarray(n * 5, n * 5 + 5);
      const b = batchOf(ctx, r[0]!, num);
      const startW = f(round(r[1]!) * scale);
      const startH = f(round(r[2]!) * scale);
      const endW = f(f(round(r[3]!) + 1) * scale);
      const endH = f(f(round(r[4]!) + 1) * scale);
      const roiW = f(Math.max(f(endW - startW), 0.1));
      const roiH = f(Math.max(f(endH - startH), 0.1));
      const binH = f(roiH / g);
      const binW = f(roiW / g);
      for (let ctop = 0; ctop < outputDim; ctop++) {
        for (let i = 0; i < g; i++) {
          const hs = Math.min(Math.max(Math.floor(f(f(i * binH) + startH)), 0), height);
          const he = Math.min(Math.max(Math.ceil(f(f((i + 1) * binH) + startH)), 0), height);
          for (let j = 0; j < g; j++) {
            const ws = Math.min(Math.max(Math.floor(f(f(j * binW) + startW)), 0), width);
            const we = Math.min(Math.max(Math.ceil(f(f((j + 1) * binW) + startW)), 0), width);
            const plane = (b * channels + (ctop * g + i) * g + j) * height * width;
            let sum = 0;
            for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) sum = f(sum + x.data[plane + h * width + w]!);
            const area = (he - hs) * (we - ws);
            out[((n * outputDim + ctop) * g + i) * g + j] = he <= hs || we <= ws ? 0 : f(sum / area);
          }
        }
      }
    }
    return [blobOf([count, outputDim, g, g], out)];
  },
};

/** The executors of this file. */
export const FORK_ROI: readonly LayerExecutor[] = [roiPooling, psRoiPooling];
