import { ruleTester } from "../rule-tester.js";

const input = `input: "data"\ninput_shape { dim: 1 dim: 4 dim: 8 dim: 8 }\n`;
const bn = `layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" }\n`;

ruleTester("bn-without-scale", {
  valid: [
    { name: "BatchNorm then Scale", code: `${input}${bn}layer { name: "sc" type: "Scale" bottom: "bn" top: "bn" scale_param { bias_term: true } }\n` },
    {
      name: "in-place BatchNorm then in-place Scale",
      code: `${input}layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }\nlayer { name: "sc" type: "Scale" bottom: "data" top: "data" }\n`,
    },
    { name: "NVIDIA's BatchNorm with its own scale and bias", code: `${input}layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" batch_norm_param { scale_bias: true } }\n` },
    { name: "a fork BN layer (it holds gamma/beta itself)", code: `${input}layer { name: "bn" type: "BN" bottom: "data" top: "bn" bn_param { bn_mode: INFERENCE } }\n` },
    {
      name: "a BatchNorm read by several layers (bn-multiple-consumers says so)",
      code: `${input}${bn}layer { name: "a" type: "ReLU" bottom: "bn" top: "a" }\nlayer { name: "b" type: "ReLU" bottom: "bn" top: "b" }\n`,
    },
  ],
  invalid: [
    {
      name: "BatchNorm followed by a ReLU, at the layer",
      code: `${input}${bn}layer { name: "relu" type: "ReLU" bottom: "bn" top: "bn" }\n`,
      errors: [{ messageId: "noScale", line: 3, column: 1, phase: null, data: { layer: "bn", consumer: "relu", consumerType: "ReLU" } }],
    },
    {
      name: "BatchNorm whose output nobody reads",
      code: `${input}${bn}`,
      errors: [{ messageId: "noConsumer", line: 3, column: 1, data: { layer: "bn" } }],
    },
    {
      name: "BatchNorm followed by an SE-style Scale with two bottoms",
      code: `${input}${bn}layer { name: "gate" type: "Scale" bottom: "bn" bottom: "data" top: "out" scale_param { axis: 0 } }\n`,
      errors: [{ messageId: "scaleTwoBottoms", line: 3, column: 1, data: { consumer: "gate" } }],
    },
    {
      name: "BatchNorm followed by a Scale over another axis",
      code: `${input}${bn}layer { name: "sc" type: "Scale" bottom: "bn" top: "out" scale_param { axis: 2 } }\n`,
      errors: [{ messageId: "scaleAxes", line: 3, column: 1, data: { consumer: "sc" } }],
    },
  ],
});
