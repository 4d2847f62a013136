import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { convertFile, convertText, explainText, FIXTURES, occurrences } from "./support.js";

/** The explanation with line breaks and indentation collapsed, for sentence assertions. */
const flat = (file: string, phase: "TEST" | "TRAIN" = "TEST"): string => explainText(convertFile(file, phase)).replace(/\s+/g, " ");

describe("explain on the convert fixtures", () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith(".prototxt")).sort()) {
    it(`explains ${file} in both phases, naming the first block`, () => {
      for (const phase of ["TEST", "TRAIN"] as const) {
        const result = convertFile(file, phase);
        const text = explainText(result);
        expect(text.endsWith("\n")).toBe(true);
        if (result.blocks.length > 0) expect(text).toContain(result.blocks[0]!.batchnorm);
      }
    });
  }

  it("a BatchNorm without Scale is affine=False, lr_mult: 0 is explained as not meaning that, and the reason is listed", () => {
    const text = flat("no-scale.prototxt");
    expect(text).toContain("bn1 → nn.BatchNorm2d(3, eps=1e-05, momentum=0.001, affine=False) [eval]");
    expect(text).toContain("param { lr_mult: 0 } on a BatchNorm (here) is not affine=False.");
    expect(text).toContain("the mean sum, the variance sum and the scale factor");
    expect(text).toContain("PyTorch keeps them as buffers");
    expect(text).toContain("Not fused with a Scale, so affine=False: bn1: the next layer is not a Scale.");
  });

  it("a frozen Scale gives requires_grad=False with the loaded values, not 1 and 0", () => {
    const text = flat("frozen-scale.prototxt");
    expect(text).toContain("bn_frozen + scale_frozen → nn.BatchNorm2d(4, eps=1e-05, momentum=0.001, affine=True) [eval; requires_grad=False]");
    expect(text).toContain("the Scale has lr_mult: 0, so gamma and beta are fixed, not absent: load Caffe's values and set requires_grad=False (they are not 1 and 0).");
    expect(text).toContain("[eval; weight frozen]");
    expect(text).toContain("gamma has lr_mult: 0: load it and set weight.requires_grad=False");
    expect(text).toContain("beta has lr_mult: 0: load it and set bias.requires_grad=False");
  });

  it("the frozen-Scale confusion says 'by contrast' only after the BatchNorm lr_mult one it contrasts with", () => {
    const alone = flat("frozen-scale.prototxt");
    expect(alone).toContain("Common confusions, answered for this net • lr_mult: 0 on a Scale (or Bias) layer freezes gamma and beta (all here): in PyTorch set requires_grad=False");
    expect(alone).not.toContain("by contrast");
    const both = convertText(
      `input: "data"\ninput_shape { dim: 2 dim: 3 dim: 4 dim: 4 }\n` +
        `layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" param { lr_mult: 0 } param { lr_mult: 0 } param { lr_mult: 0 } }\n` +
        `layer { name: "sc" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: true } param { lr_mult: 0 } param { lr_mult: 0 } }\n`,
    );
    const text = explainText(both).replace(/\s+/g, " ");
    expect(text).toMatch(/param \{ lr_mult: 0 \} on a BatchNorm \(here\) is not affine=False\..* • On the Scale, by contrast, lr_mult: 0 does freeze gamma and beta \(all here\)/);
  });

  it("beta from a Bias layer, and a Scale without any bias fixes bias at 0", () => {
    const text = flat("scale-bias.prototxt");
    expect(text).toContain("bn_a + scale_a + bias_a → nn.BatchNorm2d(8");
    expect(text).toContain("bias = beta (the Bias layer's blob 0)");
    expect(text).toContain("[eval; bias fixed at 0]");
    expect(text).toContain("bias = 0: set it to zero with requires_grad=False");
  });

  it("use_global_stats × phase: eval, batch statistics at test time, frozen while training", () => {
    const test = flat("use-global-stats.prototxt", "TEST");
    expect(test).toContain("bn_false → nn.BatchNorm2d(3, eps=1e-05, momentum=0.001, affine=False, track_running_stats=False) [batch statistics]");
    expect(test).toContain("use_global_stats: false is written, so even in the TEST phase Caffe normalises every batch with that batch's own statistics.");
    expect(test).toContain("use_global_stats is not written, so in the TEST phase Caffe uses the stored statistics: eval().");
    expect(test).toContain("track_running_stats=False is something else");
    const train = flat("use-global-stats.prototxt", "TRAIN");
    expect(train).toContain("bn_true → nn.BatchNorm2d(3, eps=1e-05, momentum=0.001, affine=False) [frozen]");
    expect(train).toContain("Keep these modules in eval() while the rest of the model trains");
    expect(train).toContain("call model.train(), then .eval() on those modules");
  });

  it("fork layers say which fork and what is certain; an unknown fork has no equivalent", () => {
    const text = flat("fork-bn.prototxt", "TRAIN");
    expect(text).toContain("SegNet/ENet's BN layer (a fork) in bn_mode LEARN");
    expect(text).toContain("SegNet/ENet's BN layer (a fork) in bn_mode INFERENCE");
    expect(text).toContain("PSPNet's BN layer (a fork, not BVLC Caffe)");
    expect(text).toContain("Certain: exact, since nothing changes while training.");
    expect(text).toContain("mystery → no PyTorch equivalent (a BN layer of no known fork)");
    expect(text).toContain("PyTorch's momentum is not PSPNet's momentum, despite the name");
    expect(text).toContain("beta (bias) has lr_mult: 0: load it and set requires_grad=False.");
    const nv = flat("nvcaffe.prototxt");
    expect(nv).toContain("NVIDIA Caffe's BatchNorm with scale_bias (a fork, not BVLC Caffe)");
    expect(nv).toContain("NVCaffe raises the written eps 1e-06 to 1e-05, so eps=1e-05.");
  });

  it("a BatchNorm param with lr_mult other than 0 is what Caffe refuses", () => {
    const text = flat("stats-lr-mult.prototxt");
    expect(text).toContain('param[0] of the BatchNorm has lr_mult: 1: Caffe stops with "Cannot configure batch normalization statistics as layer parameters".');
    expect(text).toContain("param[1] of the BatchNorm has no lr_mult (so 1)");
  });

  it("fractions 1, 0 and out of range are explained; diagnostics are summarised in two lines", () => {
    const text = explainText(convertFile("fractions.prototxt", "TRAIN"));
    const f = text.replace(/\s+/g, " ");
    expect(f).toContain("momentum=None (cumulative average) does exactly that.");
    expect(f).toContain("moving_average_fraction: 0 keeps only the last batch's statistics; momentum=1.0 does exactly that.");
    expect(f).toContain("moving_average_fraction: 1.5 is outside [0, 1]");
    expect(f).toContain("k = 66 steps");
    const diagnostics = text.slice(text.indexOf("Diagnostics:"));
    expect(diagnostics.replace(/\s+/g, " ")).toBe(
      "Diagnostics: 1 error (fraction-out-of-range ×1); caffe2torch convert lists each. First error: line 6:91: BatchNorm bn_out_of_range: moving_average_fraction 1.5 is outside [0, 1]. ",
    );
  });

  it("blocks alike except the module point back to the first; an unknown rank joins a group and is named", () => {
    const text = explainText(convertFile("ranks.prototxt", "TEST"));
    expect(text).toContain("3 blocks like this: bn_r2, bn_r3, bn_unknown\n");
    expect(occurrences(text, "Explained as for bn_r2 above")).toBe(2);
    expect(text.replace(/\s+/g, " ")).toContain("the input shape of bn_unknown could not be inferred");
    expect(occurrences(text, "  Caffe:    ")).toBe(1);
  });

  it("unpaired blocks list their reasons, several consumers and SE-style Scales included", () => {
    const text = flat("consumers.prototxt");
    expect(text).toContain("bn_shared: several layers read its output.");
    expect(text).toContain("bn_se: the Scale that reads it takes its factor from a second bottom (SE-style gating)");
  });

  it("an eps below 1e-5 gets the cuDNN warning; the default does not", () => {
    const net = `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 4 dim: 3 dim: 3 } } }
layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" batch_norm_param { eps: 1e-6 } }
layer { name: "sc" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: true } }`;
    const text = explainText(convertText(net)).replace(/\s+/g, " ");
    expect(text).toContain("bn + sc → nn.BatchNorm2d(4, eps=1e-06, momentum=0.001, affine=True) [eval]");
    expect(text).toContain("eps: 1e-06 is below 1e-5, cuDNN's minimum");
    expect(text).toContain("eps (here 1e-06) is copied unchanged: Caffe adds it to the variance before the square root");
  });

  it("a net without BatchNorm says there is nothing to convert", () => {
    const text = explainText(convertText('name: "plain" layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 } } }'));
    expect(text).toBe("plain — net.prototxt, TEST phase\n\nNo BatchNorm layers are active in the TEST phase, so there is nothing to convert.\n");
  });
});
