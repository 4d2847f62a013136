import { interpSize, readInterp } from "./layers/interp.js";
import { unknownMessage } from "./param-view.js";
import { readUpsample, upsampleSize } from "./layers/upsample.js";
import type { ShapeRule } from "./shapes.js";
import { convolutionShape } from "./shapes-spatial.js";
import type { Dim } from "./shape-util.js";

/**
 * Interp (PSPNet / DeepLab): N and C kept, H×W by InterpLayer::Reshape's size rule
 * (hszhao/PSPNet src/caffe/layers/interp_layer.cpp:27-57, see caffe/layers/interp.ts). With the
 * input plane unknown only written height/width (and no factor) still give the size.
 */
export const interpShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const input = inputs[0];
  if (!input || input.length !== 4) return null;
  const [n, c, h, w] = input as [Dim, Dim, Dim, Dim];
  const p = readInterp(layer, sourceMap);
  let size: [Dim, Dim] = [null, null];
  if (h !== null && w !== null) {
    const s = interpSize(p, h, w);
    if (typeof s !== "string") size = s;
  } else if (p.zoomFactor === null && p.shrinkFactor === null && p.height !== null && p.width !== null) {
    size = [p.height, p.width];
  }
  return [[n, c, ...size]];
};

/**
 * Upsample (SegNet / ENet): the shape of bottom 0 with H×W from upsample_h/upsample_w or
 * input × scale − pad_out (caffe-segnet src/caffe/layers/upsample_layer.cpp:66-71).
 */
export const upsampleShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const input = inputs[0];
  if (!input || input.length !== 4) return null;
  const [n, c, h, w] = input as [Dim, Dim, Dim, Dim];
  const p = readUpsample(layer, sourceMap);
  if (!p) return [[n, c, null, null]];
  if (p.kind === "size") return [[n, c, p.height, p.width]];
  return [[n, c, h === null ? null : upsampleSize(p, h, 1)[0], w === null ? null : upsampleSize(p, 1, w)[1]]];
};

/**
 * ConvolutionDepthwise (farmingyard/caffe-mobilenet conv_dw_layer.cpp:106-111): one filter per
 * input channel, so the output keeps the input's channels whatever num_output says; the plane is
 * the ordinary convolution's.
 */
export const convolutionDepthwiseShape: ShapeRule = (ctx) => {
  const input = ctx.inputs[0];
  const out = convolutionShape(ctx);
  if (!input || input.length !== 4 || !out) return null;
  return out.map((s) => (s ? [s[0] ?? null, input[1] ?? null, ...s.slice(2)] : null));
};

/** Axpy (SENet ports, hujie-frank/SENet src/caffe/layers/axpy_layer.cpp:22): the top is shaped as bottom 1. */
export const axpyShape: ShapeRule = ({ inputs }) => [inputs[1] ? [...inputs[1]] : null];

/**
 * DenseImageData (caffe-segnet src/caffe/layers/dense_image_data_layer.cpp:82-107): images
 * [batch_size, C, H, W] and label images [batch_size, 1, H, W], H×W being transform_param's
 * crop_size, else crop_height×crop_width, else the first image's size after the optional
 * new_height×new_width resize (unknown here). C is the image's: 3 in colour (is_color, default
 * true), else 1.
 */
export const denseImageDataShape: ShapeRule = ({ layer, sourceMap }) => {
  const p = unknownMessage(layer.param, "dense_image_data_param", sourceMap);
  const positive = (name: string): number | null => {
    const v = p?.number(name);
    return v !== undefined && v > 0 ? v : null;
  };
  const crop = layer.param.transform_param?.crop_size ?? 0;
  const [cropH, cropW, newH, newW] = [positive("crop_height"), positive("crop_width"), positive("new_height"), positive("new_width")];
  let plane: [Dim, Dim] = [null, null];
  if (crop > 0) plane = [crop, crop];
  else if (cropH !== null && cropW !== null) plane = [cropH, cropW];
  else if (newH !== null && newW !== null) plane = [newH, newW];
  const batch = positive("batch_size");
  const channels = p?.bool("is_color") === false ? 1 : 3;
  return layer.tops.map((_, i) => (i === 0 ? [batch, channels, ...plane] : i === 1 ? [batch, 1, ...plane] : null));
};
