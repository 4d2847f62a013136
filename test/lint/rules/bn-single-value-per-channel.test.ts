import { ruleTester } from "../rule-tester.js";

/** A net training a BatchNorm on an input of `dims`, with a loss so that it trains. */
function net(dims: number[], bnParam = "", loss = true): string {
  return `input: "data"
input_shape { ${dims.map((d) => `dim: ${d}`).join(" ")} }
layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "bn"
${bnParam}}
${loss ? `layer { name: "loss" type: "EuclideanLoss" bottom: "bn" bottom: "data" top: "loss" }\n` : ""}`;
}

ruleTester("bn-single-value-per-channel", {
  valid: [
    { name: "batch 2 of vectors", code: net([2, 8]) },
    { name: "batch 1 of 2×2 maps", code: net([1, 8, 2, 2]) },
    { name: "batch 1 with stored statistics", code: net([1, 8], "  batch_norm_param { use_global_stats: true }\n") },
    { name: "batch 1 in a deploy net (no loss)", code: net([1, 8], "", false) },
    { name: "an unknown batch size", code: `layer { name: "d" type: "Python" top: "data" }\n${net([2, 8]).split("\n").slice(2).join("\n")}` },
  ],
  invalid: [
    {
      name: "batch 1 of vectors in TRAIN, at the layer",
      code: net([1, 8]),
      errors: [{ messageId: "single", line: 3, column: 1, phase: "train", data: { layer: "bn", shape: "1×8" } }],
    },
    {
      name: "batch 1 of 1×1 maps",
      code: net([1, 8, 1, 1]),
      errors: [{ messageId: "single", line: 3, column: 1, data: { shape: "1×8×1×1" } }],
    },
  ],
});
