/**
 * What the region-pooling forks define: `ROIPooling` of Fast/Faster R-CNN's Caffe
 * (rbgirshick/caffe-fast-rcnn, branch faster-rcnn) and `PSROIPooling` of R-FCN's Caffe
 * (daijifeng001/caffe-rfcn, the layer py-R-FCN's Caffe carries): parameters and top shapes.
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import type { ShapeRule } from "../shapes.js";
import { forkParams, PSROI_POOLING_PARAM, ROI_POOLING_PARAM } from "./fork-params.js";
import type { ForkRefusal } from "./ssd.js";

/** roi_pooling_param as ROIPoolingLayer::LayerSetUp keeps it (roi_pooling_layer.cpp:25-36). */
export interface RoiPoolingParams {
  pooledH: number;
  pooledW: number;
  spatialScale: number;
}

/** roi_pooling_param with the fork's defaults; pooled_h and pooled_w must be positive (its CHECK_GTs). */
export function readRoiPooling(layer: NetLayer, sourceMap: SourceMap | undefined): RoiPoolingParams | ForkRefusal {
  const p = forkParams(layer, "roi_pooling_param", ROI_POOLING_PARAM, sourceMap);
  const [pooledH, pooledW] = [p.num("pooled_h"), p.num("pooled_w")];
  if (!(pooledH > 0) || !(pooledW > 0)) return { refused: "roi-pooling-size", data: { pooled_h: pooledH, pooled_w: pooledW } };
  return { pooledH, pooledW, spatialScale: p.num("spatial_scale") };
}

/** psroi_pooling_param (psroi_pooling_layer.cpp LayerSetUp): every field required, sizes positive. */
export interface PsRoiPoolingParams {
  spatialScale: number;
  outputDim: number;
  groupSize: number;
}

/** psroi_pooling_param, or what the fork refuses (a missing required field, a size not positive). */
export function readPsRoiPooling(layer: NetLayer, sourceMap: SourceMap | undefined): PsRoiPoolingParams | ForkRefusal {
  const p = forkParams(layer, "psroi_pooling_param", PSROI_POOLING_PARAM, sourceMap);
  const missing = ["spatial_scale", "output_dim", "group_size"].filter((f) => !p.has(f));
  if (missing.length > 0) return { refused: "psroi-pooling-required", data: { missing: missing.join(",") } };
  const [outputDim, groupSize] = [p.num("output_dim"), p.num("group_size")];
  if (!(outputDim > 0) || !(groupSize > 0)) return { refused: "psroi-pooling-size", data: { output_dim: outputDim, group_size: groupSize } };
  return { spatialScale: p.num("spatial_scale"), outputDim, groupSize };
}

/** ROIPoolingLayer::Reshape (roi_pooling_layer.cpp:39-51): [number of ROIs, C, pooled_h, pooled_w]. */
export const roiPoolingShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const p = readRoiPooling(layer, sourceMap);
  if ("refused" in p) return null;
  return layer.tops.map(() => [inputs[1]?.[0] ?? null, inputs[0]?.[1] ?? null, p.pooledH, p.pooledW]);
};

/** PSROIPoolingLayer::Reshape: [number of ROIs, output_dim, group_size, group_size]. */
export const psRoiPoolingShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const p = readPsRoiPooling(layer, sourceMap);
  if ("refused" in p) return null;
  return layer.tops.map(() => [inputs[1]?.[0] ?? null, p.outputDim, p.groupSize, p.groupSize]);
};

/** ShapeRules of the region-pooling types. */
export const ROI_SHAPE_RULES: readonly [string, ShapeRule][] = [
  ["ROIPooling", roiPoolingShape],
  ["PSROIPooling", psRoiPoolingShape],
];
