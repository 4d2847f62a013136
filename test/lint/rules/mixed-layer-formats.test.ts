import { ruleTester } from "../rule-tester.js";

ruleTester("mixed-layer-formats", {
  valid: [
    { name: "only layer entries", code: `layer { name: "a" type: "ReLU" }\n` },
    { name: "only V1 layers entries", code: `layers { name: "a" type: RELU }\n` },
  ],
  invalid: [
    {
      name: "layer and layers in one file, where the mix begins",
      code: `layer { name: "a" type: "ReLU" }\nlayers { name: "b" type: RELU }\n`,
      errors: [{ messageId: "mixed", line: 2, column: 1, data: { layer: 1, layers: 1 } }],
    },
  ],
});
