/**
 * 2-D max and average pooling as Caffe's PoolingLayer::Forward_cpu computes them, over planes of a
 * N × C × H × W buffer. The output size is the caller's (Caffe's rounding rules live with the layer).
 */

/** Window geometry of one pooling. */
export interface PoolGeometry {
  height: number;
  width: number;
  pooledHeight: number;
  pooledWidth: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

/**
 * MAX: each window clipped to the image (padding is never a candidate), starting from −FLT_MAX and
 * taking a value only when strictly greater, so the first maximum in row-major order wins. `mask`
 * (Caffe's optional second top) receives that value's index `h·W + w` within its plane.
 */
export function maxPool(x: Float32Array, planes: number, g: PoolGeometry, out: Float32Array, mask: Float32Array | null): void {
  const { height, width, pooledHeight, pooledWidth } = g;
  const FLT_MAX = 3.4028234663852886e38;
  for (let plane = 0; plane < planes; plane++) {
    const xb = plane * height * width;
    const ob = plane * pooledHeight * pooledWidth;
    for (let ph = 0; ph < pooledHeight; ph++) {
      const hs = ph * g.strideH - g.padH;
      const he = Math.min(hs + g.kernelH, height);
      const h0 = Math.max(hs, 0);
      for (let pw = 0; pw < pooledWidth; pw++) {
        const ws = pw * g.strideW - g.padW;
        const we = Math.min(ws + g.kernelW, width);
        const w0 = Math.max(ws, 0);
        let best = -FLT_MAX;
        let at = -1;
        for (let h = h0; h < he; h++) {
          for (let w = w0; w < we; w++) {
            const v = x[xb + h * width + w]!;
            if (v > best) {
              best = v;
              at = h * width + w;
            }
          }
        }
        out[ob + ph * pooledWidth + pw] = best;
        if (mask) mask[ob + ph * pooledWidth + pw] = at;
      }
    }
  }
}

/**
 * AVE: the divisor is the window clipped to [−pad, size + pad) (padding counts, nothing beyond it);
 * the sum runs over the part inside the image, one float32 addition at a time in row-major order,
 * then one float32 division.
 */
export function avePool(x: Float32Array, planes: number, g: PoolGeometry, out: Float32Array): void {
  const { height, width, pooledHeight, pooledWidth } = g;
  for (let plane = 0; plane < planes; plane++) {
    const xb = plane * height * width;
    const ob = plane * pooledHeight * pooledWidth;
    for (let ph = 0; ph < pooledHeight; ph++) {
      const hs = ph * g.strideH - g.padH;
      const he = Math.min(hs + g.kernelH, height + g.padH);
      for (let pw = 0; pw < pooledWidth; pw++) {
        const ws = pw * g.strideW - g.padW;
        const we = Math.min(ws + g.kernelW, width + g.padW);
        const size = (he - hs) * (we - ws);
        const h0 = Math.max(hs, 0);
        const w0 = Math.max(ws, 0);
        const h1 = Math.min(he, height);
        const w1 = Math.min(we, width);
        let sum = 0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) sum = Math.fround(sum + x[xb + h * width + w]!);
        }
        out[ob + ph * pooledWidth + pw] = sum / size;
      }
    }
  }
}
