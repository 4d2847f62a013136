import { describe, expect, it } from "vitest";
import { forwardOf, graphOf, nodeOf, refusalOf } from "./snippet.js";

/** Four blobs a (2, 8), b, c, d of the same shape, then `layer`. */
const four = (layer: string): string =>
  `layer { name: "in" type: "Input" top: "a" top: "b" top: "c" top: "d" input_param { shape { dim: 2 dim: 8 } } }\n${layer}`;
const smoothL1 = (bottoms: string[], param = ""): string =>
  four(`layer { name: "rpn_loss_bbox" type: "SmoothL1Loss" ${bottoms.map((b) => `bottom: "${b}"`).join(" ")} top: "rpn_loss_bbox" ${param} }`);
const ohem = (bottoms: string[], param = "", tops = ["loss_bbox"]): string =>
  four(`layer { name: "loss_bbox" type: "SmoothL1LossOHEM" ${bottoms.map((b) => `bottom: "${b}"`).join(" ")} ${tops.map((t) => `top: "${t}"`).join(" ")} ${param} }`);

/** SSD's four MultiBoxLoss inputs (MobileNet-SSD sizes cut to 3 priors, 21 classes), then the layer. */
const multibox = (param: string, extra = ""): string =>
  `layer { name: "in" type: "Input" top: "loc" top: "conf" top: "prior" top: "label" input_param { shape { dim: 2 dim: 12 } shape { dim: 2 dim: 63 } shape { dim: 1 dim: 2 dim: 12 } shape { dim: 1 dim: 1 dim: 4 dim: 8 } } }\n` +
  `layer { name: "mbox_loss" type: "MultiBoxLoss" bottom: "loc" bottom: "conf" bottom: "prior" bottom: "label" top: "mbox_loss" ${extra} multibox_loss_param { ${param} } }`;
/** The corpus' MobileNet-SSD train net's multibox_loss_param (chuanqi305/MobileNet-SSD voc/MobileNetSSD_train.prototxt). */
const SSD_PARAM = `loc_loss_type: SMOOTH_L1 conf_loss_type: SOFTMAX loc_weight: 1.0 num_classes: 21 share_location: true match_type: PER_PREDICTION
  overlap_threshold: 0.5 use_prior_for_matching: true background_label_id: 0 use_difficult_gt: true neg_pos_ratio: 3.0 neg_overlap: 0.5
  code_type: CENTER_SIZE ignore_cross_boundary_bbox: false mining_type: MAX_NEGATIVE`;

describe("SmoothL1Loss (py-faster-rcnn)", () => {
  it("is the SmoothL1Loss helper with the layer's sigma, on the prediction, targets and both weights", () => {
    const text = smoothL1(["a", "b", "c", "d"], "smooth_l1_loss_param { sigma: 3.0 }");
    const node = nodeOf(graphOf(text, { phase: "TRAIN" }), "rpn_loss_bbox");
    expect(node.module).toEqual({ cls: "SmoothL1Loss", args: [], kwargs: { sigma: { raw: "3.0" } } });
    expect(node.helpers).toEqual(["SmoothL1Loss"]);
    expect(node.lossWeights).toEqual([1]);
    expect(forwardOf(text, "rpn_loss_bbox")).toBe("rpn_loss_bbox = self.rpn_loss_bbox(a, b, c, d)");
  });

  it("defaults sigma to 1 (the fork's caffe.proto) and takes two bottoms without weights", () => {
    expect(nodeOf(graphOf(smoothL1(["a", "b"])), "rpn_loss_bbox").module!.kwargs).toEqual({ sigma: { raw: "1.0" } });
  });

  it("refuses three bottoms: the fork CHECKs that inside and outside weights come together", () => {
    expect(refusalOf(smoothL1(["a", "b", "c"]), "rpn_loss_bbox")).toBe("smooth-l1-bottoms");
    expect(refusalOf(smoothL1(["a"]), "rpn_loss_bbox")).toBe("smooth-l1-bottoms");
  });
});

