import { ruleTester } from "../rule-tester.js";

ruleTester("duplicate-top", {
  valid: [
    {
      name: "in-place layers rewriting their bottom",
      code: `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer { name: "a" type: "ReLU" bottom: "data" top: "data" }\nlayer { name: "b" type: "Dropout" bottom: "data" top: "data" }\n`,
    },
    {
      name: "an input named without a shape next to an Input layer (Caffe drops such inputs)",
      code: `input: "data"\nlayer { name: "input" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 } } }\n`,
    },
  ],
  invalid: [
    {
      name: "top-level inputs with a shape and an Input layer for the same blob",
      code: `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 } } }\n`,
      errors: [{ messageId: "duplicate", line: 3, column: 34, phase: null, data: { layer: "in", blob: "data" } }],
    },
    {
      name: "two layers writing one blob",
      code: `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer { name: "a" type: "ReLU" bottom: "data" top: "x" }\nlayer { name: "b" type: "Sigmoid" bottom: "data" top: "x" }\n`,
      errors: [{ messageId: "duplicate", line: 4, column: 50, data: { layer: "b", blob: "x" } }],
    },
  ],
});
