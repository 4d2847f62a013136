import { ruleTester } from "../rule-tester.js";

ruleTester("unknown-layer-type", {
  valid: [
    { name: "BVLC layer types, Python included", code: `layer { name: "c" type: "Convolution" }\nlayer { name: "p" type: "Python" }\nlayer { name: "s" type: "Swish" }\n` },
    { name: "fork BatchNorm layers (bn-fork-layer reports them)", code: `layer { name: "bn" type: "BN" bn_param { frozen: true } }\n` },
    { name: "a V1 net, whose types are upgraded names", code: `layers { name: "c" type: CONVOLUTION }\n` },
  ],
  invalid: [
    {
      name: "a fork layer without fork parameters, naming the fork",
      code: `layer {\n  name: "dw"\n  type: "DepthwiseConvolution"\n  convolution_param { num_output: 8 group: 8 kernel_size: 3 }\n}\n`,
      errors: [{ messageId: "fork", line: 3, column: 3, data: { layer: "dw", type: "DepthwiseConvolution", fork: "MobileNet depthwise-convolution forks" } }],
    },
    {
      name: "a type nobody knows",
      code: `layer { name: "x" type: "Frobnicate" }\n`,
      errors: [{ messageId: "unknown", line: 1, column: 19, data: { type: "Frobnicate" } }],
    },
    {
      name: "a layer without a type, at the layer",
      code: `layer { name: "x" }\n`,
      errors: [{ messageId: "missing", line: 1, column: 1, data: { layer: "x" } }],
    },
  ],
});
