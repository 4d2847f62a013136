import { describe, expect, it } from "vitest";
import { makeStyle } from "../../src/cli/color.js";
import { explainNet } from "../../src/explain/explain.js";
import { ANSI, convertFile, explainText, hasCorpus, occurrences, RESNET50 } from "./support.js";

/**
 * The corpus ResNet-50 deploy file (53 BatchNorm + Scale blocks, use_global_stats: true written,
 * default fraction 0.999): the output someone who never used Caffe reads first.
 */
describe.runIf(hasCorpus)("explain on the corpus ResNet-50 deploy file", () => {
  const result = convertFile(RESNET50, "TEST");
  const text = explainText(result);

  it("opens with a summary of the net: count, pairing, PyTorch module and phase", () => {
    expect(text.startsWith("ResNet-50 — KaimingHe-drn__ResNet-50-deploy.prototxt, TEST phase\n\n")).toBe(true);
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("In Caffe, batch normalisation takes two layers: BatchNorm only normalises each channel");
    expect(flat).toContain("This net has 53 BatchNorm layers. All 53 are followed by a Scale layer with a bias term.");
    expect(flat).toContain("In PyTorch each BatchNorm + Scale pair becomes one nn.BatchNorm2d(…, affine=True).");
    expect(flat).toContain("In the TEST phase (inference) all 53 normalise with their stored statistics, as PyTorch does in eval().");
    expect(flat).toContain("They are all configured alike, so they are described once below.");
  });

  it("describes the 53 identical blocks once, as a group with one example header", () => {
    expect(text).toContain("53 blocks like this: bn_conv1, bn2a_branch1, bn2a_branch2a, bn2a_branch2b, … bn5c_branch2c (53)\n");
    expect(text).toContain("  e.g. bn_conv1 + scale_conv1 → nn.BatchNorm2d(64, eps=1e-05, momentum=0.001, affine=True) [eval]\n");
    expect(text).toContain("num_features is each block's channel count: 64, 128, 256, 512, 1024 or 2048.");
    expect(occurrences(text, "  Caffe:    ")).toBe(1);
    expect(occurrences(text, "  PyTorch:  ")).toBe(1);
  });

  it("says where gamma, beta and the statistics go, and that use_global_stats: true was written", () => {
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("weight = gamma (the Scale's blob 0), bias = beta (the Scale's blob 1)");
    expect(flat).toContain("running_mean = blob 0 / blob 2 and running_var = blob 1 / blob 2 of the BatchNorm");
    expect(flat).toContain("use_global_stats: true is written, so Caffe always uses the stored statistics and never updates them");
    expect(flat).toContain("Here it is written as true on all 53.");
  });

  it("answers momentum vs moving_average_fraction and the 0.999 trap once", () => {
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("momentum = 1 − 0.999 = 0.001");
    expect(flat).toContain("Passing 0.999 as momentum, the usual slip, makes the running statistics follow almost only the last batch.");
    expect(occurrences(flat, "momentum = 1 − 0.999")).toBe(1);
  });

  it("gives the same k for Caffe's bias correction as the converter's note", () => {
    const note = result.blocks[0]!.notes.find((n) => n.code === "momentum-not-exact")!;
    const k = /k = (\d+) steps/.exec(note.message)![1];
    expect(k).toBe("6905");
    expect(text.replace(/\s+/g, " ")).toContain(`only after k = ${k} steps`);
  });

  it("leaves out confusions that do not apply: no lr_mult on this net, no eps below 1e-5, no diagnostics", () => {
    expect(text).not.toContain("lr_mult");
    expect(text).not.toContain("cuDNN");
    expect(text).not.toContain("Diagnostics:");
    expect(text).not.toContain("Not fused with a Scale");
  });

  it("wraps every line to 100 columns", () => {
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("--layer with a Scale's name explains only its block, with the confusions that apply to it", () => {
    const one = explainText(result, { layer: "scale2a_branch1" });
    expect(one).toContain("Explaining 1 block of the 53 in this net.");
    expect(one).toContain("bn2a_branch1 + scale2a_branch1 → nn.BatchNorm2d(256, eps=1e-05, momentum=0.001, affine=True) [eval]");
    expect(one).not.toContain("bn_conv1");
    expect(one).not.toContain("blocks like this");
    expect(one.replace(/\s+/g, " ")).toContain("Here it is written as true.");
  });

  it("an unknown --layer name fails with the BatchNorm names and a did-you-mean", () => {
    const outcome = explainNet(result, { layer: "bn_conv" });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.suggestion).toBe("bn_conv1");
    expect(outcome.error.batchnorms).toHaveLength(53);
    expect(outcome.message).toContain('No BatchNorm, Scale or Bias layer is named "bn_conv". Did you mean "bn_conv1"?');
    expect(outcome.message.replace(/\s+/g, " ")).toContain("BatchNorm layers in the TEST phase: bn_conv1, bn2a_branch1,");
    const far = explainNet(result, { layer: "fc1000" });
    expect(!far.ok && far.error.suggestion).toBe(null);
    expect(!far.ok && far.message).not.toContain("Did you mean");
  });

  it("--verbose shows the formulas and every block on its own, ungrouped", () => {
    const verbose = explainText(result, { verbose: true });
    for (const formula of [
      "y = (x − mean_sum/s) / sqrt(var_sum/s + eps) · gamma + beta",
      "s ← f·s + 1",
      "mean_sum ← f·mean_sum + mean",
      "var_sum ← f·var_sum + m/(m−1)·var",
      "running ← (1 − momentum)·running + momentum·batch",
    ]) {
      expect(verbose).toContain(formula);
    }
    expect(verbose).not.toContain("blocks like this");
    expect(occurrences(verbose, "→ nn.BatchNorm2d(")).toBe(53);
    expect(verbose).toContain("  Where:    line 21; reads blob conv1 (1×64×112×112), writes conv1.");
    expect(text).not.toContain("s ← f·s + 1");
  });

  it("uses colour codes only with a colour style, and the words are the same either way", () => {
    expect(text).not.toMatch(ANSI);
    const coloured = explainText(result, { style: makeStyle(true) });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(ANSI, "")).toBe(text);
    expect(explainText(result, { style: makeStyle(false) })).toBe(text);
  });
});
