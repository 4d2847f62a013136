/**
 * The loss layers, Accuracy and the net's weighted loss where the golden training cases do not
 * reach: every normalisation mode and the legacy `normalize`, HingeLoss, MultinomialLogisticLoss,
 * InfogainLoss, ContrastiveLoss, Accuracy's top-k and ties, and Caffe's refusals. Expected values are
 * written from the formulas in Caffe's Forward_cpu (in double; the executor is float32).
 */
import { describe, expect, it } from "vitest";
import { executeNet } from "../../src/execute/net.js";
import type { Blob } from "../../src/execute/types.js";
import { trainNet } from "./golden-training.js";

const blob = (shape: number[], values: number[]): Blob => ({ shape, data: Float32Array.from(values) });

const INPUT = (name: string, shape: number[]): string =>
  `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${shape.map((d) => `dim: ${d}`).join(" ")} } } }\n`;

/** Runs `layers` in TRAIN on the given inputs; the result of the net. */
function run(inputs: Record<string, Blob>, layers: string) {
  const text = Object.entries(inputs).map(([name, b]) => INPUT(name, [...b.shape])).join("") + layers;
  return executeNet(trainNet(text), new Map(Object.entries(inputs)), new Map());
}

/** The first top of the last layer, as one number. */
function lossOf(inputs: Record<string, Blob>, layers: string): number {
  const result = run(inputs, layers);
  expect(result.error).toBeNull();
  const top = result.layers.at(-1)!.tops[0]!;
  expect(top.shape).toEqual([]);
  return top.data[0]!;
}

const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));

// Two items, three classes, a 1×2 map each: 4 positions; label 255 at one position.
const SCORES = blob([2, 3, 1, 2], [1, 0.5, -1, 2, 0, 0.3, 0.2, 1, 0.4, -0.5, 3, 0.1]);
const LABELS = blob([2, 1, 2], [0, 2, 255, 1]);

/** −log softmax(scores)[label] per position (double), for the SCORES layout. */
function nll(): number[] {
  const x = Array.from(SCORES.data);
  const out: number[] = [];
  for (let n = 0; n < 2; n++) {
    for (let j = 0; j < 2; j++) {
      const label = LABELS.data[n * 2 + j]!;
      if (label === 255) continue;
      const z = [0, 1, 2].map((c) => x[n * 6 + c * 2 + j]!);
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      out.push(lse - z[label]!);
    }
  }
  return out;
}

describe("SoftmaxWithLoss normalisation (LossParameter)", () => {
  const sum = nll().reduce((a, b) => a + b, 0);
  const layer = (param: string) => `layer { name: "loss" type: "SoftmaxWithLoss" bottom: "s" bottom: "l" top: "loss" ${param} }`;
  const inputs = { s: SCORES, l: LABELS };

  it.each([
    ["VALID (the default) divides by the labels not ignored", "loss_param { ignore_label: 255 }", 3],
    ["FULL divides by N·H·W, ignored positions included", "loss_param { ignore_label: 255 normalization: FULL }", 4],
    ["BATCH_SIZE divides by N", "loss_param { ignore_label: 255 normalization: BATCH_SIZE }", 2],
    ["NONE does not divide", "loss_param { ignore_label: 255 normalization: NONE }", 1],
    ["legacy normalize: false means BATCH_SIZE", "loss_param { ignore_label: 255 normalize: false }", 2],
    ["legacy normalize: true means VALID", "loss_param { ignore_label: 255 normalize: true }", 3],
    ["normalization wins over the legacy normalize", "loss_param { ignore_label: 255 normalize: false normalization: NONE }", 1],
  ])("%s", (_title, param, divisor) => {
    close(lossOf(inputs, layer(param)), sum / divisor);
  });

  it("a second top holds the softmax probabilities (with a loss_weight for each top, as Caffe requires)", () => {
    const tops = 'top: "loss" top: "prob" loss_param { ignore_label: 255 }';
    expect(run(inputs, `layer { name: "loss" type: "SoftmaxWithLoss" bottom: "s" bottom: "l" ${tops} }`).error).toMatchObject({ code: "loss-weight-count" });
    const result = run(inputs, `layer { name: "loss" type: "SoftmaxWithLoss" bottom: "s" bottom: "l" ${tops} loss_weight: 1 loss_weight: 0 }`);
    const prob = result.layers.at(-1)!.tops[1]!;
    expect(prob.shape).toEqual([2, 3, 1, 2]);
    close(prob.data[0]! + prob.data[2]! + prob.data[4]!, 1);
  });

  it("softmax_param.axis chooses the class axis: the scores transposed to N×H×W×C with axis 3 give the same loss", () => {
    const x = Array.from(SCORES.data);
    const t: number[] = [];
    for (let n = 0; n < 2; n++) for (let j = 0; j < 2; j++) for (let c = 0; c < 3; c++) t.push(x[n * 6 + c * 2 + j]!);
    const loss = lossOf({ s: blob([2, 1, 2, 3], t), l: LABELS }, layer("softmax_param { axis: 3 } loss_param { ignore_label: 255 }"));
    close(loss, sum / 3);
  });

  it("every label ignored: the divisor is at least 1, the loss 0", () => {
    expect(lossOf({ s: SCORES, l: blob([2, 1, 2], [255, 255, 255, 255]) }, layer("loss_param { ignore_label: 255 }"))).toBe(0);
  });

  it("refuses a label outside the classes (Caffe only DCHECKs and reads past the row)", () => {
    expect(run(inputs, layer("")).error).toMatchObject({ layer: "loss", code: "label-out-of-range", data: { position: 2, label: 255 } });
  });

  it("refuses a label count other than outer·inner", () => {
    expect(run({ s: SCORES, l: blob([2, 1], [0, 1]) }, layer("")).error).toMatchObject({ code: "label-count", data: { expected: 4, actual: 2 } });
  });
});

