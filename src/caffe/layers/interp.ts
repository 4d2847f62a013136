/**
 * `Interp`, the bilinear resize layer of the DeepLab / PSPNet Caffe forks (George Papandreou's
 * InterpLayer; hszhao/PSPNet src/caffe/layers/interp_layer.cpp). Its `interp_param` is a fork
 * field, read from the raw syntax with the fork's defaults.
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import { unknownMessage } from "../param-view.js";

/** interp_param as InterpLayer reads it: each field's value and whether it was written (the size rule asks `has_…`). */
export interface InterpParams {
  height: number | null;
  width: number | null;
  zoomFactor: number | null;
  shrinkFactor: number | null;
  /** Defaults 0 (hszhao/PSPNet src/caffe/proto/caffe.proto:895-896); only ≤ 0 (cropping) is allowed. */
  padBeg: number;
  padEnd: number;
}

/** Reads `interp_param` (PSPNet caffe.proto:890-897: every field optional; pads default 0). */
export function readInterp(layer: NetLayer, sourceMap: SourceMap | undefined): InterpParams {
  const view = unknownMessage(layer.param, "interp_param", sourceMap);
  const num = (name: string): number | null => view?.number(name) ?? null;
  return {
    height: num("height"),
    width: num("width"),
    zoomFactor: num("zoom_factor"),
    shrinkFactor: num("shrink_factor"),
    padBeg: num("pad_beg") ?? 0,
    padEnd: num("pad_end") ?? 0,
  };
}

/** Why a size cannot be computed, as InterpLayer's CHECKs fail. */
export type InterpProblem = "interp-positive-pad" | "interp-no-size" | "interp-factor" | "interp-empty";

/**
 * The output height and width for an input of `h`×`w`, as InterpLayer::Reshape computes them
 * (interp_layer.cpp:27-57): the effective input is h + pad_beg + pad_end; shrink alone gives
 * (eff − 1) / shrink + 1 (integer division), zoom alone eff + (eff − 1)(zoom − 1), height and
 * width are taken as written, and shrink with zoom applies the two in that order. The branches
 * are tried in that order, so a written zoom or shrink factor wins over height/width.
 */
export function interpSize(p: InterpParams, h: number, w: number): [number, number] | InterpProblem {
  // interp_layer.cpp:16-17: only non-positive padding (cropping) is supported.
  if (p.padBeg > 0 || p.padEnd > 0) return "interp-positive-pad";
  const effH = h + p.padBeg + p.padEnd;
  const effW = w + p.padBeg + p.padEnd;
  const shrink = (e: number, s: number): number => Math.trunc((e - 1) / s) + 1;
  const zoom = (e: number, z: number): number => e + (e - 1) * (z - 1);
  let out: [number, number];
  const { shrinkFactor: s, zoomFactor: z } = p;
  if ((s !== null && s < 1) || (z !== null && z < 1)) return "interp-factor";
  if (s !== null && z === null) out = [shrink(effH, s), shrink(effW, s)];
  else if (z !== null && s === null) out = [zoom(effH, z), zoom(effW, z)];
  else if (p.height !== null && p.width !== null) out = [p.height, p.width];
  else if (s !== null && z !== null) out = [zoom(shrink(effH, s), z), zoom(shrink(effW, s), z)];
  else return "interp-no-size";
  // interp_layer.cpp:58-61: effective input and output must be positive.
  if (effH <= 0 || effW <= 0 || out[0] <= 0 || out[1] <= 0) return "interp-empty";
  return out;
}
