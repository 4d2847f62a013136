import { describe, expect, it } from "vitest";
import { buildBlobGraph } from "../../src/caffe/blobs.js";
import { buildNet } from "../../src/caffe/net.js";
import { inferShapes } from "../../src/caffe/shapes.js";
import type { LayerParameter } from "../../src/schema/caffe-types.js";

/** Shape of the last top of the last layer, after an Input of `shape`. */
function after(shape: number[], ...layers: LayerParameter[]): (number | null)[] | null {
  const all: LayerParameter[] = [{ name: "in", type: "Input", top: ["in"], input_param: { shape: [{ dim: shape }] } }];
  let prev = "in";
  layers.forEach((l, i) => {
    const top = l.top ?? [`t${i}`];
    all.push({ name: `l${i}`, bottom: l.bottom ?? [prev], top, ...l });
    prev = top[top.length - 1]!;
  });
  const model = buildNet({ layer: all });
  const graph = buildBlobGraph(model);
  const shapes = inferShapes(model, graph);
  const last = graph.tops[graph.tops.length - 1]!;
  return shapes[last[last.length - 1]!] ?? null;
}

describe("shape inference", () => {
  it("computes Convolution with pad, stride, dilation and group", () => {
    expect(after([1, 3, 224, 224], { type: "Convolution", convolution_param: { num_output: 64, kernel_size: [7], stride: [2], pad: [3] } })).toEqual([1, 64, 112, 112]);
    expect(after([1, 8, 10, 10], { type: "Convolution", convolution_param: { num_output: 8, kernel_size: [3], dilation: [2], group: 8 } })).toEqual([1, 8, 6, 6]);
  });
  it("reads kernel_h/kernel_w, pad_h/pad_w and stride_h/stride_w", () => {
    expect(after([2, 3, 20, 30], { type: "Convolution", convolution_param: { num_output: 4, kernel_h: 3, kernel_w: 5, pad_h: 1, stride_h: 2, stride_w: 1 } })).toEqual([2, 4, 10, 26]);
  });
  it("computes N-D convolution over every spatial axis", () => {
    expect(after([1, 2, 8, 8, 8], { type: "Convolution", convolution_param: { num_output: 4, kernel_size: [3, 3, 1], pad: [1] } })).toEqual([1, 4, 8, 8, 10]);
  });
  it("computes Deconvolution as stride·(in − 1) + kernel − 2·pad", () => {
    expect(after([1, 4, 8, 8], { type: "Deconvolution", convolution_param: { num_output: 2, kernel_size: [4], stride: [2], pad: [1] } })).toEqual([1, 2, 16, 16]);
  });
  it("rounds Pooling up (Caffe's ceil) and clips a last window that would start in the padding", () => {
    expect(after([1, 1, 3, 3], { type: "Pooling", pooling_param: { kernel_size: 2, stride: 2 } })).toEqual([1, 1, 2, 2]);
    expect(after([1, 1, 112, 112], { type: "Pooling", pooling_param: { kernel_size: 3, stride: 2 } })).toEqual([1, 1, 56, 56]);
    // ceil((4 + 2 − 2) / 2) + 1 = 3, and (3 − 1)·2 = 4 ≥ 4 + 1 is false: no clip.
    expect(after([1, 1, 4, 4], { type: "Pooling", pooling_param: { kernel_size: 2, stride: 2, pad: 1 } })).toEqual([1, 1, 3, 3]);
    // ceil((5 + 2 − 3) / 3) + 1 = 3, and (3 − 1)·3 = 6 ≥ 5 + 1: the third window is clipped.
    expect(after([1, 1, 5, 5], { type: "Pooling", pooling_param: { kernel_size: 3, stride: 3, pad: 1 } })).toEqual([1, 1, 2, 2]);
  });
  it("rounds Pooling down with round_mode FLOOR and makes global pooling 1×1", () => {
    expect(after([1, 1, 3, 3], { type: "Pooling", pooling_param: { kernel_size: 2, stride: 2, round_mode: "FLOOR" } })).toEqual([1, 1, 1, 1]);
    expect(after([1, 7, 9, 9], { type: "Pooling", pooling_param: { global_pooling: true } })).toEqual([1, 7, 1, 1]);
  });
  it("keeps the axes before InnerProduct's axis", () => {
    expect(after([2, 3, 4, 5], { type: "InnerProduct", inner_product_param: { num_output: 10 } })).toEqual([2, 10]);
    expect(after([2, 3, 4, 5], { type: "InnerProduct", inner_product_param: { num_output: 10, axis: 2 } })).toEqual([2, 3, 10]);
  });
  it("adds Concat sizes along the axis and splits Slice at its points", () => {
    const concat = [
      { name: "a", type: "ReLU", bottom: ["in"], top: ["a"] },
      { type: "Concat", bottom: ["in", "a"], top: ["c"] },
    ];
    expect(after([1, 3, 4, 4], ...concat)).toEqual([1, 6, 4, 4]);
    expect(after([1, 6, 4, 4], { type: "Slice", slice_param: { slice_point: [2] }, top: ["s0", "s1"] })).toEqual([1, 4, 4, 4]);
    expect(after([1, 6, 4, 4], { type: "Slice", slice_param: { axis: -1 }, top: ["s0", "s1"] })).toEqual([1, 6, 4, 2]);
  });
  it("flattens, reshapes with 0 and -1, and crops to the second bottom", () => {
    expect(after([2, 3, 4, 5], { type: "Flatten" })).toEqual([2, 60]);
    expect(after([2, 3, 4, 5], { type: "Reshape", reshape_param: { shape: { dim: [0, -1, 5] } } })).toEqual([2, 12, 5]);
    expect(after([2, 3, 4, 5], { type: "Reshape", reshape_param: { shape: { dim: [-1] }, axis: 1 } })).toEqual([2, 60]);
    expect(after([1, 3, 10, 10], { name: "small", type: "Pooling", pooling_param: { kernel_size: 2, stride: 2 }, top: ["small"] }, { type: "Crop", bottom: ["in", "small"] })).toEqual([1, 3, 5, 5]);
  });
  it("keeps the shape through activations, BatchNorm, Scale and Dropout", () => {
    for (const type of ["ReLU", "PReLU", "Sigmoid", "TanH", "ELU", "Power", "AbsVal", "BNLL", "Exp", "Log", "Clip", "Swish", "Softmax", "LRN", "BatchNorm", "Scale", "Bias", "Dropout"]) {
      expect(after([2, 3, 4], { type })).toEqual([2, 3, 4]);
    }
  });
  it("permutes as SSD's Permute does, appending the axes not listed", () => {
    // permute_param is not in BVLC's schema; as a bound object it is read the same way.
    expect(after([1, 2, 3, 4], { type: "Permute", permute_param: { order: [0, 2, 3, 1] } } as LayerParameter)).toEqual([1, 3, 4, 2]);
    expect(after([1, 2, 3, 4], { type: "Permute", permute_param: { order: [0, 3] } } as LayerParameter)).toEqual([1, 4, 2, 3]);
  });
  it("knows the batch and crop of a Data layer but not its channels", () => {
    const model = buildNet({ layer: [{ name: "d", type: "Data", top: ["data", "label"], data_param: { batch_size: 32 }, transform_param: { crop_size: 227 } }] });
    const graph = buildBlobGraph(model);
    expect(inferShapes(model, graph)).toEqual([[32, null, 227, 227], [32]]);
  });
  it("gives ImageData 3 channels unless is_color is false, and MemoryData all its dims", () => {
    const model = buildNet({
      layer: [
        { name: "i", type: "ImageData", top: ["a", "l"], image_data_param: { batch_size: 4, new_height: 32, new_width: 48 } },
        { name: "g", type: "ImageData", top: ["b"], image_data_param: { is_color: false }, transform_param: { crop_size: 28 } },
        { name: "m", type: "MemoryData", top: ["c"], memory_data_param: { batch_size: 2, channels: 1, height: 5, width: 6 } },
        { name: "y", type: "DummyData", top: ["d", "e"], dummy_data_param: { shape: [{ dim: [1, 2] }, { dim: [3] }] } },
      ],
    });
    expect(inferShapes(model, buildBlobGraph(model))).toEqual([[4, 3, 32, 48], [4], [1, 1, 28, 28], [2, 1, 5, 6], [1, 2], [3]]);
  });
  it("leaves the output of an unknown layer, and of the layers that only pass it on, unknown, without failing", () => {
    expect(after([1, 3, 8, 8], { type: "Python" })).toBeNull();
    expect(after([1, 3, 8, 8], { type: "Python" }, { type: "ReLU" }, { type: "BatchNorm" })).toBeNull();
    expect(after([1, 3, 8, 8], { type: "Python" }, { type: "Slice", top: ["s0", "s1"] })).toBeNull();
  });
});

