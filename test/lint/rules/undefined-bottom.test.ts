import { ruleTester } from "../rule-tester.js";

const data = (phase: string, top: string): string =>
  `layer { name: "data" type: "Input" top: "${top}" input_param { shape { dim: 1 dim: 3 } } include { phase: ${phase} } }\n`;

ruleTester("undefined-bottom", {
  valid: [
    { name: "a chain fed by an Input layer", code: `${data("TRAIN", "data")}${data("TEST", "data")}layer { name: "r" type: "ReLU" bottom: "data" top: "data" }\n` },
    {
      name: "a train-only file (nothing feeds the net in TEST, so TEST is not checked)",
      code: `${data("TRAIN", "data")}layer { name: "r" type: "ReLU" bottom: "data" top: "data" }\n`,
    },
  ],
  invalid: [
    {
      name: "a bottom nobody produces, at the bottom field",
      code: `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer { name: "r" type: "ReLU" bottom: "nothing" top: "r" }\n`,
      errors: [{ messageId: "unknown", line: 3, column: 32, phase: null, data: { layer: "r", blob: "nothing" } }],
    },
    {
      name: "a blob only the TRAIN data layer produces, read in TEST",
      code: `${data("TRAIN", "data")}${data("TEST", "other")}layer { name: "r" type: "ReLU" bottom: "data" top: "data" }\n`,
      errors: [{ messageId: "unknown", line: 3, column: 32, phase: "test", data: { blob: "data" } }],
    },
    {
      name: "a bottom read before the layer that produces it",
      code: `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer { name: "a" type: "ReLU" bottom: "b" top: "a" }\nlayer { name: "b" type: "ReLU" bottom: "data" top: "b" }\n`,
      errors: [{ messageId: "unknown", line: 3, column: 32, data: { blob: "b" } }],
    },
  ],
});
