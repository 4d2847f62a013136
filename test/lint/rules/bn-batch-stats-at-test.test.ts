import { ruleTester } from "../rule-tester.js";

/** A train_val net: one data layer per phase, then a BatchNorm with `bnParam`. */
function trainVal(bnParam: string, bnInclude = ""): string {
  return `layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 8 dim: 3 dim: 4 dim: 4 } }
  include { phase: TRAIN }
}
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 4 dim: 4 } }
  include { phase: TEST }
}
layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
${bnParam}${bnInclude}}
`;
}

ruleTester("bn-batch-stats-at-test", {
  valid: [
    { name: "use_global_stats unset (Caffe uses the stored statistics in TEST)", code: trainVal("") },
    { name: "use_global_stats: true", code: trainVal("  batch_norm_param { use_global_stats: true }\n") },
    {
      name: "use_global_stats: false on a BatchNorm included in TRAIN only",
      code: trainVal("  batch_norm_param { use_global_stats: false }\n", "  include { phase: TRAIN }\n"),
    },
    { name: "use_global_stats: false when only TRAIN is linted", code: trainVal("  batch_norm_param { use_global_stats: false }\n"), phase: "train" },
  ],
  invalid: [
    {
      name: "use_global_stats: false active in TEST, at the field, phase test",
      code: trainVal("  batch_norm_param { use_global_stats: false }\n"),
      errors: [{ messageId: "batchStats", line: 20, column: 22, phase: "test", data: { layer: "bn" } }],
    },
    {
      name: "the same when only TEST is linted (still says test)",
      code: trainVal("  batch_norm_param {\n    use_global_stats: false\n  }\n"),
      phase: "test",
      errors: [{ messageId: "batchStats", line: 21, column: 5, phase: "test" }],
    },
  ],
});
