/**
 * The direct depthwise convolution loop of the MobileNet fork's ConvolutionDepthwise
 * (farmingyard/caffe-mobilenet conv_dw_layer.cpp:156-184): one k×k filter per channel, each
 * output a float32 sum over the kernel in (kh, kw) order, out-of-image taps skipped.
 */

const f = Math.fround;

/** Geometry of one depthwise convolution on [num, channels, height, width]. */
export interface DepthwiseGeometry {
  num: number;
  channels: number;
  height: number;
  width: number;
  outHeight: number;
  outWidth: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
}

/** The forward: `out[n, c, h, w] = Σ weight[c, kh, kw]·x[n, c, h·s − p + kh·d, …]`, then `+ bias[c]`. */
export function depthwiseForward(g: DepthwiseGeometry, x: Float32Array, weight: Float32Array, bias: Float32Array | null): Float32Array {
  const out = new Float32Array(g.num * g.channels * g.outHeight * g.outWidth);
  let o = 0;
  for (let n = 0; n < g.num; n++) {
    for (let c = 0; c < g.channels; c++) {
      const plane = (n * g.channels + c) * g.height * g.width;
      const w0 = c * g.kernelH * g.kernelW;
      for (let h = 0; h < g.outHeight; h++) {
        for (let w = 0; w < g.outWidth; w++) {
          let value = 0;
          for (let kh = 0; kh < g.kernelH; kh++) {
            const hIn = -g.padH + h * g.strideH + kh * g.dilationH;
            for (let kw = 0; kw < g.kernelW; kw++) {
              const wIn = -g.padW + w * g.strideW + kw * g.dilationW;
              if (hIn >= 0 && hIn < g.height && wIn >= 0 && wIn < g.width) value = f(value + f(weight[w0 + kh * g.kernelW + kw]! * x[plane + hIn * g.width + wIn]!));
            }
          }
          // conv_dw_layer.cpp:185-203: the bias is added in a second pass, per channel.
          out[o++] = bias ? f(value + bias[c]!) : value;
        }
      }
    }
  }
  return out;
}
