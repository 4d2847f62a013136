import { describe, expect, it } from "vitest";
import { forwardOf, netWith, refusalOf } from "./snippet.js";

const slice = (param: string, tops: string[], shape = [2, 5, 6, 7]): string =>
  netWith(shape, `layer { name: "s" type: "Slice" bottom: "data" ${tops.map((t) => `top: "${t}"`).join(" ")} ${param} }`);

/** Input `data` and a reference `ref` (Crop's second bottom), then one Crop with `param`. */
const crop = (param: string, ref = [2, 4, 10, 8]): string =>
  `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 4 dim: 13 dim: 11 } } }
layer { name: "ref" type: "Input" top: "ref" input_param { shape { ${ref.map((d) => `dim: ${d}`).join(" ")} } } }
layer { name: "c" type: "Crop" bottom: "data" bottom: "ref" top: "c" ${param} }`;

const tile = (param: string): string => netWith([2, 3, 4, 5], `layer { name: "t" type: "Tile" bottom: "data" top: "t" ${param} }`);

describe("Slice", () => {
  it("splits at the slice points, which tensor_split takes as its indices", () => {
    expect(forwardOf(slice("slice_param { axis: 1 slice_point: 1 slice_point: 3 }", ["a", "b", "c"]), "s")).toBe("a, b, c = torch.tensor_split(data, [1, 3], dim=1)");
  });
  it("keeps uneven parts as written (2 and 3 of 5)", () => {
    expect(forwardOf(slice("slice_param { slice_point: 2 }", ["a", "b"]), "s")).toBe("a, b = torch.tensor_split(data, [2], dim=1)");
  });
  it("splits evenly into as many parts as tops along a negative axis, counted from the end", () => {
    expect(forwardOf(slice("slice_param { axis: -2 }", ["a", "b", "c"]), "s")).toBe("a, b, c = torch.tensor_split(data, 3, dim=2)");
  });
  it("reads the legacy slice_dim", () => {
    expect(forwardOf(slice("slice_param { slice_dim: 3 slice_point: 4 }", ["a", "b"]), "s")).toBe("a, b = torch.tensor_split(data, [4], dim=3)");
  });
  it("gives a single top the bottom itself, as Caffe shares the data", () => {
    expect(forwardOf(slice("slice_param { axis: 2 }", ["a"]), "s")).toBe("a = data");
  });
  it("refuses what SliceLayer refuses: axis with slice_dim, an uneven even split, wrong or falling points", () => {
    expect(refusalOf(slice("slice_param { axis: 1 slice_dim: 1 }", ["a", "b", "c", "d", "e"]), "s")).toBe("slice-axis-and-dim");
    expect(refusalOf(slice("slice_param { axis: 1 }", ["a", "b"]), "s")).toBe("slice-uneven");
    expect(refusalOf(slice("slice_param { slice_point: 1 }", ["a", "b", "c"]), "s")).toBe("slice-point-count");
    expect(refusalOf(slice("slice_param { slice_point: 1 }", ["a"]), "s")).toBe("slice-point-count");
    expect(refusalOf(slice("slice_param { slice_point: 3 slice_point: 2 }", ["a", "b", "c"]), "s")).toBe("slice-points");
    expect(refusalOf(slice("slice_param { slice_point: 6 }", ["a", "b"]), "s")).toBe("slice-points");
    expect(refusalOf(slice("slice_param { axis: 4 }", ["a", "b"]), "s")).toBe("axis-out-of-range");
  });
});

describe("Crop", () => {
  it("takes the reference's sizes from axis on, with one offset per cropped axis", () => {
    expect(forwardOf(crop("crop_param { axis: 2 offset: 1 offset: 2 }"), "c")).toBe("c = data[:, :, 1:1 + ref.shape[2], 2:2 + ref.shape[3]]");
  });
  it("applies a single offset to every axis from axis on", () => {
    expect(forwardOf(crop("crop_param { axis: 1 offset: 0 }", [2, 3, 9, 9]), "c")).toBe("c = data[:, :ref.shape[1], :ref.shape[2], :ref.shape[3]]");
    expect(forwardOf(crop("crop_param { axis: 1 offset: 1 }", [2, 3, 9, 9]), "c")).toBe("c = data[:, 1:1 + ref.shape[1], 1:1 + ref.shape[2], 1:1 + ref.shape[3]]");
  });
  it("crops from axis 2 at offset 0 by default, and counts a negative axis from the end", () => {
    expect(forwardOf(crop(""), "c")).toBe("c = data[:, :, :ref.shape[2], :ref.shape[3]]");
    expect(forwardOf(crop("crop_param { axis: -1 offset: 3 }"), "c")).toBe("c = data[:, :, :, 3:3 + ref.shape[3]]");
  });
  it("refuses offsets that do not match the cropped axes or leave the input", () => {
    expect(refusalOf(crop("crop_param { axis: 1 offset: 1 offset: 2 }"), "c")).toBe("crop-offset-count");
    expect(refusalOf(crop("crop_param { axis: 2 offset: 4 offset: 0 }"), "c")).toBe("crop-out-of-bounds");
  });
});

describe("Tile", () => {
  it("repeats the blob along the axis, other axes once", () => {
    expect(forwardOf(tile("tile_param { axis: 1 tiles: 2 }"), "t")).toBe("t = data.repeat(1, 2, 1, 1)");
    expect(forwardOf(tile("tile_param { axis: -1 tiles: 3 }"), "t")).toBe("t = data.repeat(1, 1, 1, 3)");
  });
  it("refuses a missing or non-positive tile count, as TileLayer does", () => {
    expect(refusalOf(tile("tile_param { axis: 1 }"), "t")).toBe("tile-count");
    expect(refusalOf(tile("tile_param { tiles: 0 }"), "t")).toBe("tile-count");
  });
});
