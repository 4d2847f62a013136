/**
 * nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveMaxPool2d, nn.AdaptiveAvgPool2d as PyTorch 1.13's CPU
 * kernels define them (aten/src/ATen/native/Pool.h pooling_output_shape, cpu/MaxPoolKernel.cpp,
 * cpu/AvgPoolKernel.cpp, cpu/AdaptiveAvgPoolKernel.cpp). These are PyTorch's own rules, written
 * here rather than shared with Caffe's pooling, because the two differ in places:
 * - output size: ⌊(H + 2p − d(k − 1) − 1 + (ceil ? s − 1 : 0)) / s⌋ + 1, and with ceil_mode one less
 *   when the last window would start at or beyond H + p (pooling_output_shape);
 * - average: the window clipped to [−p, H + p) gives the divisor with count_include_pad, the window
 *   clipped to the input without it; a window wholly in the padding gives 0;
 * - max: padding never wins, NaN does (`val > max || isnan(val)`), the index is the first maximum's
 *   h·W + w.
 */
import { asBool, asInt, asInts, asTensor, int, invalid, NONE, tensor, tuple, type Tensor, type Value } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";
import { freshFloats } from "../../../numeric/float-pool.js";

/** pooling_output_shape of ATen for one axis. */
export function pooledSize(size: number, kernel: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  const numerator = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceil ? stride - 1 : 0);
  let out = Math.floor(numerator / stride) + 1;
  // Ensure that the last pooling window starts inside the image (or its left padding).
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

export interface Window2d {
  kernel: number[];
  stride: number[];
  pad: number[];
  dilation: number[];
  out: number[];
}

function windowOf(ctx: ModuleContext, x: Tensor, withDilation: boolean): Window2d {
  const a = ctx.args;
  const kernel = asInts(a.get("kernel_size"), "kernel_size", 2);
  const strideArg = a.get("stride")!;
  const stride = strideArg.t === "none" || (strideArg.t === "tuple" && strideArg.items.length === 0) ? kernel : asInts(strideArg, "stride", 2);
  const pad = asInts(a.get("padding"), "padding", 2);
  const dilation = withDilation ? asInts(a.get("dilation"), "dilation", 2) : [1, 1];
  if (x.shape.length !== 4 && x.shape.length !== 3) invalid("pool-input-rank", { rank: x.shape.length });
  // ATen's pool2d_shape_check: "pad should be at most half of effective kernel size".
  if (pad.some((p, i) => p > kernel[i]! / 2)) invalid("pool-pad-above-half", { pad, kernel });
  const ceil = asBool(a.get("ceil_mode"), "ceil_mode");
  const [h, w] = x.shape.slice(-2) as [number, number];
  const out = [pooledSize(h, kernel[0]!, pad[0]!, stride[0]!, dilation[0]!, ceil), pooledSize(w, kernel[1]!, pad[1]!, stride[1]!, dilation[1]!, ceil)];
  if (out.some((o) => o < 1)) invalid("pool-empty-output", { input: [h, w], out });
  return { kernel, stride, pad, dilation, out };
}

const planesOf = (x: Tensor): number => x.data.length / (x.shape[x.shape.length - 1]! * x.shape[x.shape.length - 2]!);
const outShape = (x: Tensor, out: readonly number[]): number[] => [...x.shape.slice(0, -2), ...out];

/** The max over each window; indices h·W + w of the maxima (as int64 values). */
function maxPool(x: Tensor, g: Window2d): [Tensor, Tensor] {
  const [h, w] = x.shape.slice(-2) as [number, number];
  const [oh, ow] = g.out as [number, number];
  const planes = planesOf(x);
  const out = freshFloats(planes * oh * ow);
  const idx = new Float32Array(out.length);
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let i = 0; i < oh; i++) {
      let h0 = i * g.stride[0]! - g.pad[0]!;
      const h1 = Math.min(h0 + (g.kernel[0]! - 1) * g.dilation[0]! + 1, h);
      while (h0 < 0) h0 += g.dilation[0]!;
      for (let j = 0; j < ow; j++) {
        let w0 = j * g.stride[1]! - g.pad[1]!;
        const w1 = Math.min(w0 + (g.kernel[1]! - 1) * g.dilation[1]! + 1, w);
        while (w0 < 0) w0 += g.dilation[1]!;
        let best = -Infinity;
        let at = h0 * w + w0;
        for (let y = h0; y < h1; y += g.dilation[0]!) {
          for (let z = w0; z < w1; z += g.dilation[1]!) {
            const v = x.data[base + y * w + z]!;
            if (v > best || Number.isNaN(v)) {
              best = v;
              at = y * w + z;
            }
          }
        }
        const o = (p * oh + i) * ow + j;
        out[o] = best;
        idx[o] = at;
      }
    }
  }
  return [tensor(outShape(x, g.out), out), tensor(outShape(x, g.out), idx, "int64")];
}

