/**
 * Caffe's im2col / col2im (src/caffe/util/im2col.cpp), for any number of spatial axes.
 *
 * Caffe's column buffer has one row per (channel, kernel offset) — `k = (c·kh + i)·kw + j` in 2-D,
 * row-major over the kernel in N-D — and one column per output position; a position whose input
 * falls in the padding holds 0. {@link im2col} writes that buffer (the layout {@link gemmNN} takes, as
 * Caffe's forward_cpu_gemm does); the values and their k order are Caffe's.
 */

/** The geometry of one convolution over `spatial.length` axes. */
export interface ConvGeometry {
  /** Input image size per spatial axis (the "im" side). */
  image: readonly number[];
  /** Column positions per spatial axis (the convolution's output size). */
  columns: readonly number[];
  kernel: readonly number[];
  stride: readonly number[];
  pad: readonly number[];
  dilation: readonly number[];
}

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/**
 * The row-major offset in one channel's image of output position `pIdx`, kernel offset `kIdx`
 * (`pos·stride − pad + k·dilation` per axis, as Caffe's im2col_nd_cpu computes it), or −1 when it
 * falls in the padding.
 */
function imageIndex(g: ConvGeometry, pIdx: ArrayLike<number>, kIdx: ArrayLike<number>): number {
  let index = 0;
  for (let a = 0; a < g.image.length; a++) {
    const at = pIdx[a]! * g.stride[a]! - g.pad[a]! + kIdx[a]! * g.dilation[a]!;
    if (at < 0 || at >= g.image[a]!) return -1;
    index = index * g.image[a]! + at;
  }
  return index;
}

/**
 * Writes Caffe's column buffer of channels [c0, c0 + channels) of one image: `out[k·P + p]` for column
 * row k (K = channels · kernel size) and output position p (P positions).
 *
 * @param x the image, channel-major (C × image)
 * @param xOffset where the image starts in x
 */
export function im2col(x: Float32Array, xOffset: number, c0: number, channels: number, g: ConvGeometry, out: Float32Array): void {
  if (g.image.length === 2) {
    im2col2d(x, xOffset, c0, channels, g, out);
    return;
  }
  const axes = g.image.length;
  const kSize = product(g.kernel);
  const positions = product(g.columns);
  const imageSize = product(g.image);
  const kIdx = new Array<number>(axes).fill(0);
  const pIdx = new Array<number>(axes).fill(0);
  let q = 0;
  for (let c = 0; c < channels; c++) {
    const plane = xOffset + (c0 + c) * imageSize;
    for (let kk = 0; kk < kSize; kk++) {
      let rest = kk;
      for (let a = axes - 1; a >= 0; a--) {
        kIdx[a] = rest % g.kernel[a]!;
        rest = Math.floor(rest / g.kernel[a]!);
      }
      pIdx.fill(0);
      for (let p = 0; p < positions; p++, q++) {
        const index = imageIndex(g, pIdx, kIdx);
        out[q] = index >= 0 ? x[plane + index]! : 0;
        for (let a = axes - 1; a >= 0; a--) {
          if (++pIdx[a]! < g.columns[a]!) break;
          pIdx[a] = 0;
        }
      }
    }
  }
}

/** Below this many floats a plain loop copies faster than a subarray and `set`. */
const SHORT_RUN = 32;

/** The 2-D im2col: each output row's in-image run is one copy when the stride is 1. */
function im2col2d(x: Float32Array, xOffset: number, c0: number, channels: number, g: ConvGeometry, out: Float32Array): void {
  const [height, width] = g.image as [number, number];
  const [outH, outW] = g.columns as [number, number];
  const [kh, kw] = g.kernel as [number, number];
  const [sh, sw] = g.stride as [number, number];
  const [ph, pw] = g.pad as [number, number];
  const [dh, dw] = g.dilation as [number, number];
  let q = 0;
  for (let c = 0; c < channels; c++) {
    const plane = xOffset + (c0 + c) * height * width;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        // Output columns [lo, hi) read inside the image: 0 ≤ ow·sw − pw + j·dw < width.
        const shift = j * dw - pw;
        const lo = Math.min(outW, Math.max(0, Math.ceil(-shift / sw)));
        const hi = Math.max(lo, Math.min(outW, Math.ceil((width - shift) / sw)));
        for (let oh = 0; oh < outH; oh++, q += outW) {
          const ih = oh * sh - ph + i * dh;
          if (ih < 0 || ih >= height) {
            out.fill(0, q, q + outW);
            continue;
          }
          if (lo > 0) out.fill(0, q, q + lo);
          const line = plane + ih * width + shift;
          if (sw === 1 && hi - lo >= SHORT_RUN) {
            out.set(x.subarray(line + lo, line + hi), q + lo);
          } else {
            for (let ow = lo; ow < hi; ow++) out[q + ow] = x[line + ow * sw]!;
          }
          if (hi < outW) out.fill(0, q + hi, q + outW);
        }
      }
    }
  }
}

/**
 * Caffe's col2im: adds the column buffer `col` (rows = channels · kernel size, columns = positions,
 * row-major) into a zeroed image, in Caffe's order — channel, kernel offset, then positions — each
 * addition rounded to float32 (the image is a Float32Array, as Caffe's Dtype buffer).
 *
 * @param image written from `imageOffset`: channels × g.image values
 */
export function col2im(col: Float32Array, channels: number, g: ConvGeometry, image: Float32Array, imageOffset: number): void {
  const axes = g.image.length;
  const imageSize = product(g.image);
  image.fill(0, imageOffset, imageOffset + channels * imageSize);
  const kSize = product(g.kernel);
  const positions = product(g.columns);
  const kIdx = new Array<number>(axes).fill(0);
  const pIdx = new Array<number>(axes).fill(0);
  let q = 0;
  for (let c = 0; c < channels; c++) {
    const plane = imageOffset + c * imageSize;
    for (let kk = 0; kk < kSize; kk++) {
      let rest = kk;
      for (let a = axes - 1; a >= 0; a--) {
        kIdx[a] = rest % g.kernel[a]!;
        rest = Math.floor(rest / g.kernel[a]!);
      }
      pIdx.fill(0);
      for (let p = 0; p < positions; p++, q++) {
        const index = imageIndex(g, pIdx, kIdx);
        if (index >= 0) image[plane + index] = image[plane + index]! + col[q]!;
        for (let a = axes - 1; a >= 0; a--) {
          if (++pIdx[a]! < g.columns[a]!) break;
          pIdx[a] = 0;
        }
      }
    }
  }
}
