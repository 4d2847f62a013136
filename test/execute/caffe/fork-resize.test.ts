/**
 * Interp (PSPNet) and Upsample (SegNet) on cases worked out by hand from interp_layer.cpp /
 * interp.cpp and upsample_layer.cpp (src/execute/caffe/fork-resize.ts cites the lines).
 */
import { describe, expect, it } from "vitest";
import { blob, layer, run, values } from "./run-net.js";

const ramp = (shape: number[]) => blob(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i));

describe("Interp", () => {
  it("zooms on the align-corners grid: [[0, 1], [2, 3]] by 2 puts the midpoints between the corners", () => {
    const r = run([layer("i", "Interp", ["x"], "interp_param { zoom_factor: 2 }")], { x: ramp([1, 1, 2, 2]) });
    expect(r.top("i").shape).toEqual([1, 1, 3, 3]);
    expect(values(r.top("i"))).toEqual([0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  });

  it("shrinks 5×7 by 2 to (5 − 1)/2 + 1 = 3 by 4, sampling every other row and column", () => {
    const r = run([layer("i", "Interp", ["x"], "interp_param { shrink_factor: 2 }")], { x: ramp([1, 1, 5, 7]) });
    expect(r.top("i").shape).toEqual([1, 1, 3, 4]);
    expect(values(r.top("i"))).toEqual([0, 2, 4, 6, 14, 16, 18, 20, 28, 30, 32, 34]);
  });

  it("crops pad_beg/pad_end (≤ 0) first; an output of the cropped size is a copy of the crop", () => {
    // 4×4 ramp cropped by 1 on each side: the inner 2×2.
    const r = run([layer("i", "Interp", ["x"], "interp_param { height: 2 width: 2 pad_beg: -1 pad_end: -1 }")], { x: ramp([1, 1, 4, 4]) });
    expect(values(r.top("i"))).toEqual([5, 6, 9, 10]);
  });

  it("samples row 0 for a one-row output, and lets a zoom factor win over height/width", () => {
    const x = ramp([1, 1, 2, 3]);
    expect(values(run([layer("i", "Interp", ["x"], "interp_param { height: 1 width: 5 }")], { x }).top("i"))).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(run([layer("i", "Interp", ["x"], "interp_param { zoom_factor: 3 height: 10 width: 10 }")], { x }).top("i").shape).toEqual([1, 1, 4, 7]);
  });

  it("refuses padding above 0 and a layer without a size rule", () => {
    const x = ramp([1, 1, 2, 3]);
    expect(run([layer("i", "Interp", ["x"], "interp_param { zoom_factor: 2 pad_beg: 1 }")], { x }).error).toMatchObject({ code: "interp-positive-pad" });
    expect(run([layer("i", "Interp", ["x"], "interp_param { height: 3 }")], { x }).error).toMatchObject({ code: "interp-no-size" });
  });
});

describe("Upsample", () => {
  it("writes each value where its mask points in a zeroed top of upsample_h × upsample_w, plane by plane", () => {
    const x = blob([1, 2, 1, 2], [10, 20, 30, 40]);
    const mask = blob([1, 2, 1, 2], [1, 2, 3, 0]);
    const r = run([layer("u", "Upsample", ["x", "mask"], "upsample_param { upsample_h: 2 upsample_w: 2 }")], { x, mask });
    expect(values(r.top("u"))).toEqual([0, 10, 20, 0, 40, 0, 0, 30]);
  });

  it("sizes the top as input × scale − pad_out, and takes the mask of a MAX Pooling's second top", () => {
    // 3×4 pooled 2×2/2 (ceil: 2×2); the maxima 9 at (1, 1), 7 at (0, 3), 8 at (2, 0), 6 at (2, 2).
    const p = blob([1, 1, 3, 4], [0, 1, 2, 7, 3, 9, 4, 5, 8, 0, 6, 1]);
    const lines = [layer("pool", "Pooling", ["p"], "pooling_param { pool: MAX kernel_size: 2 stride: 2 }", ["pool", "mask"]), layer("u", "Upsample", ["pool", "mask"], "upsample_param { scale: 2 pad_out_h: true }")];
    const r = run(lines, { p });
    expect(r.top("u").shape).toEqual([1, 1, 3, 4]);
    expect(values(r.top("u"))).toEqual([0, 0, 0, 7, 0, 9, 0, 0, 8, 0, 6, 0]);
  });

  it("fails on the −1 mask of an empty pooling window (kernel 1, stride 2, no pad: Caffe keeps a window past the input)", () => {
    const lines = [layer("pool", "Pooling", ["p"], "pooling_param { pool: MAX kernel_size: 1 stride: 2 }", ["pool", "mask"]), layer("u", "Upsample", ["pool", "mask"], "upsample_param { upsample_h: 2 upsample_w: 4 }")];
    const r = run(lines, { p: blob([1, 1, 1, 4], [1, 2, 3, 4]) });
    // pooling_layer.cpp:93-115: ceil((4 − 1)/2) + 1 = 3 windows, the third starting at 4: −FLT_MAX, mask −1.
    expect(values(r.top("pool"))).toEqual([1, 3, -3.4028234663852886e38]);
    expect(values(r.top("pool", 1))).toEqual([0, 2, -1]);
    expect(r.error).toMatchObject({ layer: "u", code: "upsample-index-out-of-range", data: { index: -1 } });
  });

  it("fails, as the fork's LOG(FATAL) does, on a mask place outside the top", () => {
    const r = run([layer("u", "Upsample", ["x", "mask"], "upsample_param { scale: 2 }")], { x: blob([1, 1, 1, 1], [5]), mask: blob([1, 1, 1, 1], [4]) });
    expect(r.error).toMatchObject({ code: "upsample-index-out-of-range", data: { index: 4, size: 4 } });
  });
});
