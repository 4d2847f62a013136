import { describe, expect, it } from "vitest";
import { channelLayout, cloneTensor, numel, sameShape, tensor, unravelIndex, zeros } from "../../src/numeric/tensor.js";

describe("channelLayout", () => {
  it("reads N, C and the spatial product for ranks 2 to 5", () => {
    expect(channelLayout([4, 6])).toEqual({ num: 4, channels: 6, spatial: 1, m: 4 });
    expect(channelLayout([2, 3, 7])).toEqual({ num: 2, channels: 3, spatial: 7, m: 14 });
    expect(channelLayout([4, 3, 5, 5])).toEqual({ num: 4, channels: 3, spatial: 25, m: 100 });
    expect(channelLayout([2, 3, 2, 3, 4])).toEqual({ num: 2, channels: 3, spatial: 24, m: 48 });
  });

  it("gives a rank-1 blob one channel, as Caffe's BatchNorm does", () => {
    expect(channelLayout([5])).toEqual({ num: 5, channels: 1, spatial: 1, m: 5 });
  });
});

describe("tensor", () => {
  it("copies data into a Float32Array, rounding to float32", () => {
    const t = tensor([3], [0.1, 2, 3]);
    expect(t.data[0]).toBe(Math.fround(0.1));
    expect(t.shape).toEqual([3]);
  });

  it("refuses data of the wrong length", () => {
    expect(() => tensor([2, 2], [1, 2, 3])).toThrow(RangeError);
  });

  it("makes zeros and independent clones", () => {
    const z = zeros([2, 2]);
    const c = cloneTensor(z);
    c.data[0] = 1;
    expect(z.data[0]).toBe(0);
    expect(numel([2, 3, 4])).toBe(24);
    expect(numel([])).toBe(1);
  });
});

describe("unravelIndex and sameShape", () => {
  it("turns a flat row-major index into a position", () => {
    expect(unravelIndex(17, [4, 3, 5, 5])).toEqual([0, 0, 3, 2]);
    expect(unravelIndex(299, [4, 3, 5, 5])).toEqual([3, 2, 4, 4]);
  });

  it("compares shapes dimension by dimension", () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([2], [2, 1])).toBe(false);
  });
});
