import type { ConvolutionParameter, PoolingParameter } from "../schema/caffe-types.js";
import { paramView } from "./param-view.js";
import type { ShapeRule } from "./shapes.js";
import { canonicalAxis, type Dim } from "./shape-util.js";

/**
 * Per-axis values of a convolution setting as Caffe's BaseConvolutionLayer::LayerSetUp reads them:
 * the 2-D `*_h`/`*_w` forms win when set; otherwise a repeated field holds no value (default), one
 * value (all axes) or one per spatial axis.
 */
function perAxis(list: number[] | undefined, h: number | undefined, w: number | undefined, axes: number, fallback: number | null): (number | null)[] | null {
  if (h !== undefined || w !== undefined) {
    if (axes !== 2) return null;
    return [h ?? fallback, w ?? fallback];
  }
  const values = list ?? [];
  if (values.length === 0) return Array<number | null>(axes).fill(fallback);
  if (values.length === 1) return Array<number>(axes).fill(values[0]!);
  if (values.length === axes) return [...values];
  return null;
}

/** Geometry of a convolution over the spatial axes of `rank`-D input. */
function convGeometry(p: ConvolutionParameter, rank: number) {
  const channelAxis = canonicalAxis(p.axis ?? 1, rank);
  if (channelAxis === null) return null;
  const axes = rank - channelAxis - 1;
  if (axes < 0) return null;
  // kernel_h/kernel_w must come together; a kernel has no default.
  const kernel = perAxis(p.kernel_size, p.kernel_h, p.kernel_w, axes, null);
  // pad_h/pad_w default to 0 when only one is written, as ConvolutionParameter declares.
  const pad = perAxis(p.pad, p.pad_h, p.pad_w, axes, 0);
  const stride = perAxis(p.stride, p.stride_h, p.stride_w, axes, 1);
  const dilation = perAxis(p.dilation, undefined, undefined, axes, 1);
  if (!kernel || !pad || !stride || !dilation) return null;
  return { channelAxis, axes, kernel, pad, stride, dilation };
}

/**
 * The number of spatial axes a convolution's parameters fix on their own: 2 with any of the 2-D
 * `*_h`/`*_w` fields, n when a repeated field lists n > 1 values; null when every field holds at
 * most one value, which then applies to however many spatial axes the input has.
 */
export function convSpatialAxes(p: ConvolutionParameter): number | null {
  const hw = [p.kernel_h, p.kernel_w, p.pad_h, p.pad_w, p.stride_h, p.stride_w].some((v) => v !== undefined);
  if (hw) return 2;
  const listed = Math.max(p.kernel_size?.length ?? 0, p.pad?.length ?? 0, p.stride?.length ?? 0, p.dilation?.length ?? 0);
  return listed > 1 ? listed : null;
}

/**
 * The spatial axes of a convolution whose input is unknown: as its fields fix them, else 2 — a 2-D
 * image is what nearly every Caffe net convolves (a 3-D net whose rank is hidden upstream would be
 * taken for 2-D; a known input rank always wins).
 */
const impliedSpatialAxes = (p: ConvolutionParameter): number => convSpatialAxes(p) ?? 2;

function convShape(deconv: boolean): ShapeRule {
  return ({ layer, inputs }) => {
    const input = inputs[0];
    const p = layer.param.convolution_param ?? {};
    if (!input) {
      // Without the input, its rank still follows from the kernel's axes and the channels are
      // num_output: enough for a BatchNorm downstream to know its module and num_features.
      const axis = p.axis ?? 1;
      if (axis < 0) return null;
      const out: Dim[] = [...Array<Dim>(axis).fill(null), p.num_output ?? null, ...Array<Dim>(impliedSpatialAxes(p)).fill(null)];
      return layer.tops.map(() => [...out]);
    }
    const g = convGeometry(p, input.length);
    if (!g) return null;
    const out: Dim[] = input.slice(0, g.channelAxis);
    out.push(p.num_output ?? null);
    for (let i = 0; i < g.axes; i++) {
      const size = input[g.channelAxis + 1 + i] ?? null;
      const k = g.kernel[i]!;
      const pad = g.pad[i]!;
      const stride = g.stride[i]!;
      const dil = g.dilation[i]!;
      if (size === null || k === null || pad === null || stride === null || dil === null) {
        out.push(null);
        continue;
      }
      const extent = dil * (k - 1) + 1;
      // BaseConvolutionLayer::compute_output_shape: integer division (C++ truncation).
      const o = deconv ? stride * (size - 1) + extent - 2 * pad : Math.trunc((size + 2 * pad - extent) / stride) + 1;
      out.push(o > 0 ? o : null);
    }
    return layer.tops.map(() => [...out]);
  };
}

/** Convolution, as BVLC's ConvolutionLayer computes its output shape. */
export const convolutionShape: ShapeRule = convShape(false);

/** Deconvolution: stride·(in − 1) + dilated kernel − 2·pad, as DeconvolutionLayer::compute_output_shape. */
export const deconvolutionShape: ShapeRule = convShape(true);

/**
 * Pooling, as Caffe's PoolingLayer::Reshape: 4-D input only; output
 * ceil((H + 2·pad − k) / stride) + 1 (floor with `round_mode: FLOOR`, or the fork field
 * `ceil_mode: false` of forks that predate round_mode); then, when any padding is used, a last
 * window that would start in the padding is clipped: if (out − 1)·stride ≥ H + pad, out − 1.
 * Global pooling takes the whole plane and gives 1×1. The output is 4-D and keeps the channels
 * whatever else is unknown (an unknown input is 4-D too, or Caffe refuses the net).
 */
export const poolingShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const input = inputs[0] ?? [null, null, null, null];
  if (input.length !== 4) return null;
  const p: PoolingParameter = layer.param.pooling_param ?? {};
  const [n, c, h, w] = input as [Dim, Dim, Dim, Dim];
  if (p.global_pooling) return layer.tops.map(() => [n, c, 1, 1]);
  const kh = p.kernel_h ?? p.kernel_size;
  const kw = p.kernel_w ?? p.kernel_size;
  if (kh === undefined || kw === undefined) return layer.tops.map(() => [n, c, null, null]);
  const hasPadHW = p.pad_h !== undefined || p.pad_w !== undefined;
  const padH = hasPadHW ? p.pad_h ?? 0 : p.pad ?? 0;
  const padW = hasPadHW ? p.pad_w ?? 0 : p.pad ?? 0;
  const hasStrideHW = p.stride_h !== undefined || p.stride_w !== undefined;
  const strideH = hasStrideHW ? p.stride_h ?? 1 : p.stride ?? 1;
  const strideW = hasStrideHW ? p.stride_w ?? 1 : p.stride ?? 1;
  const forkCeil = paramView(layer.param.pooling_param, sourceMap).bool("ceil_mode");
  const floor = p.round_mode === "FLOOR" || forkCeil === false;
  const padded = padH > 0 || padW > 0;
  const dim = (size: Dim, k: number, pad: number, stride: number): Dim => {
    if (size === null || stride <= 0) return null;
    const q = (size + 2 * pad - k) / stride;
    let out = (floor ? Math.floor(q) : Math.ceil(q)) + 1;
    if (padded && (out - 1) * stride >= size + pad) out--;
    return out > 0 ? out : null;
  };
  const shape: Dim[] = [n, c, dim(h, kh, padH, strideH), dim(w, kw, padW, strideW)];
  return layer.tops.map(() => [...shape]);
};
