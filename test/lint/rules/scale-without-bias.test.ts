import { ruleTester } from "../rule-tester.js";

const head = `input: "data"
input_shape { dim: 1 dim: 4 dim: 8 dim: 8 }
layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }
`;

ruleTester("scale-without-bias", {
  valid: [
    { name: "a Scale with bias_term: true", code: `${head}layer { name: "sc" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: true } }\n` },
    {
      name: "a Scale without bias followed by a Bias layer",
      code: `${head}layer { name: "sc" type: "Scale" bottom: "data" top: "data" }\nlayer { name: "b" type: "Bias" bottom: "data" top: "data" }\n`,
    },
    {
      name: "a Scale that is not paired with a BatchNorm",
      code: `input: "data"\ninput_shape { dim: 1 dim: 4 }\nlayer { name: "sc" type: "Scale" bottom: "data" top: "data" }\n`,
    },
  ],
  invalid: [
    {
      name: "a paired Scale without bias_term, at the Scale",
      code: `${head}layer {\n  name: "sc"\n  type: "Scale"\n  bottom: "data"\n  top: "data"\n}\n`,
      errors: [{ messageId: "noBias", line: 4, column: 1, data: { scale: "sc", layer: "bn" } }],
    },
    {
      name: "bias_term: false written out",
      code: `${head}layer { name: "sc" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: false } }\n`,
      errors: [{ messageId: "noBias", line: 4, column: 1 }],
    },
  ],
});
