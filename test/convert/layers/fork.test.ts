/**
 * Fork layer types: shapes by each fork's Reshape, and the PyTorch each converter writes. Values
 * are checked under real PyTorch in test/export/fork-layers-torch.test.ts.
 */
import { describe, expect, it } from "vitest";
import { analyzeNet } from "../../../src/caffe/analyze.js";
import type { NetParameter } from "../../../src/schema/caffe-types.js";
import { readNet } from "../../../src/schema/read.js";
import { forwardOf, graphOf, netWith, nodeOf, refusalOf } from "./snippet.js";

/** The shape of blob `top` after the net's layers (TEST phase). */
function shapeOf(prototxt: string, top: string): (number | null)[] | null {
  const read = readNet(prototxt, { allowUnknown: true, upgrade: true });
  const a = analyzeNet(read.net as NetParameter, { phase: "TEST" }, read.sourceMap);
  const versions = a.graph.versions.filter((v) => v.blob === top);
  return a.shapes[versions[versions.length - 1]!.id] ?? null;
}

const interp = (shape: number[], param: string): string => netWith(shape, `layer { name: "i" type: "Interp" bottom: "data" top: "i" interp_param { ${param} } }`);

describe("Interp (PSPNet / DeepLab)", () => {
  it("sizes the output as InterpLayer::Reshape: zoom, shrink, both, and height/width", () => {
    // zoom 2: 3 + 2·1 = 5, 5 + 4·1 = 9.
    expect(shapeOf(interp([1, 2, 3, 5], "zoom_factor: 2"), "i")).toEqual([1, 2, 5, 9]);
    // shrink 2: (6 − 1)/2 + 1 = 3, (7 − 1)/2 + 1 = 4 (integer division).
    expect(shapeOf(interp([1, 2, 6, 7], "shrink_factor: 2"), "i")).toEqual([1, 2, 3, 4]);
    expect(shapeOf(interp([1, 2, 3, 5], "height: 4 width: 6"), "i")).toEqual([1, 2, 4, 6]);
    // pads crop first: 9 − 3 = 6 and 8 − 3 = 5; shrink 2 gives 3 and 3; zoom 3 gives 7 and 7.
    expect(shapeOf(interp([1, 2, 9, 8], "shrink_factor: 2 zoom_factor: 3 pad_beg: -1 pad_end: -2"), "i")).toEqual([1, 2, 7, 7]);
  });
  it("lets a zoom factor win over height/width, as the order of the fork's branches does", () => {
    expect(shapeOf(interp([1, 2, 3, 3], "zoom_factor: 2 height: 10 width: 10"), "i")).toEqual([1, 2, 5, 5]);
  });
  it("samples on the align_corners grid at the computed size", () => {
    expect(forwardOf(interp([1, 2, 3, 5], "zoom_factor: 2"), "i")).toBe('i = F.interpolate(data, size=(5, 9), mode="bilinear", align_corners=True)');
  });
  it("crops −pad_beg rows and columns at the start and −pad_end at the end", () => {
    expect(forwardOf(interp([1, 2, 9, 8], "shrink_factor: 2 zoom_factor: 3 pad_beg: -1 pad_end: -2"), "i")).toBe(
      'i = F.interpolate(data[:, :, 1:-2, 1:-2], size=(7, 7), mode="bilinear", align_corners=True)',
    );
    expect(forwardOf(interp([1, 2, 9, 8], "zoom_factor: 2 pad_end: -1"), "i")).toContain("data[:, :, :-1, :-1]");
  });
  it("copies when the size does not change (interp.cpp's special case): the crop alone, or the bottom", () => {
    expect(forwardOf(interp([1, 2, 5, 6], "height: 3 width: 4 pad_beg: -1 pad_end: -1"), "i")).toBe("i = data[:, :, 1:-1, 1:-1]");
    expect(forwardOf(interp([1, 2, 5, 6], "zoom_factor: 1"), "i")).toBe("i = data");
  });
  it("refuses what InterpLayer refuses: positive padding, no size, an empty output", () => {
    expect(refusalOf(interp([1, 2, 5, 6], "zoom_factor: 2 pad_beg: 1"), "i")).toBe("interp-positive-pad");
    expect(refusalOf(interp([1, 2, 5, 6], "height: 3"), "i")).toBe("interp-no-size");
    expect(refusalOf(interp([1, 2, 5, 6], "zoom_factor: 2 pad_beg: -3 pad_end: -3"), "i")).toBe("interp-empty");
  });
});

/** Input `data`, a MAX Pooling with its mask top, then an Upsample of the pooled values. */
const unpool = (shape: number[], pool: string, upsample: string): string =>
  netWith(
    shape,
    `layer { name: "pool" type: "Pooling" bottom: "data" top: "pool" top: "mask" pooling_param { pool: MAX ${pool} } }
layer { name: "up" type: "Upsample" bottom: "pool" bottom: "mask" top: "up" upsample_param { ${upsample} } }`,
  );

