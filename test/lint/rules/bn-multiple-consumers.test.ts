import { ruleTester } from "../rule-tester.js";

const head = `input: "data"
input_shape { dim: 1 dim: 4 dim: 8 dim: 8 }
layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" }
`;

ruleTester("bn-multiple-consumers", {
  valid: [
    { name: "one Scale reading the BatchNorm", code: `${head}layer { name: "sc" type: "Scale" bottom: "bn" top: "bn" }\n` },
    {
      name: "several readers of the Scale's output (the block is fused first)",
      code: `${head}layer { name: "sc" type: "Scale" bottom: "bn" top: "sc" }\nlayer { name: "a" type: "ReLU" bottom: "sc" top: "a" }\nlayer { name: "b" type: "ReLU" bottom: "sc" top: "b" }\n`,
    },
  ],
  invalid: [
    {
      name: "a Scale and a shortcut both reading the BatchNorm",
      code: `${head}layer { name: "sc" type: "Scale" bottom: "bn" top: "sc" }\nlayer { name: "sum" type: "Eltwise" bottom: "bn" bottom: "sc" top: "sum" }\n`,
      errors: [{ messageId: "consumers", line: 3, column: 1, data: { layer: "bn", blob: "bn", count: 2, readers: "sc, sum" } }],
    },
  ],
});
