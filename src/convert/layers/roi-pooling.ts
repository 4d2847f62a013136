import { readPsRoiPooling, readRoiPooling } from "../../caffe/layers/roi-pooling.js";
import { isForkRefusal } from "../../caffe/layers/ssd.js";
import { pyFloat } from "../python-literals.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * ROIPooling (rbgirshick/caffe-fast-rcnn faster-rcnn, roi_pooling_layer.cpp:25-117) → the
 * `ROIPooling` helper on (features, rois): its own rounding of the ROI corners and bin bounds.
 */
function roiPooling(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = readRoiPooling(ctx.layer, ctx.sourceMap);
  if (isForkRefusal(p)) return p;
  return {
    module: { cls: "ROIPooling", args: [p.pooledH, p.pooledW], kwargs: { spatial_scale: { raw: pyFloat(p.spatialScale) } } },
    call: { kind: "module" },
    helpers: ["ROIPooling"],
  };
}

/**
 * PSROIPooling (daijifeng001/caffe-rfcn, psroi_pooling_layer.cu:19-85; its Reshape checks that the
 * input has output_dim·group_size² channels) → the `PSROIPooling` helper on (features, rois).
 */
function psRoiPooling(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = readPsRoiPooling(ctx.layer, ctx.sourceMap);
  if (isForkRefusal(p)) return p;
  const channels = ctx.inputs[0]?.[1] ?? null;
  const expected = p.outputDim * p.groupSize * p.groupSize;
  if (channels !== null && channels !== expected) return { refused: "psroi-pooling-channels", data: { channels, expected } };
  return {
    module: { cls: "PSROIPooling", args: [p.outputDim, p.groupSize], kwargs: { spatial_scale: { raw: pyFloat(p.spatialScale) } } },
    call: { kind: "module" },
    helpers: ["PSROIPooling"],
  };
}

/** Region pooling of the detection forks: ROIPooling (Fast/Faster R-CNN), PSROIPooling (R-FCN). */
export const roiPoolingConverter: LayerConverter = {
  types: ["ROIPooling", "PSROIPooling"],
  convert(ctx) {
    // Both Reshapes take exactly the features and the ROIs.
    if (ctx.layer.bottoms.length !== 2) return { refused: "bottom-count", data: { bottoms: ctx.layer.bottoms.length } };
    return ctx.layer.type === "ROIPooling" ? roiPooling(ctx) : psRoiPooling(ctx);
  },
};