describe("Upsample (SegNet / ENet) and the Pooling mask", () => {
  it("gives a MAX Pooling with two tops the indices as its second top", () => {
    const net = unpool([1, 3, 5, 7], "kernel_size: 2 stride: 2", "scale: 2 pad_out_h: true pad_out_w: true");
    expect(forwardOf(net, "pool")).toBe("pool, mask = self.pool(data)");
    expect(nodeOf(graphOf(net), "pool").module).toEqual({ cls: "nn.MaxPool2d", args: [2], kwargs: { ceil_mode: true, return_indices: true } });
  });
  it("refuses a mask top on AVE pooling, as PoolingLayer allows it for MAX only", () => {
    const net = netWith([1, 3, 4, 4], `layer { name: "pool" type: "Pooling" bottom: "data" top: "pool" top: "mask" pooling_param { pool: AVE kernel_size: 2 stride: 2 } }`);
    expect(refusalOf(net, "pool")).toBe("pool-mask-not-max");
  });
  it("sizes the output as scale × input − pad_out, or as upsample_h/upsample_w when both are written", () => {
    // The pooled 3×4 (ceil) back to 6 − 1 and 8 − 1.
    expect(shapeOf(unpool([1, 3, 5, 7], "kernel_size: 2 stride: 2", "scale: 2 pad_out_h: true pad_out_w: true"), "up")).toEqual([1, 3, 5, 7]);
    expect(shapeOf(unpool([1, 3, 5, 7], "kernel_size: 2 stride: 2", "scale: 2 upsample_h: 5 upsample_w: 8"), "up")).toEqual([1, 3, 5, 8]);
    expect(shapeOf(unpool([1, 3, 6, 9], "kernel_size: 3 stride: 3", "scale: 3"), "up")).toEqual([1, 3, 6, 9]);
    // upsample_h alone is not the explicit form: the scale (default 2) applies.
    expect(shapeOf(unpool([1, 3, 6, 8], "kernel_size: 2 stride: 2", "upsample_h: 5"), "up")).toEqual([1, 3, 6, 8]);
  });
  it("uses the MaxUnpool helper with the settings that differ from scale 2", () => {
    const node = (upsample: string) => nodeOf(graphOf(unpool([1, 3, 6, 8], "kernel_size: 2 stride: 2", upsample)), "up");
    expect(node("scale: 2").module).toEqual({ cls: "MaxUnpool", args: [], kwargs: {} });
    expect(node("scale: 2").helpers).toEqual(["MaxUnpool"]);
    expect(node("scale_h: 2 scale_w: 3").module!.kwargs).toEqual({ scale: { tuple: [2, 3] } });
    expect(node("pad_out_w: true").module!.kwargs).toEqual({ pad_out: { tuple: [0, 1] } });
    expect(node("upsample_h: 5 upsample_w: 7").module!.kwargs).toEqual({ size: { tuple: [5, 7] } });
    expect(forwardOf(unpool([1, 3, 6, 8], "kernel_size: 2 stride: 2", "scale: 2"), "up")).toBe("up = self.up(pool, mask)");
  });
  it("refuses what UpsampleLayer::LayerSetUp refuses: scale with scale_h, a scale of 1, pad_out with scale 3", () => {
    const refusal = (upsample: string) => refusalOf(unpool([1, 3, 6, 8], "kernel_size: 2 stride: 2", upsample), "up");
    expect(refusal("scale: 2 scale_h: 2 scale_w: 2")).toBe("upsample-params");
    expect(refusal("scale: 1")).toBe("upsample-params");
    expect(refusal("scale: 3 pad_out_h: true")).toBe("upsample-params");
    expect(refusal("upsample_h: 1 upsample_w: 4")).toBe("upsample-params");
  });
});

describe("DenseImageData (SegNet)", () => {
  const dense = (param: string, transform = ""): string =>
    `layer { name: "data" type: "DenseImageData" top: "data" top: "label" ${transform} dense_image_data_param { source: "train.txt" ${param} } }`;
  it("is a net input: images [batch, 3, H, W] and label images [batch, 1, H, W], H×W known from a crop or resize", () => {
    expect(graphOf(dense("batch_size: 4")).inputs.map((i) => [i.blob, i.shape])).toEqual([
      ["data", [4, 3, null, null]],
      ["label", [4, 1, null, null]],
    ]);
    expect(shapeOf(dense("batch_size: 2 crop_height: 100 crop_width: 120 new_height: 300 new_width: 400"), "label")).toEqual([2, 1, 100, 120]);
    expect(shapeOf(dense("batch_size: 2 new_height: 360 new_width: 480 is_color: false"), "data")).toEqual([2, 1, 360, 480]);
    expect(shapeOf(dense("batch_size: 2 crop_height: 100 crop_width: 120", "transform_param { crop_size: 64 }"), "data")).toEqual([2, 3, 64, 64]);
  });
});