describe("SigmoidCrossEntropyLoss", () => {
  const x = [-2, 0.5, 3, -0.1, 0, 1.5];
  const t = [0, 1, 1, 1, 0, 0];
  const inputs = { x: blob([2, 3], x), t: blob([2, 3], t) };
  const terms = x.map((v, i) => Math.max(v, 0) - v * t[i]! + Math.log1p(Math.exp(-Math.abs(v))));
  const sum = terms.reduce((a, b) => a + b, 0);
  const layer = (param: string) => `layer { name: "loss" type: "SigmoidCrossEntropyLoss" bottom: "x" bottom: "t" top: "loss" ${param} }`;

  it("divides by the batch size when nothing is written (its own default, not VALID)", () => close(lossOf(inputs, layer("")), sum / 2));
  it("VALID divides by the targets not ignored", () => close(lossOf(inputs, layer("loss_param { ignore_label: 0 normalization: VALID }")), (terms[1]! + terms[2]! + terms[3]!) / 3));
  it("legacy normalize: true means VALID", () => close(lossOf(inputs, layer("loss_param { normalize: true }")), sum / 6));
});

describe("the other loss layers", () => {
  it("EuclideanLoss is Σ(a − b)² / 2N", () => {
    close(lossOf({ a: blob([2, 2], [1, 2, 3, 4]), b: blob([2, 2], [0, 2, 5, 1]) }, 'layer { name: "loss" type: "EuclideanLoss" bottom: "a" bottom: "b" top: "loss" }'), (1 + 0 + 4 + 9) / 4);
  });

  it("HingeLoss L1 and L2: max(0, 1 + s) with the label's score negated, over N", () => {
    const inputs = { s: blob([2, 3], [0.5, -2, 0.2, 1, 0.3, -0.4]), l: blob([2], [0, 2]) };
    // Margins: item 0 [max(0,1−0.5), max(0,1−2), 1.2]; item 1 [2, 1.3, max(0,1+0.4)].
    const m = [0.5, 0, 1.2, 2, 1.3, 1.4];
    close(lossOf(inputs, 'layer { name: "loss" type: "HingeLoss" bottom: "s" bottom: "l" top: "loss" }'), m.reduce((a, b) => a + b, 0) / 2);
    close(lossOf(inputs, 'layer { name: "loss" type: "HingeLoss" bottom: "s" bottom: "l" top: "loss" hinge_loss_param { norm: L2 } }'), m.reduce((a, b) => a + b * b, 0) / 2);
  });

  it("MultinomialLogisticLoss is −Σ log max(p[label], 1e-20) / N", () => {
    const inputs = { p: blob([2, 3], [0.2, 0.5, 0.3, 0, 0.9, 0.1]), l: blob([2, 1, 1, 1], [1, 0]) };
    close(lossOf(inputs, 'layer { name: "loss" type: "MultinomialLogisticLoss" bottom: "p" bottom: "l" top: "loss" }'), (-Math.log(0.5) - Math.log(Math.fround(1e-20))) / 2);
  });

  it("InfogainLoss with H as a bottom: the identity H gives SoftmaxWithLoss's value, another H weighs the log-probabilities", () => {
    const s = blob([2, 3], [1, 0.5, -1, 0.2, 1, 0.4]);
    const l = blob([2], [0, 2]);
    const infogain = (h: number[]) => lossOf({ s, l, h: blob([3, 3], h) }, 'layer { name: "loss" type: "InfogainLoss" bottom: "s" bottom: "l" bottom: "h" top: "loss" }');
    const softmax = lossOf({ s, l }, 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "s" bottom: "l" top: "loss" }');
    close(infogain([1, 0, 0, 0, 1, 0, 0, 0, 1]), softmax);
    const logp = (row: number[]) => row.map((v) => v - Math.log(row.reduce((a, b) => a + Math.exp(b), 0)));
    const [p0, p1] = [logp([1, 0.5, -1]), logp([0.2, 1, 0.4])];
    // Row 0 of H weighs item 0 (label 0), row 2 item 1 (label 2).
    close(infogain([0.5, 0.5, 0, 0, 1, 0, 0, 0.25, 1]), -(0.5 * p0[0]! + 0.5 * p0[1]! + 0.25 * p1[1]! + p1[2]!) / 2);
  });

  it("InfogainLoss with two bottoms needs its matrix file, which the executor does not read", () => {
    const result = run({ s: blob([1, 2], [0, 1]), l: blob([1], [0]) }, 'layer { name: "loss" type: "InfogainLoss" bottom: "s" bottom: "l" top: "loss" infogain_loss_param { source: "h.binaryproto" } }');
    expect(result.error).toMatchObject({ code: "infogain-matrix-file", data: { source: "h.binaryproto" } });
  });

  it("ContrastiveLoss: similar pairs add d², dissimilar max(margin − d, 0)² (legacy: max(margin − d², 0)), over 2N", () => {
    const inputs = { a: blob([3, 2], [0, 0, 1, 1, 0, 0]), b: blob([3, 2], [0.3, 0.4, 1, 1.2, 0.6, 0]), y: blob([3], [1, 0, 0]) };
    // Squared distances: 0.25, 0.04, 0.36; margin 1.
    const layer = (p: string) => `layer { name: "loss" type: "ContrastiveLoss" bottom: "a" bottom: "b" bottom: "y" top: "loss" contrastive_loss_param { margin: 1 ${p} } }`;
    close(lossOf(inputs, layer("")), (0.25 + 0.8 ** 2 + 0.4 ** 2) / 6);
    close(lossOf(inputs, layer("legacy_version: true")), (0.25 + 0.96 + 0.64) / 6);
  });
});