/** The average over each window, with PyTorch's divisor (avg_pool2d's cpu kernel). */
export function avgPool(x: Tensor, g: Window2d, countIncludePad: boolean, divisor: number | null): Tensor {
  const [h, w] = x.shape.slice(-2) as [number, number];
  const [oh, ow] = g.out as [number, number];
  const planes = planesOf(x);
  const out = freshFloats(planes * oh * ow);
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let h0 = i * g.stride[0]! - g.pad[0]!;
        let w0 = j * g.stride[1]! - g.pad[1]!;
        let h1 = Math.min(h0 + g.kernel[0]!, h + g.pad[0]!);
        let w1 = Math.min(w0 + g.kernel[1]!, w + g.pad[1]!);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, h);
        w1 = Math.min(w1, w);
        const o = (p * oh + i) * ow + j;
        if (h0 >= h1 || w0 >= w1) {
          out[o] = 0;
          continue;
        }
        let s = 0;
        for (let y = h0; y < h1; y++) for (let z = w0; z < w1; z++) s = Math.fround(s + x.data[base + y * w + z]!);
        const d = divisor ?? (countIncludePad ? poolSize : (h1 - h0) * (w1 - w0));
        out[o] = s / d;
      }
    }
  }
  return tensor(outShape(x, g.out), out);
}

/** Adaptive bins: [⌊o·I/O⌋, ⌈(o + 1)·I/O⌉). */
const binStart = (o: number, inSize: number, outSize: number): number => Math.floor((o * inSize) / outSize);
const binEnd = (o: number, inSize: number, outSize: number): number => Math.ceil(((o + 1) * inSize) / outSize);

function adaptive(x: Tensor, outSize: readonly (number | null)[], max: boolean): [Tensor, Tensor] {
  if (x.shape.length !== 4 && x.shape.length !== 3) invalid("pool-input-rank", { rank: x.shape.length });
  const [h, w] = x.shape.slice(-2) as [number, number];
  const [oh, ow] = [outSize[0] ?? h, outSize[1] ?? w];
  const planes = planesOf(x);
  const out = freshFloats(planes * oh * ow);
  const idx = new Float32Array(out.length);
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let i = 0; i < oh; i++) {
      const [h0, h1] = [binStart(i, h, oh), binEnd(i, h, oh)];
      for (let j = 0; j < ow; j++) {
        const [w0, w1] = [binStart(j, w, ow), binEnd(j, w, ow)];
        const o = (p * oh + i) * ow + j;
        if (max) {
          let best = -Infinity;
          let at = h0 * w + w0;
          for (let y = h0; y < h1; y++) {
            for (let z = w0; z < w1; z++) {
              const v = x.data[base + y * w + z]!;
              if (v > best || Number.isNaN(v)) {
                best = v;
                at = y * w + z;
              }
            }
          }
          out[o] = best;
          idx[o] = at;
        } else {
          let s = 0;
          for (let y = h0; y < h1; y++) for (let z = w0; z < w1; z++) s = Math.fround(s + x.data[base + y * w + z]!);
          out[o] = s / (h1 - h0) / (w1 - w0);
        }
      }
    }
  }
  const shape = outShape(x, [oh, ow]);
  return [tensor(shape, out), tensor(shape, idx, "int64")];
}

const withIndices = (ctx: ModuleContext, pair: [Tensor, Tensor]): Value => (asBool(ctx.args.get("return_indices"), "return_indices") ? tuple(pair) : pair[0]);

/** `output_size` as (h, w), None keeping the input's size. */
function outputSize(v: Value | undefined): (number | null)[] {
  if (v?.t === "tuple" || v?.t === "list") return v.items.map((i) => (i.t === "none" ? null : asInt(i, "output_size")));
  const n = asInt(v, "output_size");
  return [n, n];
}

/** The pooling modules. */
export const POOL_MODULES: readonly ModuleImpl[] = [
  {
    classes: ["nn.MaxPool2d"],
    signature: [["kernel_size"], ["stride", NONE], ["padding", int(0)], ["dilation", int(1)], ["return_indices", { t: "bool", v: false }], ["ceil_mode", { t: "bool", v: false }]],
    forward(ctx, inputs) {
      arity(ctx, inputs, 1);
      const x = asTensor(inputs[0], "input");
      return withIndices(ctx, maxPool(x, windowOf(ctx, x, true)));
    },
  },
  {
    classes: ["nn.AvgPool2d"],
    signature: [["kernel_size"], ["stride", NONE], ["padding", int(0)], ["ceil_mode", { t: "bool", v: false }], ["count_include_pad", { t: "bool", v: true }], ["divisor_override", NONE]],
    forward(ctx, inputs) {
      arity(ctx, inputs, 1);
      const x = asTensor(inputs[0], "input");
      const d = ctx.args.get("divisor_override")!;
      return avgPool(x, windowOf(ctx, x, false), asBool(ctx.args.get("count_include_pad"), "count_include_pad"), d.t === "none" ? null : asInt(d, "divisor_override"));
    },
  },
  {
    classes: ["nn.AdaptiveMaxPool2d"],
    signature: [["output_size"], ["return_indices", { t: "bool", v: false }]],
    forward(ctx, inputs) {
      arity(ctx, inputs, 1);
      return withIndices(ctx, adaptive(asTensor(inputs[0], "input"), outputSize(ctx.args.get("output_size")), true));
    },
  },
  {
    classes: ["nn.AdaptiveAvgPool2d"],
    signature: [["output_size"]],
    forward(ctx, inputs) {
      arity(ctx, inputs, 1);
      return adaptive(asTensor(inputs[0], "input"), outputSize(ctx.args.get("output_size")), false)[0];
    },
  },
];

