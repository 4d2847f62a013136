/**
 * The detection forks' helper modules as the emitted Python computes them
 * (src/emit/python/helpers/prior-box.ts, roi-pooling.ts): PriorBox (the fork's box order, float32
 * centres and sizes, corners in double), ROIPooling (the fallback path of the helper — model.py
 * uses torchvision.ops.roi_pool when importable, which implements the same rounding and bounds),
 * PSROIPooling (corners rounded half away from zero, bins floor/ceil in float32, bin means).
 */
import { asBool, asInt, asNumber, asSequence, asTensor, invalid, NONE, float, tensor, type Tensor, type Value } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";

const f32 = Math.fround;
/** C's round(): half away from zero (`_caffe_round`, on the value widened to double). */
const caffeRound = (v: number): number => (v >= 0 ? Math.floor(v + 0.5) : Math.ceil(v - 0.5));

const numbers = (v: Value | undefined, what: string): number[] => asSequence(v, what).map((x, i) => asNumber(x, `${what}[${i}]`));
const optionalPair = (v: Value | undefined, what: string): [number, number] | null => (v === undefined || v.t === "none" ? null : (numbers(v, what) as [number, number]));

/** PriorBox.__init__: the (w, h) of every prior of a cell, in the fork's order. */
function priorSizes(ctx: ModuleContext): { w: number[]; h: number[] } {
  const a = ctx.args;
  const minSizes = numbers(a.get("min_sizes"), "min_sizes").map(Math.trunc);
  const maxSizes = numbers(a.get("max_sizes"), "max_sizes").map(Math.trunc);
  const flip = asBool(a.get("flip"), "flip");
  const ratios = [1];
  for (const r of numbers(a.get("aspect_ratios"), "aspect_ratios")) {
    const ar = f32(r);
    if (ratios.some((e) => Math.abs(f32(ar - e)) < 1e-6)) continue;
    ratios.push(ar);
    if (flip) ratios.push(f32(1 / ar));
  }
  const w: number[] = [];
  const h: number[] = [];
  minSizes.forEach((m, s) => {
    w.push(f32(m)), h.push(f32(m));
    if (maxSizes.length > 0) {
      const side = f32(Math.sqrt(m * maxSizes[s]!));
      w.push(side), h.push(side);
    }
    for (const ar of ratios) {
      if (Math.abs(ar - 1) < 1e-6) continue;
      const root = f32(Math.sqrt(ar));
      w.push(f32(f32(m) * root)), h.push(f32(f32(m) / root));
    }
  });
  return { w, h };
}

/** PriorBox.compute(layer_h, layer_w, img_h, img_w): [1, 2, H·W·P·4]. */
function priorBox(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 1, 2);
  const a = ctx.args;
  const feature = asTensor(inputs[0], "feature");
  const [layerH, layerW] = [feature.shape[2]!, feature.shape[3]!];
  let [imgH, imgW] = optionalPair(a.get("img_size"), "img_size") ?? [NaN, NaN];
  if (Number.isNaN(imgH)) {
    const image = inputs[1] !== undefined && inputs[1].t !== "none" ? asTensor(inputs[1], "image") : invalid("prior-box-no-image");
    [imgH, imgW] = [image.shape[2]!, image.shape[3]!];
  }
  const step = optionalPair(a.get("step"), "step");
  const [stepH, stepW] = step ? [f32(step[0]), f32(step[1])] : [f32(f32(imgH) / layerH), f32(f32(imgW) / layerW)];
  const offset = f32(asNumber(a.get("offset"), "offset"));
  const { w, h } = priorSizes(ctx);
  const p = w.length;
  const boxes = new Float32Array(layerH * layerW * p * 4);
  const clip = asBool(a.get("clip"), "clip");
  const put = (i: number, v: number): void => void (boxes[i] = clip ? Math.min(Math.max(f32(v), 0), 1) : v);
  for (let y = 0; y < layerH; y++) {
    const cy = f32(f32(y + offset) * stepH);
    for (let x = 0; x < layerW; x++) {
      const cx = f32(f32(x + offset) * stepW);
      for (let k = 0; k < p; k++) {
        const at = ((y * layerW + x) * p + k) * 4;
        const [hw, hh] = [w[k]! / 2, h[k]! / 2];
        put(at, (cx - hw) / imgW);
        put(at + 1, (cy - hh) / imgH);
        put(at + 2, (cx + hw) / imgW);
        put(at + 3, (cy + hh) / imgH);
      }
    }
  }
  const variance = numbers(a.get("variance"), "variance").map(f32);
  const out = new Float32Array(2 * boxes.length);
  out.set(boxes);
  for (let i = 0; i < boxes.length; i++) out[boxes.length + i] = variance[i % variance.length]!;
  return tensor([1, 2, boxes.length], out);
}

