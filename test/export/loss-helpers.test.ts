/**
 * The generated loss and accuracy helpers in real PyTorch, on small inputs whose values and
 * gradients are worked out by hand from Caffe's sources (softmax_loss_layer.cpp,
 * sigmoid_cross_entropy_loss_layer.cpp, euclidean/hinge/multinomial_logistic/infogain/
 * contrastive_loss_layer.cpp, accuracy_layer.cpp). Softmax probabilities are made exact with
 * logits 0 and ln 3 (1/4, 3/4) and 0, 0 (1/2, 1/2). All cases run in one Python process.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildTorchGraph } from "../../src/convert/graph.js";
import { HELPERS, helperSources } from "../../src/emit/python/helpers/index.js";
import { readNet } from "../../src/schema/read.js";
import { requireTorch, runPythonJson, skipWithoutTorch } from "../helpers/python.js";

/** Float32 arithmetic on small values: |a − b| ≤ TOLERANCE · max(1, |b|). */
const TOLERANCE = 1e-6;
const RUNNER = fileURLToPath(new URL("./run_helpers.py", import.meta.url));

const LN = Math.log;
const L3 = LN(3);

interface Input {
  data: unknown;
  grad?: boolean;
}
interface Case {
  title: string;
  helper?: string;
  expr?: string;
  kwargs?: Record<string, unknown>;
  inputs: Input[];
  /** Expected outputs (flattened), and expected gradient of each input (null: none). */
  outputs: number[][];
  grads?: (number[] | null)[];
}
interface Ran {
  outputs: { shape: number[]; data: number[] }[];
  grads: ({ shape: number[]; data: number[] } | null)[] | null;
}

/** The EuclideanLoss expression exactly as the converter writes it, over inputs[0] and inputs[1]. */
function euclideanExpr(): string {
  const text = `layer { name: "a" type: "Input" top: "a" top: "b" input_param { shape { dim: 2 dim: 2 } } }
layer { name: "loss" type: "EuclideanLoss" bottom: "a" bottom: "b" top: "loss" }`;
  const { graph } = buildTorchGraph(readNet(text, { upgrade: true }), { phase: "TRAIN", source: "t" });
  const call = graph.nodes.find((n) => n.layer === "loss")!.call;
  if (call.kind !== "expr") throw new Error("EuclideanLoss is not an expression");
  return call.expr.replace(/\{(\d)\}/g, "inputs[$1]");
}

// Softmax over axis 1 of x (1, 2, 3): positions p = [1/4, 3/4], [3/4, 1/4], [1/2, 1/2].
const MAP = [[[0, L3, 0], [L3, 0, 0]]];
// Labels [1, 1, 0]: −log p = ln(4/3), ln 4, ln 2.
const MAP_LABELS = [[1, 1, 0]];
const KEPT = LN(4 / 3) + LN(4);
const softmax = (kwargs: Record<string, unknown>, labels: unknown, expected: number, grads?: number[]): Case => ({
  title: `SoftmaxWithLoss ${JSON.stringify(kwargs)}`,
  helper: "SoftmaxWithLoss",
  kwargs,
  inputs: [{ data: MAP, grad: true }, { data: labels }],
  outputs: [[expected]],
  ...(grads ? { grads: [grads, null] } : {}),
});

