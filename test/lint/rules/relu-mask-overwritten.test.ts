import { ruleTester } from "../rule-tester.js";

/** A trainable net: conv → the layers given → a loss. */
function trainNet(middle: string, withLoss = true): string {
  return `input: "data"
input_shape { dim: 4 dim: 3 dim: 6 dim: 6 }
input: "label"
input_shape { dim: 4 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 } }
${middle}${withLoss ? `layer { name: "ip" type: "InnerProduct" bottom: "out" top: "ip" inner_product_param { num_output: 3 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
` : ""}`;
}

const BN_SCALE_IN_PLACE = `layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }
layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }
`;

ruleTester("relu-mask-overwritten", {
  valid: [
    {
      name: "Conv → BatchNorm → Scale → ReLU, all in place (nothing overwrites the ReLU's data)",
      code: trainNet(`${BN_SCALE_IN_PLACE}layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool" type: "Pooling" bottom: "conv1" top: "out" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
`),
    },
    {
      name: "a ReLU with its own top before an in-place BatchNorm/Scale on that top",
      code: trainNet(`layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "act1" }
layer { name: "bn1" type: "BatchNorm" bottom: "act1" top: "act1" }
layer { name: "pool" type: "Pooling" bottom: "act1" top: "out" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
`),
    },
    {
      name: "an in-place ReLU followed by in-place Dropout (keeps the mask)",
      code: trainNet(`layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "drop1" type: "Dropout" bottom: "conv1" top: "conv1" }
layer { name: "pool" type: "Pooling" bottom: "conv1" top: "out" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
`),
    },
    {
      name: "the pattern in a deploy net (no loss: never trained)",
      code: trainNet(`layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n${BN_SCALE_IN_PLACE}`, false),
    },
    {
      name: "the pattern when only TEST is linted",
      code: trainNet(`layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n${BN_SCALE_IN_PLACE}layer { name: "pool" type: "Pooling" bottom: "conv1" top: "out" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n`),
      phase: "test",
    },
  ],
  invalid: [
    {
      name: "an in-place ReLU, then BatchNorm and Scale in place on its blob: reported on the ReLU, naming the BatchNorm",
      code: trainNet(`layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n${BN_SCALE_IN_PLACE}layer { name: "pool" type: "Pooling" bottom: "conv1" top: "out" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n`),
      errors: [{ messageId: "inPlace", line: 6, column: 1, phase: "train", severity: "warning", data: { relu: "relu1", writer: "bn1", type: "BatchNorm", blob: "conv1" } }],
    },
    {
      name: "an in-place Dropout between them does not hide the overwrite",
      code: trainNet(`layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "drop1" type: "Dropout" bottom: "conv1" top: "conv1" }
layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" }
layer { name: "pool" type: "Pooling" bottom: "conv1" top: "out" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
`),
      errors: [{ messageId: "inPlace", line: 6, column: 1, phase: "train", data: { relu: "relu1", writer: "scale1", type: "Scale", blob: "conv1" } }],
    },
    {
      name: "a ReLU with its own top whose bottom a later layer overwrites in place",
      code: trainNet(`layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "act1" }
layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" }
layer { name: "sum" type: "Eltwise" bottom: "act1" bottom: "conv1" top: "out" }
`),
      errors: [{ messageId: "sharedBottom", line: 6, column: 1, phase: "train", data: { relu: "relu1", writer: "scale1", type: "Scale", blob: "conv1" } }],
    },
  ],
});