/** ROIPooling: the max of each bin (0 when empty), bins from the rounded, scaled ROI corners. */
function roiPooling(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 2);
  const x = asTensor(inputs[0], "x");
  const rois = asTensor(inputs[1], "rois");
  const [pooledH, pooledW] = [asInt(ctx.args.get("pooled_h"), "pooled_h"), asInt(ctx.args.get("pooled_w"), "pooled_w")];
  const scale = f32(asNumber(ctx.args.get("spatial_scale"), "spatial_scale"));
  const [n, c, height, width] = x.shape as [number, number, number, number];
  const r = rois.data.length / 5;
  const out = new Float32Array(r * c * pooledH * pooledW);
  /** `_roi_bins`: [start + ⌊i·size⌋, start + ⌈(i + 1)·size⌉) clamped, size = length/pooled in float32. */
  const bins = (start: number, length: number, pooled: number, limit: number): [number, number][] => {
    const size = f32(length / pooled);
    return Array.from({ length: pooled }, (_, i) => [
      Math.min(Math.max(Math.floor(f32(i * size)) + start, 0), limit),
      Math.min(Math.max(Math.ceil(f32(f32(i + 1) * size)) + start, 0), limit),
    ]);
  };
  for (let q = 0; q < r; q++) {
    const b = Math.trunc(rois.data[q * 5]!);
    if (b < 0 || b >= n) invalid("roi-batch-index", { index: b, batch: n });
    const [x1, y1, x2, y2] = [1, 2, 3, 4].map((k) => caffeRound(f32(rois.data[q * 5 + k]! * scale))) as [number, number, number, number];
    const hb = bins(y1, Math.max(y2 - y1 + 1, 1), pooledH, height);
    const wb = bins(x1, Math.max(x2 - x1 + 1, 1), pooledW, width);
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * height * width;
      for (let ph = 0; ph < pooledH; ph++) {
        for (let pw = 0; pw < pooledW; pw++) {
          const [[h0, h1], [w0, w1]] = [hb[ph]!, wb[pw]!];
          let best = h1 > h0 && w1 > w0 ? -Infinity : 0;
          for (let yy = h0; yy < h1; yy++) for (let xx = w0; xx < w1; xx++) best = Math.max(best, x.data[plane + yy * width + xx]!);
          out[((q * c + ch) * pooledH + ph) * pooledW + pw] = best;
        }
      }
    }
  }
  return tensor([r, c, pooledH, pooledW], out);
}

/** PSROIPooling: bin (i, j) of output channel o averages input channel (o·g + i)·g + j. */
function psRoiPooling(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 2);
  const x = asTensor(inputs[0], "x");
  const rois = asTensor(inputs[1], "rois");
  const outputDim = asInt(ctx.args.get("output_dim"), "output_dim");
  const g = asInt(ctx.args.get("group_size"), "group_size");
  const scale = f32(asNumber(ctx.args.get("spatial_scale"), "spatial_scale"));
  const [n, c, height, width] = x.shape as [number, number, number, number];
  if (c !== outputDim * g * g) invalid("psroi-pooling-channels", { channels: c, expected: outputDim * g * g });
  const r = rois.data.length / 5;
  const out = new Float32Array(r * outputDim * g * g);
  for (let q = 0; q < r; q++) {
    const b = Math.trunc(rois.data[q * 5]!);
    if (b < 0 || b >= n) invalid("roi-batch-index", { index: b, batch: n });
    const [cx1, cy1, cx2, cy2] = [1, 2, 3, 4].map((k) => caffeRound(rois.data[q * 5 + k]!));
    const [x1, y1] = [f32(cx1! * scale), f32(cy1! * scale)];
    const [x2, y2] = [f32(f32(cx2! + 1) * scale), f32(f32(cy2! + 1) * scale)];
    const binH = f32(Math.max(f32(y2 - y1), f32(0.1)) / g);
    const binW = f32(Math.max(f32(x2 - x1), f32(0.1)) / g);
    const clampTo = (v: number, limit: number): number => Math.min(Math.max(v, 0), limit);
    for (let o = 0; o < outputDim; o++) {
      for (let i = 0; i < g; i++) {
        const h0 = clampTo(Math.floor(f32(f32(i * binH) + y1)), height);
        const h1 = clampTo(Math.ceil(f32(f32(f32(i + 1) * binH) + y1)), height);
        for (let j = 0; j < g; j++) {
          const w0 = clampTo(Math.floor(f32(f32(j * binW) + x1)), width);
          const w1 = clampTo(Math.ceil(f32(f32(f32(j + 1) * binW) + x1)), width);
          const plane = (b * c + (o * g + i) * g + j) * height * width;
          let s = 0;
          for (let yy = h0; yy < h1; yy++) for (let xx = w0; xx < w1; xx++) s += x.data[plane + yy * width + xx]!;
          const area = (h1 - h0) * (w1 - w0);
          out[((q * outputDim + o) * g + i) * g + j] = h1 <= h0 || w1 <= w0 ? 0 : s / area;
        }
      }
    }
  }
  return tensor([r, outputDim, g, g], out);
}

/** The PriorBox and region-pooling helper modules. */
export const DETECTION_MODULES: readonly ModuleImpl[] = [
  {
    classes: ["PriorBox"],
    signature: [
      ["min_sizes"],
      ["max_sizes", { t: "tuple", items: [] }],
      ["aspect_ratios", { t: "tuple", items: [] }],
      ["flip", { t: "bool", v: true }],
      ["clip", { t: "bool", v: false }],
      ["variance", { t: "tuple", items: [float(0.1)] }],
      ["img_size", NONE],
      ["step", NONE],
      ["offset", float(0.5)],
      ["shapes", NONE],
    ],
    forward: priorBox,
  },
  { classes: ["ROIPooling"], signature: [["pooled_h"], ["pooled_w"], ["spatial_scale", float(1)]], forward: roiPooling },
  { classes: ["PSROIPooling"], signature: [["output_dim"], ["group_size"], ["spatial_scale"]], forward: psRoiPooling },
];
