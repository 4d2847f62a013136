import { ruleTester } from "../rule-tester.js";

ruleTester("duplicate-layer-name", {
  valid: [
    {
      name: "data layers sharing a name across phases",
      code: `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 } } include { phase: TRAIN } }\nlayer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 } } include { phase: TEST } }\n`,
    },
    { name: "unnamed layers", code: `input: "x"\ninput_shape { dim: 1 }\nlayer { type: "ReLU" bottom: "x" top: "x" }\nlayer { type: "ReLU" bottom: "x" top: "x" }\n` },
  ],
  invalid: [
    {
      name: "two active layers with one name, at the second name",
      code: `input: "x"\ninput_shape { dim: 1 }\nlayer { name: "relu" type: "ReLU" bottom: "x" top: "x" }\nlayer {\n  name: "relu"\n  type: "ReLU"\n  bottom: "x"\n  top: "x"\n}\n`,
      errors: [{ messageId: "duplicate", line: 5, column: 3, phase: null, data: { name: "relu", firstLine: 3 } }],
    },
  ],
});