describe("SmoothL1LossOHEM (R-FCN)", () => {
  it("reads R-FCN's loss_param: PRE_FIXED with pre_fixed_normalizer, as py-R-FCN's train nets write it", () => {
    const text = ohem(["a", "b", "c"], "loss_param { normalization: PRE_FIXED pre_fixed_normalizer: 128 }");
    const node = nodeOf(graphOf(text, { phase: "TRAIN" }), "loss_bbox");
    expect(node.lossWeights).toEqual([1]);
    expect(node.module).toEqual({ cls: "SmoothL1LossOHEM", args: [], kwargs: { normalization: "PRE_FIXED", pre_fixed_normalizer: { raw: "128.0" }, per_instance: false } });
    expect(forwardOf(text, "loss_bbox")).toBe("loss_bbox = self.loss_bbox(a, b, c)");
  });

  it("reads a normalization written as a number by R-FCN's enum (3 is PRE_FIXED there, NONE in BVLC's), a name by its name", () => {
    const kwargs = (param: string) => nodeOf(graphOf(ohem(["a", "b", "c"], `loss_param { ${param} pre_fixed_normalizer: 128 }`), { phase: "TRAIN" }), "loss_bbox").module!.kwargs;
    expect(kwargs("normalization: 3")["normalization"]).toBe("PRE_FIXED");
    expect(kwargs("normalization: 0x3")["normalization"]).toBe("PRE_FIXED");
    expect(kwargs("normalization: 4")["normalization"]).toBe("NONE"); // not in BVLC's enum: kept as written
    expect(kwargs("normalization: 1")["normalization"]).toBe("VALID");
    expect(kwargs("normalization: NONE")["normalization"]).toBe("NONE");
  });

  it("defaults to VALID, maps the legacy normalize: false to BATCH_SIZE, and gives a second top per instance", () => {
    expect(nodeOf(graphOf(ohem(["a", "b"])), "loss_bbox").module!.kwargs["normalization"]).toBe("VALID");
    expect(nodeOf(graphOf(ohem(["a", "b"], "loss_param { normalize: false }")), "loss_bbox").module!.kwargs["normalization"]).toBe("BATCH_SIZE");
    // Two tops need a loss_weight each (LossLayer adds one weight only; Caffe then refuses the count).
    const two = nodeOf(graphOf(ohem(["a", "b"], "loss_weight: 1 loss_weight: 0", ["loss_bbox", "per_roi"])), "loss_bbox");
    expect(two.module!.kwargs["per_instance"]).toBe(true);
    expect(two.lossWeights).toEqual([1, 0]);
  });

  it("refuses four bottoms (its weights are one blob) and three tops", () => {
    expect(refusalOf(ohem(["a", "b", "c", "d"]), "loss_bbox")).toBe("smooth-l1-bottoms");
    expect(refusalOf(ohem(["a", "b"], "", ["l", "m", "n"]), "loss_bbox")).toBe("top-count");
  });
});

describe("MultiBoxLoss (SSD)", () => {
  it("is the MultiBoxLoss helper with the corpus SSD net's configuration, normalised as loss_param says", () => {
    const text = multibox(SSD_PARAM, "loss_param { normalization: VALID } propagate_down: true propagate_down: true propagate_down: false propagate_down: false");
    const node = nodeOf(graphOf(text, { phase: "TRAIN" }), "mbox_loss");
    expect(node.module).toEqual({
      cls: "MultiBoxLoss",
      args: [],
      kwargs: {
        num_classes: 21,
        background_label_id: 0,
        loc_loss_type: "SMOOTH_L1",
        loc_weight: { raw: "1.0" },
        match_type: "PER_PREDICTION",
        overlap_threshold: { raw: "0.5" },
        use_difficult_gt: true,
        neg_pos_ratio: { raw: "3.0" },
        neg_overlap: { raw: "0.5" },
        code_type: "CENTER_SIZE",
        encode_variance_in_target: false,
        ignore_cross_boundary_bbox: false,
        mining_type: "MAX_NEGATIVE",
        normalization: "VALID",
        loc_term: true,
        conf_term: true,
      },
    });
    expect(node.lossWeights).toEqual([1]);
    expect(forwardOf(text, "mbox_loss")).toBe("mbox_loss = self.mbox_loss(loc, conf, prior, label)");
  });

  it("takes the fork's defaults (CORNER codes, MAX_NEGATIVE) and leaves out a term whose bottom does not propagate", () => {
    const kwargs = nodeOf(graphOf(multibox("num_classes: 3", "propagate_down: false propagate_down: true propagate_down: false propagate_down: false")), "mbox_loss").module!.kwargs;
    expect(kwargs).toMatchObject({ code_type: "CORNER", mining_type: "MAX_NEGATIVE", match_type: "PER_PREDICTION", normalization: "VALID", loc_term: false, conf_term: true });
    expect(nodeOf(graphOf(multibox("num_classes: 3 mining_type: NONE loc_loss_type: L2")), "mbox_loss").module!.kwargs).toMatchObject({ mining_type: "NONE", loc_loss_type: "L2" });
  });

  it("refuses what the fork refuses (no num_classes, a background outside the classes) and the options it does not reproduce", () => {
    expect(refusalOf(multibox("background_label_id: 0"), "mbox_loss")).toBe("multibox-loss-classes");
    expect(refusalOf(multibox("num_classes: 3 background_label_id: 3"), "mbox_loss")).toBe("multibox-loss-background");
    for (const option of ["conf_loss_type: LOGISTIC", "share_location: false", "use_prior_for_matching: false", "mining_type: HARD_EXAMPLE", "nms_param { nms_threshold: 0.5 }", "bp_inside: true"]) {
      expect(refusalOf(multibox(`num_classes: 3 ${option}`), "mbox_loss"), option).toBe("multibox-loss-options");
    }
  });
});
