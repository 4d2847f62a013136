import { describe, expect, it } from "vitest";
import { forwardOf, graphOf, netWith, nodeOf, refusalOf } from "./snippet.js";

const prior = (param: string, bottoms = 'bottom: "data" bottom: "img"'): string =>
  `layer { name: "img" type: "Input" top: "img" input_param { shape { dim: 1 dim: 3 dim: 300 dim: 300 } } }\n` +
  `layer { name: "pb" type: "PriorBox" ${bottoms} top: "pb" prior_box_param { ${param} } }`;

describe("Permute", () => {
  it("is .permute with the written order followed by the unlisted axes in order", () => {
    expect(forwardOf(netWith([2, 3, 4, 5], `layer { name: "p" type: "Permute" bottom: "data" top: "p" permute_param { order: 0 order: 2 order: 3 order: 1 } }`), "p")).toBe(
      "p = data.permute(0, 2, 3, 1)",
    );
    expect(forwardOf(netWith([2, 3, 4, 5], `layer { name: "p" type: "Permute" bottom: "data" top: "p" permute_param { order: 3 } }`), "p")).toBe("p = data.permute(3, 0, 1, 2)");
  });
  it("shares the bottom when the order is the natural one, as PermuteLayer does", () => {
    const node = nodeOf(graphOf(netWith([2, 3], `layer { name: "p" type: "Permute" bottom: "data" top: "p" permute_param { order: 0 } }`)), "p");
    expect(node.call).toEqual({ kind: "alias" });
  });
  it("refuses a repeated axis and an axis beyond the rank", () => {
    expect(refusalOf(netWith([2, 3, 4], `layer { name: "p" type: "Permute" bottom: "data" top: "p" permute_param { order: 1 order: 1 } }`), "p")).toBe("permute-duplicate-order");
    expect(refusalOf(netWith([2, 3, 4], `layer { name: "p" type: "Permute" bottom: "data" top: "p" permute_param { order: 3 } }`), "p")).toBe("axis-out-of-range");
  });
});

describe("Normalize", () => {
  it("is the Normalize helper with a 0-d scale blob by default (channel_shared), filled with 1", () => {
    const node = nodeOf(graphOf(netWith([1, 8, 5, 5], `layer { name: "n" type: "Normalize" bottom: "data" top: "n" }`)), "n");
    expect(node.module).toEqual({ cls: "Normalize", args: [8], kwargs: {} });
    expect(node.helpers).toEqual(["Normalize"]);
    expect(node.params.map((p) => [p.blob, p.key, p.shape, p.caffeShape])).toEqual([[0, "n.weight", [], []]]);
    expect(node.params[0]!.filler).toMatchObject({ type: "constant", value: 1 });
  });
  it("keeps one scale per channel without channel_shared, with its scale_filler, across_spatial and eps", () => {
    const text = netWith([1, 8, 5, 5], `layer { name: "n" type: "Normalize" bottom: "data" top: "n" norm_param { across_spatial: false channel_shared: false eps: 0.001 scale_filler { type: "constant" value: 20 } } }`);
    const node = nodeOf(graphOf(text), "n");
    expect(node.module).toEqual({ cls: "Normalize", args: [8], kwargs: { across_spatial: false, channel_shared: false, eps: { raw: "0.001" } } });
    expect(node.params[0]!.shape).toEqual([8]);
    expect(node.params[0]!.filler).toMatchObject({ type: "constant", value: 20 });
    expect(forwardOf(text, "n")).toBe("n = self.n(data)");
  });
  it("refuses a bottom of more than 4 axes (the layer reads num, channels, height, width)", () => {
    expect(refusalOf(netWith([1, 2, 3, 4, 5], `layer { name: "n" type: "Normalize" bottom: "data" top: "n" }`), "n")).toBe("normalize-rank");
  });
});

