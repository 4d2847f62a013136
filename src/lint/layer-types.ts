import { forkOfType, isBvlcType } from "../caffe/layers/index.js";

/** Whether BVLC Caffe (master) registers layer type `type` (the catalogue in caffe/layers). */
export const isBvlcLayerType = isBvlcType;

/** The fork known to define layer type `type`, if any. */
export function forkOfLayerType(type: string): string | undefined {
  return forkOfType(type);
}