describe("partial shapes after an unknown layer", () => {
  const unknown = { type: "Python" } as const;
  it("a Convolution gives num_output channels and the rank its kernel implies (one kernel value: 2-D)", () => {
    expect(after([1, 3, 8, 8], unknown, { type: "Convolution", convolution_param: { num_output: 4, kernel_size: [3] } })).toEqual([null, 4, null, null]);
    expect(after([1, 3, 8, 8], unknown, { type: "Convolution", convolution_param: { num_output: 4, kernel_h: 3, kernel_w: 1 } })).toEqual([null, 4, null, null]);
    expect(after([1, 3, 8, 8], unknown, { type: "Convolution", convolution_param: { num_output: 4, kernel_size: [3, 3, 1] } })).toEqual([null, 4, null, null, null]);
    expect(after([1, 3, 8, 8], unknown, { type: "Deconvolution", convolution_param: { num_output: 2, kernel_size: [4], stride: [2] } })).toEqual([null, 2, null, null]);
    expect(after([1, 3, 8, 8], unknown, { type: "Convolution", convolution_param: { num_output: 4, kernel_size: [3], axis: 2 } })).toEqual([null, null, 4, null, null]);
  });
  it("a known input rank wins over the kernel's implied one", () => {
    expect(after([1, 3, 8], { type: "Convolution", convolution_param: { num_output: 4, kernel_size: [3] } })).toEqual([1, 4, 6]);
  });
  it("an InnerProduct gives [?, num_output] whatever its input", () => {
    expect(after([1, 3, 8, 8], unknown, { type: "InnerProduct", inner_product_param: { num_output: 10 } })).toEqual([null, 10]);
    expect(after([1, 3, 8, 8], unknown, { type: "InnerProduct", inner_product_param: { num_output: 10, axis: 2 } })).toEqual([null, null, 10]);
    expect(after([1, 3, 8, 8], unknown, { type: "InnerProduct", inner_product_param: { num_output: 10, axis: -1 } })).toBeNull();
  });
  it("Pooling is 4-D and keeps what it knows of the channels", () => {
    expect(after([1, 3, 8, 8], unknown, { type: "Pooling", pooling_param: { kernel_size: 2, stride: 2 } })).toEqual([null, null, null, null]);
    const conv = { type: "Convolution", convolution_param: { num_output: 4, kernel_size: [3] } };
    expect(after([1, 3, 8, 8], unknown, conv, { type: "Pooling", pooling_param: { kernel_size: 2, stride: 2 } })).toEqual([null, 4, null, null]);
    expect(after([1, 3, 8, 8], unknown, conv, { type: "Pooling", pooling_param: { global_pooling: true } })).toEqual([null, 4, 1, 1]);
    expect(after([2, 3, 8, 8], { type: "Pooling", pooling_param: {} })).toEqual([2, 3, null, null]);
  });
  it("Concat takes the rank and other dims from a known bottom; the sum needs every bottom's size", () => {
    const layers = [
      { name: "py", type: "Python", bottom: ["in"], top: ["py"] },
      { name: "a", type: "ReLU", bottom: ["in"], top: ["a"] },
    ];
    expect(after([1, 3, 4, 4], ...layers, { type: "Concat", bottom: ["py", "a"], top: ["c"] })).toEqual([1, null, 4, 4]);
    expect(after([1, 3, 4, 4], ...layers, { type: "Concat", bottom: ["in", "a"], top: ["c"] })).toEqual([1, 6, 4, 4]);
  });
  it("element-wise layers keep partial dims, and Eltwise fills them from its other bottoms", () => {
    const conv = { name: "c", type: "Convolution", convolution_param: { num_output: 4, kernel_size: [3] }, top: ["c"] };
    expect(after([1, 3, 8, 8], unknown, conv, { type: "ReLU" }, { type: "Scale" })).toEqual([null, 4, null, null]);
    expect(after([1, 4, 8, 8], { name: "py", type: "Python", top: ["py"] }, { type: "Eltwise", bottom: ["py", "in"], top: ["e"] })).toEqual([1, 4, 8, 8]);
  });
  it("Flatten, Reshape over every axis and Crop give their rank without the input", () => {
    expect(after([1, 3, 8, 8], unknown, { type: "Flatten" })).toEqual([null, null]);
    expect(after([1, 3, 8, 8], unknown, { type: "Reshape", reshape_param: { shape: { dim: [0, -1, 7] } } })).toEqual([null, null, 7]);
    expect(after([1, 3, 8, 8], unknown, { type: "Reshape", reshape_param: { shape: { dim: [-1] }, axis: 1 } })).toBeNull();
    expect(after([1, 3, 8, 8], { name: "py", type: "Python", top: ["py"] }, { type: "Crop", bottom: ["py", "in"], top: ["c"] })).toEqual([null, null, 8, 8]);
  });
  it("keeps known channels when only spatial sizes are unknown", () => {
    const model = buildNet({
      layer: [
        { name: "d", type: "Data", top: ["data"], data_param: { batch_size: 8 } },
        { name: "c", type: "Convolution", bottom: ["data"], top: ["c"], convolution_param: { num_output: 16, kernel_size: [3] } },
      ],
    });
    expect(inferShapes(model, buildBlobGraph(model))[1]).toEqual([8, 16, null, null]);
  });
});