describe("PriorBox", () => {
  it("passes the written parameters, and the sizes known at export so that the priors are a buffer", () => {
    const text = netWith([1, 512, 19, 19], prior("min_size: 60.0 max_size: 105 aspect_ratio: 2 aspect_ratio: 3 flip: true clip: false variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 offset: 0.5"));
    const node = nodeOf(graphOf(text), "pb");
    expect(node.module).toEqual({
      cls: "PriorBox",
      args: [[{ raw: "60.0" }]],
      kwargs: {
        max_sizes: [{ raw: "105.0" }],
        aspect_ratios: [{ raw: "2.0" }, { raw: "3.0" }],
        variance: [{ raw: "0.1" }, { raw: "0.1" }, { raw: "0.2" }, { raw: "0.2" }],
        shapes: { tuple: [19, 19, 300, 300] },
      },
    });
    expect(forwardOf(text, "pb")).toBe("pb = self.pb(data, img)");
  });
  it("gives its top [1, 2, H·W·priors·4]: priors counted as LayerSetUp counts them (1, each ratio and its flip, one per max_size)", () => {
    // Ratios 1, 2, 1/2, 3, 1/3 (a written 1 and a repeated 2 are dropped) for two min sizes, plus two max sizes: 12 per cell.
    const text = netWith([1, 512, 3, 5], prior("min_size: 10 min_size: 20 max_size: 15 max_size: 30 aspect_ratio: 1 aspect_ratio: 2 aspect_ratio: 3 aspect_ratio: 2"));
    const after = `${text}\nlayer { name: "flat" type: "Flatten" bottom: "pb" top: "flat" }\nlayer { name: "ip" type: "InnerProduct" bottom: "flat" top: "ip" inner_product_param { num_output: 1 } }`;
    expect(nodeOf(graphOf(after), "ip").module!.args).toEqual([2 * 3 * 5 * 12 * 4, 1]);
  });
  it("takes the image size from img_size when written, and then needs no image bottom", () => {
    const text = netWith([1, 8, 10, 10], prior("min_size: 30 img_size: 300 step: 30", 'bottom: "data"'));
    const node = nodeOf(graphOf(text), "pb");
    expect(node.module!.kwargs).toMatchObject({ img_size: { tuple: [300, 300] }, step: { tuple: [{ raw: "30.0" }, { raw: "30.0" }] }, shapes: { tuple: [10, 10, 300, 300] } });
    expect(forwardOf(text, "pb")).toBe("pb = self.pb(data)");
  });
  it("computes the priors in forward when a size is unknown at export", () => {
    const text = `layer { name: "data" type: "Input" top: "data" }\n${prior("min_size: 30")}`;
    expect(nodeOf(graphOf(text), "pb").module!.kwargs["shapes"]).toBeUndefined();
  });
  it("refuses what PriorBoxLayer::LayerSetUp refuses", () => {
    const net = (p: string, b?: string) => refusalOf(netWith([1, 8, 10, 10], prior(p, b)), "pb");
    expect(net("aspect_ratio: 2")).toBe("prior-box-no-min-size");
    expect(net("min_size: 30 max_size: 20")).toBe("prior-box-max-size");
    expect(net("min_size: 30 max_size: 40 max_size: 50")).toBe("prior-box-max-size-count");
    expect(net("min_size: 30 variance: 0.1 variance: 0.2")).toBe("prior-box-variance-count");
    expect(net("min_size: 30 img_size: 300 img_h: 300 img_w: 300")).toBe("prior-box-both-forms");
    expect(net("min_size: 30", 'bottom: "data"')).toBe("prior-box-no-image");
  });
});

describe("DetectionOutput", () => {
  const det = (param: string, bottoms = 3): string =>
    ["loc", "conf", "prior", "extra"]
      .slice(0, 4)
      .map((b) => `layer { name: "${b}" type: "Input" top: "${b}" input_param { shape { dim: 1 dim: 8 } } }`)
      .join("\n") +
    `\nlayer { name: "det" type: "DetectionOutput" ${["loc", "conf", "prior", "extra"].slice(0, bottoms).map((b) => `bottom: "${b}"`).join(" ")} top: "det" detection_output_param { ${param} } }`;
  it("is the DetectionOutput helper with the written parameters, the fork's defaults left out", () => {
    const text = det("num_classes: 21 share_location: true background_label_id: 0 nms_param { nms_threshold: 0.45 top_k: 400 } code_type: CENTER_SIZE keep_top_k: 200 confidence_threshold: 0.01");
    const node = nodeOf(graphOf(text), "det");
    expect(node.module).toEqual({
      cls: "DetectionOutput",
      args: [21],
      kwargs: { code_type: "CENTER_SIZE", keep_top_k: 200, confidence_threshold: { raw: "0.01" }, nms_threshold: { raw: "0.45" }, top_k: 400 },
    });
    expect(forwardOf(text, "det")).toBe("det = self.det(loc, conf, prior)");
  });
  it("reads an enum written as its number, and passes only three bottoms when a fourth is given", () => {
    const text = det("num_classes: 3 code_type: 3 share_location: false", 4);
    const node = nodeOf(graphOf(text), "det");
    expect(node.module!.kwargs).toEqual({ share_location: false, code_type: "CORNER_SIZE" });
    expect(forwardOf(text, "det")).toBe("det = self.det(loc, conf, prior)");
  });
  it("notes that files written by save_output_param are not reproduced", () => {
    const node = nodeOf(graphOf(det('num_classes: 3 save_output_param { output_directory: "out" }')), "det");
    expect(node.notes).toEqual([{ code: "detection-output-side-effects", data: {} }]);
  });
  it("refuses a missing num_classes and an eta outside (0, 1]", () => {
    expect(refusalOf(det("keep_top_k: 3"), "det")).toBe("detection-output-no-num-classes");
    expect(refusalOf(det("num_classes: 3 nms_param { eta: 1.5 }"), "det")).toBe("detection-output-eta");
    expect(refusalOf(det("num_classes: 3", 2), "det")).toBe("bottom-count");
  });
});