describe("depthwise convolutions", () => {
  it("makes ConvolutionDepthwise one filter per input channel, whatever num_output says", () => {
    const net = netWith([1, 6, 9, 9], `layer { name: "dw" type: "ConvolutionDepthwise" bottom: "data" top: "dw" convolution_param { num_output: 12 kernel_size: 3 stride: 2 pad: 1 } }`);
    const node = nodeOf(graphOf(net), "dw");
    expect(node.module).toEqual({ cls: "nn.Conv2d", args: [6, 6], kwargs: { kernel_size: 3, stride: 2, padding: 1, groups: 6 } });
    expect(node.params.map((p) => p.shape)).toEqual([[6, 1, 3, 3], [6]]);
    expect(node.notes).toEqual([{ code: "depthwise-num-output-ignored", data: { num_output: 12, channels: 6 } }]);
    expect(shapeOf(net, "dw")).toEqual([1, 6, 5, 5]);
  });
  it("reads DepthwiseConvolution's num_output and group as written, as its BaseConvolutionLayer does", () => {
    const net = netWith([1, 6, 9, 9], `layer { name: "dw" type: "DepthwiseConvolution" bottom: "data" top: "dw" convolution_param { num_output: 6 group: 6 kernel_size: 3 bias_term: false } }`);
    expect(nodeOf(graphOf(net), "dw").module).toEqual({ cls: "nn.Conv2d", args: [6, 6], kwargs: { kernel_size: 3, groups: 6, bias: false } });
    expect(shapeOf(net, "dw")).toEqual([1, 6, 7, 7]);
  });
});

describe("ShuffleChannel, Axpy, ReLU6", () => {
  it("shuffles channels seen as [group, C / group] into [C / group, group]", () => {
    const net = netWith([2, 6, 3, 4], `layer { name: "s" type: "ShuffleChannel" bottom: "data" top: "s" shuffle_channel_param { group: 3 } }`);
    expect(forwardOf(net, "s")).toBe("s = data.reshape(data.shape[0], 3, -1, data.shape[2], data.shape[3]).transpose(1, 2).reshape(data.shape)");
    expect(forwardOf(netWith([2, 6, 3, 4], `layer { name: "s" type: "ShuffleChannel" bottom: "data" top: "s" }`), "s")).toBe("s = data");
    expect(refusalOf(netWith([2, 6, 3, 4], `layer { name: "s" type: "ShuffleChannel" bottom: "data" top: "s" shuffle_channel_param { group: 4 } }`), "s")).toBe("shuffle-group");
    // ShuffleChannelLayer::Reshape would make a 3-D blob 4-D.
    expect(refusalOf(netWith([2, 6, 3], `layer { name: "s" type: "ShuffleChannel" bottom: "data" top: "s" shuffle_channel_param { group: 2 } }`), "s")).toBe("rank-not-4");
  });
  const axpy = (scale: number[]): string =>
    `layer { name: "a" type: "Input" top: "a" input_param { shape { ${scale.map((d) => `dim: ${d}`).join(" ")} } } }
layer { name: "x" type: "Input" top: "x" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 5 } } }
layer { name: "y" type: "Input" top: "y" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 5 } } }
layer { name: "axpy" type: "Axpy" bottom: "a" bottom: "x" bottom: "y" top: "out" }`;
  it("computes Axpy as a·x + y with one scale per item and channel, shaped as x", () => {
    expect(forwardOf(axpy([2, 3, 1, 1]), "axpy")).toBe("out = a * x + y");
    expect(forwardOf(axpy([2, 3]), "axpy")).toBe("out = a.reshape(a.shape[0], a.shape[1], 1, 1) * x + y");
    expect(shapeOf(axpy([2, 3]), "out")).toEqual([2, 3, 4, 5]);
    expect(refusalOf(axpy([2, 3, 2, 1]), "axpy")).toBe("axpy-scale-shape");
  });
  it("makes ReLU6 nn.ReLU6, or with a negative slope a clamped leaky ReLU", () => {
    expect(nodeOf(graphOf(netWith([1, 3], `layer { name: "r" type: "ReLU6" bottom: "data" top: "data" }`)), "r").module!.cls).toBe("nn.ReLU6");
    expect(forwardOf(netWith([1, 3], `layer { name: "r" type: "ReLU6" bottom: "data" top: "r" relu6_param { negative_slope: 0.1 } }`), "r")).toBe(
      "r = torch.clamp(F.leaky_relu(data, 0.1), max=6.0)",
    );
  });
});

