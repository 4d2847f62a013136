import { ruleTester } from "../rule-tester.js";

const input = `input: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n`;
const conv = (param: string): string =>
  `layer {\n  name: "conv"\n  type: "Convolution"\n  bottom: "data"\n  top: "conv"\n  convolution_param { num_output: 4 kernel_size: 1${param} }\n}\n`;
const bn = `layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }\n`;

ruleTester("conv-bias-before-bn", {
  valid: [
    { name: "a convolution without bias before BatchNorm", code: `${input}${conv(" bias_term: false")}${bn}` },
    { name: "a biased convolution before a ReLU", code: `${input}${conv("")}layer { name: "r" type: "ReLU" bottom: "conv" top: "conv" }\n` },
    {
      name: "a biased convolution whose output other layers read too",
      code: `${input}${conv("")}layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "bn" }\nlayer { name: "r" type: "ReLU" bottom: "conv" top: "r" }\n`,
    },
    {
      name: "a SegNet BN in INFERENCE mode (a plain affine map, no mean)",
      code: `${input}${conv("")}layer { name: "bn" type: "BN" bottom: "conv" top: "conv" bn_param { bn_mode: INFERENCE } }\n`,
    },
  ],
  invalid: [
    {
      name: "a convolution keeping its default bias, at the layer",
      code: `${input}${conv("")}${bn}`,
      errors: [{ messageId: "redundant", line: 3, column: 1, severity: "info", phase: null, data: { type: "Convolution", layer: "conv", bn: "bn" } }],
    },
    {
      name: "bias_term: true written out, at the field",
      code: `${input}${conv(" bias_term: true")}${bn}`,
      errors: [{ messageId: "redundant", line: 8, column: 52 }],
    },
    {
      name: "an InnerProduct before BatchNorm",
      code: `${input}layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\nlayer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" }\n`,
      errors: [{ messageId: "redundant", line: 3, column: 1, data: { type: "InnerProduct" } }],
    },
  ],
});