describe("Accuracy", () => {
  const x = blob([3, 3], [0.1, 0.7, 0.2, 0.5, 0.5, 0.1, 0.3, 0.3, 0.4]);
  const l = blob([3], [1, 1, 0]);
  const layer = (p: string, tops = 'top: "acc"') => `layer { name: "acc" type: "Accuracy" bottom: "x" bottom: "l" ${tops} accuracy_param { ${p} } }`;

  it("counts a tie with the true class against it (scores ≥ the true one are better)", () => {
    // Item 0 right; item 1 ties 0.5 with class 0: wrong; item 2: wrong.
    close(lossOf({ x, l }, layer("")), 1 / 3);
  });

  it("top_k 2 and ignore_label; a second top gives each class's accuracy", () => {
    const result = run({ x, l }, layer("top_k: 2 ignore_label: 0", 'top: "acc" top: "per_class"'));
    expect(Array.from(result.layers.at(-1)!.tops[0]!.data)).toEqual([1]);
    expect(Array.from(result.layers.at(-1)!.tops[1]!.data)).toEqual([0, 1, 0]);
  });
});

describe("the net's loss (Net::Forward)", () => {
  const inputs = { a: blob([1, 2], [1, 2]), b: blob([1, 2], [0, 0]) };
  const euclid = (name: string, extra = "") => `layer { name: "${name}" type: "EuclideanLoss" bottom: "a" bottom: "b" top: "${name}" ${extra} }\n`;

  it("weighs each loss top by its loss_weight (1 by default for loss layers) and adds them", () => {
    const result = run(inputs, euclid("l1") + euclid("l2", "loss_weight: 0.25"));
    expect(result.loss).toBe(Math.fround(2.5 + 0.625));
    expect(result.layers.map((x) => x.loss)).toEqual([undefined, undefined, 2.5, 0.625]);
  });

  it("counts a non-loss layer's top when it declares a loss_weight", () => {
    const result = run(inputs, 'layer { name: "r" type: "ReLU" bottom: "a" top: "r" loss_weight: 2 }\n');
    expect(result.loss).toBe(6);
  });

  it("refuses loss weights that are neither one per top nor none, as Layer::SetLossWeights does", () => {
    const result = run(inputs, euclid("l1", "loss_weight: 1 loss_weight: 2"));
    expect(result.error).toMatchObject({ layer: "l1", code: "loss-weight-count" });
  });
});