describe("fork BatchNorm layers", () => {
  const bn = (param: string, params = ""): string => netWith([2, 4, 3, 3], `layer { name: "bn" type: "BN" bottom: "data" top: "bn" ${params} bn_param { ${param} } }`);
  it("maps PSPNet's BN blobs [slope, bias, mean, variance] of shape [1, C, 1, 1] to the module's tensors", () => {
    const node = nodeOf(graphOf(bn("slope_filler { type: 'constant' value: 1 } momentum: 0.95 eps: 0.001 frozen: true")), "bn");
    expect(node.module).toEqual({ cls: "nn.BatchNorm2d", args: [4], kwargs: { eps: 0.001, momentum: 0.05 } });
    expect(node.params.map((p) => [p.key, p.caffeShape, p.shape, p.layout.kind, p.kind, p.lrMult])).toEqual([
      ["bn.weight", [1, 4, 1, 1], [4], "reshape", "parameter", 0],
      ["bn.bias", [1, 4, 1, 1], [4], "reshape", "parameter", 0],
      ["bn.running_mean", [1, 4, 1, 1], [4], "reshape", "buffer", 0],
      ["bn.running_var", [1, 4, 1, 1], [4], "reshape", "buffer", 0],
    ]);
    expect(node.params[0]!.filler).toMatchObject({ type: "constant", value: 1 });
    expect(node.frozen).toEqual(["bn.weight", "bn.bias"]);
    expect(node.constants).toEqual([{ key: "bn.num_batches_tracked", shape: [], value: 0, dtype: "I64" }]);
    // frozen: Caffe uses the stored statistics while training too.
    expect(node.evalWhileTraining).toBe(true);
  });
  it("maps SegNet's INFERENCE BN to scale·x + shift: eval() with mean 0, variance 1, eps 0", () => {
    const node = nodeOf(graphOf(bn("bn_mode: INFERENCE", 'param { lr_mult: 1 } param { lr_mult: 0 }')), "bn");
    expect(node.module).toEqual({ cls: "nn.BatchNorm2d", args: [4], kwargs: { eps: 0, momentum: null } });
    expect(node.params.map((p) => [p.key, p.caffeShape, p.lrMult])).toEqual([
      ["bn.weight", [1, 4, 1, 1], 1],
      ["bn.bias", [1, 4, 1, 1], 0],
    ]);
    expect(node.frozen).toEqual(["bn.bias"]);
    expect(node.constants).toEqual([
      { key: "bn.running_mean", shape: [4], value: 0 },
      { key: "bn.running_var", shape: [4], value: 1 },
      { key: "bn.num_batches_tracked", shape: [], value: 0, dtype: "I64" },
    ]);
  });
  it("maps SegNet's LEARN BN to batch statistics in every phase (no running statistics, eps 1e-9)", () => {
    const node = nodeOf(graphOf(bn("scale_filler { type: 'constant' value: 1 } shift_filler { type: 'constant' value: 0.001 }")), "bn");
    expect(node.module).toEqual({ cls: "nn.BatchNorm2d", args: [4], kwargs: { eps: 1e-9, momentum: null, track_running_stats: false } });
    expect(node.params[1]!.filler).toMatchObject({ type: "constant", value: 0.001 });
    expect(node.constants).toBeUndefined();
  });
  it("maps NVIDIA Caffe's BatchNorm with scale_bias: [mean, variance, correction (unused), scale, bias]", () => {
    const net = netWith([2, 4, 3, 3], `layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" batch_norm_param { moving_average_fraction: 0.9 eps: 0.000001 scale_bias: true } }`);
    const node = nodeOf(graphOf(net), "bn");
    // NVCaffe's LayerSetUp raises eps to at least 1e-5 (PyTorch's default, so not written).
    expect(node.module).toEqual({ cls: "nn.BatchNorm2d", args: [4], kwargs: {} });
    expect(node.params.map((p) => [p.key, p.caffeShape, p.kind, p.lrMult])).toEqual([
      ["bn.running_mean", [4], "buffer", 0],
      ["bn.running_var", [4], "buffer", 0],
      [null, [1], "buffer", 0],
      ["bn.weight", [4], "parameter", 1],
      ["bn.bias", [4], "parameter", 1],
    ]);
    // Without scale_filler/bias_filler NVCaffe starts scale at 1 and bias at 0.
    expect(node.params[3]!.filler).toMatchObject({ type: "constant", value: 1 });
  });
  it("refuses a BN whose bn_param matches no known fork", () => {
    expect(refusalOf(bn("mystery: 1"), "bn")).toBe("fork-batch-norm-unrecognised");
  });
});
