/**
 * `Upsample`, the max-unpooling layer of caffe-segnet and its ENet descendant
 * (alexgkendall/caffe-segnet and TimoSaemann/caffe-enet src/caffe/layers/upsample_layer.cpp, the
 * same code): bottom 0 holds values, bottom 1 the argmax mask of a MAX Pooling layer's second top.
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import { unknownMessage } from "../param-view.js";

/** The output size rule of one Upsample layer. */
export type UpsampleParams =
  /** upsample_h and upsample_w, both written: the output size as written. */
  | { kind: "size"; height: number; width: number }
  /** Otherwise (deprecated): input size × scale, minus 1 where pad_out_h / pad_out_w is set. */
  | { kind: "scale"; scaleH: number; scaleW: number; padOutH: number; padOutW: number };

/**
 * Reads `upsample_param` as UpsampleLayer::LayerSetUp does (caffe-segnet upsample_layer.cpp:25-50):
 * upsample_h with upsample_w wins; else scale_h with scale_w when both are written, else `scale`
 * (default 2, caffe-segnet caffe.proto:914); pad_out_* default false. Null when its CHECKs fail
 * (a size or scale not above 1, scale given with scale_h/scale_w, pad_out with a scale other than 2).
 */
export function readUpsample(layer: NetLayer, sourceMap: SourceMap | undefined): UpsampleParams | null {
  const view = unknownMessage(layer.param, "upsample_param", sourceMap);
  const num = (name: string): number | null => view?.number(name) ?? null;
  const [uh, uw, scale, sh, sw] = [num("upsample_h"), num("upsample_w"), num("scale"), num("scale_h"), num("scale_w")];
  if (uh !== null && uw !== null) return uh > 1 && uw > 1 ? { kind: "size", height: uh, width: uw } : null;
  // upsample_layer.cpp:18-21: scale_h/scale_w come together and without `scale`, or not at all.
  const hw = sh !== null && sw !== null && scale === null;
  if (!hw && (sh !== null || sw !== null)) return null;
  const [scaleH, scaleW] = hw ? [sh, sw] : [scale ?? 2, scale ?? 2];
  if (scaleH <= 1 || scaleW <= 1) return null;
  const padOutH = view?.bool("pad_out_h") === true ? 1 : 0;
  const padOutW = view?.bool("pad_out_w") === true ? 1 : 0;
  // upsample_layer.cpp:44-49: pad_out compensation needs a scale of 2.
  if ((padOutH && scaleH !== 2) || (padOutW && scaleW !== 2)) return null;
  return { kind: "scale", scaleH, scaleW, padOutH, padOutW };
}

/** The output height and width for an input of `h`×`w` (UpsampleLayer::Reshape, upsample_layer.cpp:66-69). */
export function upsampleSize(p: UpsampleParams, h: number, w: number): [number, number] {
  if (p.kind === "size") return [p.height, p.width];
  return [h * p.scaleH - p.padOutH, w * p.scaleW - p.padOutW];
}
