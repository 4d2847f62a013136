/**
 * Resampling of planes: the bilinear interpolation of the DeepLab/PSPNet forks
 * (hszhao/PSPNet src/caffe/util/interp.cpp, caffe_cpu_interp2 with packed = false) and the
 * max-unpooling of SegNet's Upsample (alexgkendall/caffe-segnet upsample_layer.cpp:78-107).
 */

const f = Math.fround;

/** One bilinear resize: a window of each input plane to a whole output plane. */
export interface Interp2 {
  planes: number;
  /** The input planes' full size, and the window read from them (offset x1, y1; size height1 × width1). */
  inHeight: number;
  inWidth: number;
  x1: number;
  y1: number;
  height1: number;
  width1: number;
  /** The output size. */
  height2: number;
  width2: number;
}

/**
 * caffe_cpu_interp2 (interp.cpp:13-86): equal sizes are copied (:19-46); otherwise output (h2, w2)
 * samples the window at h2·(height1 − 1)/(height2 − 1) (0 for a single row, :47-48), blending the
 * four neighbours in float32 in the file's order (:49-80).
 */
export function interp2(g: Interp2, x: Float32Array): Float32Array {
  const out = new Float32Array(g.planes * g.height2 * g.width2);
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.height2 * g.width2;
  if (g.height1 === g.height2 && g.width1 === g.width2) {
    for (let c = 0; c < g.planes; c++) {
      for (let h = 0; h < g.height2; h++) {
        for (let w = 0; w < g.width2; w++) out[c * outPlane + h * g.width2 + w] = x[c * inPlane + (g.y1 + h) * g.inWidth + g.x1 + w]!;
      }
    }
    return out;
  }
  const rheight = g.height2 > 1 ? f((g.height1 - 1) / (g.height2 - 1)) : 0;
  const rwidth = g.width2 > 1 ? f((g.width1 - 1) / (g.width2 - 1)) : 0;
  for (let h2 = 0; h2 < g.height2; h2++) {
    const h1r = f(rheight * h2);
    const h1 = Math.trunc(h1r);
    const h1p = h1 < g.height1 - 1 ? 1 : 0;
    const h1lambda = f(h1r - h1);
    const h0lambda = f(1 - h1lambda);
    for (let w2 = 0; w2 < g.width2; w2++) {
      const w1r = f(rwidth * w2);
      const w1 = Math.trunc(w1r);
      const w1p = w1 < g.width1 - 1 ? 1 : 0;
      const w1lambda = f(w1r - w1);
      const w0lambda = f(1 - w1lambda);
      for (let c = 0; c < g.planes; c++) {
        const p = c * inPlane + (g.y1 + h1) * g.inWidth + g.x1 + w1;
        const top = f(f(w0lambda * x[p]!) + f(w1lambda * x[p + w1p]!));
        const bottom = f(f(w0lambda * x[p + h1p * g.inWidth]!) + f(w1lambda * x[p + h1p * g.inWidth + w1p]!));
        out[c * outPlane + h2 * g.width2 + w2] = f(f(h0lambda * top) + f(h1lambda * bottom));
      }
    }
  }
  return out;
}

/**
 * UpsampleLayer::Forward_cpu: a zeroed top, then per plane each value written at the place its
 * mask value names (cast to int), in order, so a later value wins a place named twice. Returns the
 * first out-of-range place (as a number) instead of writing past the plane, or the top.
 */
export function maxUnpool(values: Float32Array, mask: Float32Array, planes: number, inSize: number, outSize: number): Float32Array | number {
  const out = new Float32Array(planes * outSize);
  for (let c = 0; c < planes; c++) {
    for (let i = 0; i < inSize; i++) {
      const idx = Math.trunc(mask[c * inSize + i]!);
      if (idx >= outSize || idx < 0) return idx;
      out[c * outSize + idx] = values[c * inSize + i]!;
    }
  }
  return out;
}
