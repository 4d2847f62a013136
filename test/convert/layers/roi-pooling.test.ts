import { describe, expect, it } from "vitest";
import { forwardOf, graphOf, nodeOf, refusalOf } from "./snippet.js";

const net = (channels: number, layer: string): string =>
  `layer { name: "feat" type: "Input" top: "feat" input_param { shape { dim: 1 dim: ${channels} dim: 38 dim: 50 } } }\n` +
  `layer { name: "rois" type: "Input" top: "rois" input_param { shape { dim: 300 dim: 5 } } }\n${layer}`;
const roi = (param: string): string => net(512, `layer { name: "pool" type: "ROIPooling" bottom: "feat" bottom: "rois" top: "pool" roi_pooling_param { ${param} } }`);
const ps = (channels: number, param: string): string => net(channels, `layer { name: "ps" type: "PSROIPooling" bottom: "feat" bottom: "rois" top: "ps" psroi_pooling_param { ${param} } }`);
const flattenedSize = (text: string, top: string): number => {
  const g = graphOf(`${text}\nlayer { name: "ip" type: "InnerProduct" bottom: "${top}" top: "ip" inner_product_param { num_output: 1 } }`);
  return nodeOf(g, "ip").module!.args[0] as number;
};

describe("ROIPooling", () => {
  it("is the ROIPooling helper on (features, rois) with pooled_h, pooled_w and spatial_scale", () => {
    const text = roi("pooled_w: 7 pooled_h: 6 spatial_scale: 0.0625");
    const node = nodeOf(graphOf(text), "pool");
    expect(node.module).toEqual({ cls: "ROIPooling", args: [6, 7], kwargs: { spatial_scale: { raw: "0.0625" } } });
    expect(node.helpers).toEqual(["ROIPooling"]);
    expect(forwardOf(text, "pool")).toBe("pool = self.pool(feat, rois)");
  });
  it("gives its top [ROIs, C, pooled_h, pooled_w], so the Linear after it knows its input (VGG16's fc6: 512·7·7)", () => {
    expect(flattenedSize(roi("pooled_w: 7 pooled_h: 7 spatial_scale: 0.0625"), "pool")).toBe(512 * 7 * 7);
  });
  it("uses the fork's default spatial_scale 1 and refuses pooled sizes of 0 (its CHECK_GT)", () => {
    expect(nodeOf(graphOf(roi("pooled_w: 2 pooled_h: 2")), "pool").module!.kwargs).toEqual({ spatial_scale: { raw: "1.0" } });
    expect(refusalOf(roi("pooled_w: 7"), "pool")).toBe("roi-pooling-size");
  });
});

describe("PSROIPooling", () => {
  it("is the PSROIPooling helper with output_dim, group_size and spatial_scale; its top is [ROIs, output_dim, group, group]", () => {
    const text = ps(21 * 49, "spatial_scale: 0.0625 output_dim: 21 group_size: 7");
    expect(nodeOf(graphOf(text), "ps").module).toEqual({ cls: "PSROIPooling", args: [21, 7], kwargs: { spatial_scale: { raw: "0.0625" } } });
    expect(forwardOf(text, "ps")).toBe("ps = self.ps(feat, rois)");
    expect(flattenedSize(text, "ps")).toBe(21 * 49);
  });
  it("refuses an input whose channels are not output_dim·group_size², and a missing required field", () => {
    expect(refusalOf(ps(100, "spatial_scale: 0.0625 output_dim: 21 group_size: 7"), "ps")).toBe("psroi-pooling-channels");
    expect(refusalOf(ps(100, "output_dim: 21 group_size: 7"), "ps")).toBe("psroi-pooling-required");
  });
  it("refuses a layer without exactly the features and the ROIs", () => {
    const text = net(4, `layer { name: "ps" type: "PSROIPooling" bottom: "feat" top: "ps" psroi_pooling_param { spatial_scale: 1 output_dim: 1 group_size: 2 } }`);
    expect(refusalOf(text, "ps")).toBe("bottom-count");
  });
});
