import { interpSize, readInterp } from "../../caffe/layers/interp.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** `start:end` of one axis after cropping pad_beg/pad_end (both ≤ 0) from its two ends. */
function cropSlice(padBeg: number, padEnd: number): string {
  return `${padBeg === 0 ? "" : -padBeg}:${padEnd === 0 ? "" : padEnd}`;
}

/**
 * Interp (PSPNet / DeepLab) → `F.interpolate(x, size, mode="bilinear", align_corners=True)`.
 * InterpLayer::Forward_cpu (hszhao/PSPNet src/caffe/layers/interp_layer.cpp:68-70) reads the input
 * cropped by −pad_beg at the start of both axes and −pad_end at their end, and
 * caffe_cpu_interp2 (src/caffe/util/interp.cpp:47-48) samples it at h·(in − 1)/(out − 1), the
 * align_corners=True grid; equal sizes are copied (interp.cpp:20-45), so they stay a plain crop
 * here. The output size follows InterpLayer::Reshape (caffe/layers/interp.ts).
 */
function convertInterp(ctx: LayerContext): LayerConversion | LayerRefusal {
  const input = ctx.inputs[0];
  if (input && input.length !== 4) return { refused: "rank-not-4", data: { rank: input.length } };
  const [h, w] = [input?.[2] ?? null, input?.[3] ?? null];
  if (h === null || w === null) return { refused: "input-shape-unknown" };
  const p = readInterp(ctx.layer, ctx.sourceMap);
  const size = interpSize(p, h, w);
  if (typeof size === "string") return { refused: size, data: { pad_beg: p.padBeg, pad_end: p.padEnd } };
  const whole = p.padBeg === 0 && p.padEnd === 0;
  const source = whole ? "{0}" : `{0}[:, :, ${cropSlice(p.padBeg, p.padEnd)}, ${cropSlice(p.padBeg, p.padEnd)}]`;
  const [effH, effW] = [h + p.padBeg + p.padEnd, w + p.padBeg + p.padEnd];
  if (size[0] === effH && size[1] === effW) {
    return whole ? { module: null, call: { kind: "alias" } } : { module: null, call: { kind: "expr", expr: source } };
  }
  const expr = `F.interpolate(${source}, size=(${size[0]}, ${size[1]}), mode="bilinear", align_corners=True)`;
  return { module: null, call: { kind: "expr", expr } };
}

/** Interp. */
export const interpConverter: LayerConverter = { types: ["Interp"], convert: convertInterp };
