import type { NetLayer } from "../caffe/net.js";

/**
 * For each ReLU working in place, the first later layer that rewrites the same blob in place
 * (e.g. BatchNorm or Scale after Conv → ReLU). ReLULayer::Backward_cpu reads its mask from the
 * bottom blob's data, which such a layer has overwritten by the time the backward runs, so
 * Caffe's gradient differs from the mathematical one (measured in
 * ../shared/golden/training/README.md, section 6). A layer that reads the blob into a new one
 * ends the chain.
 */
export function reluMasksOverwritten(layers: readonly NetLayer[]): Map<number, string> {
  const out = new Map<number, string>();
  layers.forEach((layer, position) => {
    if (layer.type !== "ReLU" || layer.bottoms.length !== 1 || layer.bottoms[0] !== layer.tops[0]) return;
    const blob = layer.bottoms[0];
    for (const later of layers.slice(position + 1)) {
      const inPlace = later.tops.some((t, i) => t === blob && later.bottoms[i] === blob);
      // ReLU and Dropout keep the sign of what they overwrite: the mask stays the same.
      if (inPlace && later.type !== "ReLU" && later.type !== "Dropout") {
        out.set(position, later.name);
        return;
      }
      // Another layer writing the name anew starts a different blob.
      if (!inPlace && later.tops.includes(blob)) return;
    }
  });
  return out;
}