const CASES: Case[] = [
  // Ignoring label 0 leaves positions 0 and 1; (p − one-hot) / normaliser there, 0 at position 2.
  // Layout (1, C=2, 3): class 0 of positions 0..2, then class 1.
  softmax({ ignore_label: 0, normalization: "VALID" }, MAP_LABELS, KEPT / 2, [0.25 / 2, 0.75 / 2, 0, -0.25 / 2, -0.75 / 2, 0]),
  softmax({ ignore_label: 0, normalization: "FULL" }, MAP_LABELS, KEPT / 3, [0.25 / 3, 0.75 / 3, 0, -0.25 / 3, -0.75 / 3, 0]),
  softmax({ ignore_label: 0, normalization: "BATCH_SIZE" }, MAP_LABELS, KEPT / 1),
  softmax({ ignore_label: 0, normalization: "NONE" }, MAP_LABELS, KEPT),
  softmax({ normalization: "VALID" }, MAP_LABELS, (KEPT + LN(2)) / 3, [0.25 / 3, 0.75 / 3, -0.5 / 3, -0.25 / 3, -0.75 / 3, 0.5 / 3]),
  // Every label ignored: the normaliser is max(1, 0), the loss 0.
  softmax({ ignore_label: 1, normalization: "VALID" }, [[1, 1, 1]], 0, [0, 0, 0, 0, 0, 0]),
  {
    title: "SoftmaxWithLoss caps the term at −log(FLT_MIN) but keeps the gradient p − one-hot",
    helper: "SoftmaxWithLoss",
    inputs: [{ data: [[0, 200]], grad: true }, { data: [0] }],
    outputs: [[-LN(1.1754943508222875e-38)]],
    grads: [[-1, 1], null],
  },
  {
    title: "SoftmaxWithLoss with_prob returns the softmax as its second top",
    helper: "SoftmaxWithLoss",
    kwargs: { with_prob: true },
    inputs: [{ data: [[0, L3]], grad: true }, { data: [1.9] }],
    outputs: [[LN(4 / 3)], [0.25, 0.75]],
  },
  {
    // rows of H: label 0 → [1, 0.5], label 1 → [0, 2]; gradient (p·Σ_l H[y, l] − H[y]) / 2.
    title: "InfogainLoss with H as its third input",
    helper: "InfogainLoss",
    inputs: [{ data: [[0, L3], [L3, 0]], grad: true }, { data: [0, 1] }, { data: [[1, 0.5], [0, 2]], grad: true }],
    outputs: [[(LN(4) + 0.5 * LN(4 / 3) + 2 * LN(4)) / 2]],
    grads: [[(0.25 * 1.5 - 1) / 2, (0.75 * 1.5 - 0.5) / 2, (0.75 * 2) / 2, (0.25 * 2 - 2) / 2], null, null],
  },
  {
    title: "InfogainLoss ignore_label",
    helper: "InfogainLoss",
    kwargs: { ignore_label: 1 },
    inputs: [{ data: [[0, L3], [L3, 0]], grad: true }, { data: [0, 1] }, { data: [[1, 0.5], [0, 2]] }],
    outputs: [[LN(4) + 0.5 * LN(4 / 3)]],
    grads: [[0.25 * 1.5 - 1, 0.75 * 1.5 - 0.5, 0, 0], null, null],
  },
  // Sigmoid: σ(0) = 1/2, σ(ln 3) = 3/4. Terms with targets [[1, 0], [ignored, 1]]: ln 2, ln 4, ln 2.
  ...(
    [
      ["BATCH_SIZE", 2],
      ["FULL", 4],
      ["VALID", 3],
      ["NONE", 1],
    ] as const
  ).map(
    ([normalization, n]): Case => ({
      title: `SigmoidCrossEntropyLoss ${normalization}`,
      helper: "SigmoidCrossEntropyLoss",
      kwargs: { ignore_label: -1, normalization },
      inputs: [{ data: [[0, L3], [0, 0]], grad: true }, { data: [[1, 0], [-1, 1]], grad: true }],
      outputs: [[LN(16) / n]],
      // σ(x) − t, 0 where ignored; the targets get none (Caffe refuses to back-propagate to them).
      grads: [[-0.5 / n, 0.75 / n, 0, -0.5 / n], null],
    }),
  ),
  {
    title: "EuclideanLoss: Σ(a − b)² / (2N), and the second input gets the negative gradient",
    expr: euclideanExpr(),
    inputs: [{ data: [[1, 2], [3, 4]], grad: true }, { data: [[0, 0], [1, 1]], grad: true }],
    outputs: [[18 / 4]],
    grads: [[0.5, 1, 1, 1.5], [-0.5, -1, -1, -1.5]],
  },
  // Hinge terms: row 0 (label 0) [max(0, 1 − 2), 1 − 0.5, 1 + 0.5] = [0, 0.5, 1.5];
  // row 1 (label 2) [1, 1, 1 + 3] = [1, 1, 4].
  {
    title: "HingeLoss L1",
    helper: "HingeLoss",
    inputs: [{ data: [[2, -0.5, 0.5], [0, 0, -3]], grad: true }, { data: [0, 2] }],
    outputs: [[8 / 2]],
    grads: [[0, 0.5, 0.5, 0.5, 0.5, -0.5], null],
  },
  {
    title: "HingeLoss L2",
    helper: "HingeLoss",
    kwargs: { norm: "L2" },
    inputs: [{ data: [[2, -0.5, 0.5], [0, 0, -3]], grad: true }, { data: [0, 2] }],
    outputs: [[(0.25 + 2.25 + 1 + 1 + 16) / 2]],
    grads: [[0, 0.5, 1.5, 1, 1, -4], null],
  },
  {
    // The third probability is 0: Caffe's floor 1e-20 (float32) holds in both passes.
    title: "MultinomialLogisticLoss",
    helper: "MultinomialLogisticLoss",
    inputs: [{ data: [[0.25, 0.75], [0.5, 0.5], [1, 0]], grad: true }, { data: [1, 0, 1] }],
    outputs: [[(LN(4 / 3) + LN(2) - LN(Math.fround(1e-20))) / 3]],
    grads: [[0, -1 / (3 * 0.75), -1 / (3 * 0.5), 0, 0, -1 / (3 * Math.fround(1e-20))], null],
  },
  // Pairs: d = 5 (similar), d = 1 and d = 0.5 (dissimilar), margin 2.
  {
    title: "ContrastiveLoss: the gradient divides by d + 1e-4, as Caffe's backward does",
    helper: "ContrastiveLoss",
    kwargs: { margin: 2 },
    inputs: [{ data: [[3, 0], [0, 0], [0, 0.5]], grad: true }, { data: [[0, 4], [0.6, 0.8], [0, 0]], grad: true }, { data: [1, 0, 0] }],
    outputs: [[(25 + 1 + 2.25) / 6]],
    grads: [
      [1, -4 / 3, 0.6 / (3 * 1.0001), 0.8 / (3 * 1.0001), 0, (-1.5 * 0.5) / (3 * 0.5001)],
      [-1, 4 / 3, -0.6 / (3 * 1.0001), -0.8 / (3 * 1.0001), 0, (1.5 * 0.5) / (3 * 0.5001)],
      null,
    ],
  },
  {
    title: "ContrastiveLoss legacy_version: max(margin − d², 0)",
    helper: "ContrastiveLoss",
    kwargs: { margin: 2, legacy_version: true },
    inputs: [{ data: [[3, 0], [0, 0], [0, 0.5]], grad: true }, { data: [[0, 4], [0.6, 0.8], [0, 0]] }, { data: [1, 0, 0] }],
    outputs: [[(25 + 1 + 1.75) / 6]],
    grads: [[1, -4 / 3, 0.2, 0.8 / 3, 0, -0.5 / 3], null, null],
  },
  // Accuracy: true-class scores 3 (best), 2 (tied with a 3 above... second), 2 (tie), 5 (tie).
  ...(
    [
      [{}, [0.25]],
      [{ top_k: 2 }, [1]],
      [{ ignore_label: 1 }, [0.5]],
      [{ per_class: true }, [0.25], [0, 0, 1]],
      [{ per_class: true, top_k: 2, ignore_label: 1 }, [1], [1, 0, 1]],
    ] as const
  ).map(
    ([kwargs, ...outputs]): Case => ({
      title: `Accuracy ${JSON.stringify(kwargs)} (ties count against)`,
      helper: "Accuracy",
      kwargs,
      inputs: [{ data: [[1, 2, 3], [3, 2, 1], [2, 2, 1], [0, 5, 5]] }, { data: [2, 1, 0, 1] }],
      outputs: outputs.map((o) => [...o]),
    }),
  ),
];

