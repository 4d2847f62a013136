import { readUpsample } from "../../caffe/layers/upsample.js";
import type { PyValue } from "../torch-graph.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * Upsample (caffe-segnet / caffe-enet) → the `MaxUnpool` helper on bottom 0 and the Pooling mask in
 * bottom 1. UpsampleLayer::Forward_cpu (alexgkendall/caffe-segnet src/caffe/layers/upsample_layer.cpp:
 * 88-99; TimoSaemann/caffe-enet the same at :84-95) zeroes the top and writes each value at the
 * place its mask names in the plane; that mask is a MAX Pooling's second top, h·W + w of the
 * pooled input (pooling_layer.cpp:167-171), which max_pool2d(return_indices=True) also gives.
 */
function convertUpsample(ctx: LayerContext): LayerConversion | LayerRefusal {
  // UpsampleLayer: exactly two bottoms (values, mask) and one top, both bottoms 4-D.
  if (ctx.layer.bottoms.length !== 2) return { refused: "upsample-bottoms", data: { bottoms: ctx.layer.bottoms.length } };
  const input = ctx.inputs[0];
  if (input && input.length !== 4) return { refused: "rank-not-4", data: { rank: input.length } };
  const p = readUpsample(ctx.layer, ctx.sourceMap);
  if (!p) return { refused: "upsample-params" };
  const kwargs: Record<string, PyValue> = {};
  if (p.kind === "size") kwargs["size"] = { tuple: [p.height, p.width] };
  else {
    if (p.scaleH !== 2 || p.scaleW !== 2) kwargs["scale"] = { tuple: [p.scaleH, p.scaleW] };
    if (p.padOutH || p.padOutW) kwargs["pad_out"] = { tuple: [p.padOutH, p.padOutW] };
  }
  return { module: { cls: "MaxUnpool", args: [], kwargs }, call: { kind: "module" }, helpers: ["MaxUnpool"] };
}

/** Upsample. */
export const upsampleConverter: LayerConverter = { types: ["Upsample"], convert: convertUpsample };
