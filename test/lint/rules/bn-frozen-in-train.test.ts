import { ruleTester } from "../rule-tester.js";

/** A trainable net (it has a loss) with one BatchNorm. */
function trainNet(bnParam: string, withLoss = true): string {
  return `input: "data"
input_shape { dim: 8 dim: 3 dim: 4 dim: 4 }
input: "label"
input_shape { dim: 8 }
layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
${bnParam}}
${withLoss ? `layer { name: "loss" type: "SoftmaxWithLoss" bottom: "data" bottom: "label" top: "loss" }\n` : ""}`;
}

ruleTester("bn-frozen-in-train", {
  valid: [
    { name: "batch statistics in TRAIN (the default)", code: trainNet("") },
    { name: "frozen statistics in a deploy net (no loss: never trained as written)", code: trainNet("  batch_norm_param { use_global_stats: true }\n", false) },
    { name: "frozen statistics when only TEST is linted", code: trainNet("  batch_norm_param { use_global_stats: true }\n"), phase: "test" },
  ],
  invalid: [
    {
      name: "use_global_stats: true in a net that trains, as info in phase train",
      code: trainNet("  batch_norm_param { use_global_stats: true }\n"),
      errors: [{ messageId: "frozen", line: 10, column: 22, phase: "train", severity: "info", data: { layer: "bn" } }],
    },
    {
      name: "a net whose loss comes from loss_weight on a non-loss layer",
      code: `input: "data"
input_shape { dim: 8 dim: 3 }
layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" batch_norm_param { use_global_stats: true } }
layer { name: "out" type: "Power" bottom: "bn" top: "out" loss_weight: 1 }
`,
      errors: [{ messageId: "frozen", line: 3, column: 82, phase: "train" }],
    },
  ],
});