function expectClose(got: number[], expected: number[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((g, i) => expect(Math.abs(g - expected[i]!), `${what}[${i}]: ${g} vs ${expected[i]}`).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(expected[i]!))));
}

describe.skipIf(skipWithoutTorch)("the generated loss and accuracy helpers reproduce Caffe's arithmetic", () => {
  let ran: Ran[] = [];

  beforeAll(() => {
    requireTorch();
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-losses-"));
    const header = "import torch\nfrom torch import nn\nfrom torch.nn import functional as F";
    writeFileSync(join(dir, "helpers.py"), [header, ...helperSources(Object.keys(HELPERS))].join("\n\n\n") + "\n");
    const cases = CASES.map(({ helper, expr, kwargs, inputs }) => ({ helper, expr, kwargs, inputs }));
    writeFileSync(join(dir, "cases.json"), JSON.stringify(cases));
    ran = runPythonJson<Ran[]>(RUNNER, [join(dir, "helpers.py"), join(dir, "cases.json")]);
  });

  it.each(CASES.map((c, i) => [c.title, i] as const))("%s", (_, i) => {
    const c = CASES[i]!;
    const r = ran[i]!;
    expect(r.outputs.length).toBe(c.outputs.length);
    c.outputs.forEach((o, k) => expectClose(r.outputs[k]!.data, o, `output ${k}`));
    expect(r.outputs[0]!.shape).toEqual([]);
    if (c.grads) {
      expect(r.grads).not.toBeNull();
      c.grads.forEach((g, k) => {
        if (g === null) expect(r.grads![k], `input ${k} has no gradient`).toBeNull();
        else expectClose(r.grads![k]!.data, g, `gradient of input ${k}`);
      });
    }
  });
});
