import { ruleTester } from "../rule-tester.js";

ruleTester("float-out-of-range", {
  valid: [{ name: "the largest float32 order of magnitude", code: `layer { batch_norm_param { eps: 1e38 } }\n` }],
  invalid: [
    {
      name: "a float beyond float32's range",
      code: `layer { batch_norm_param { eps: 1e39 } }\n`,
      errors: [{ messageId: "value", line: 1, column: 33, data: { value: "1e39" } }],
    },
  ],
});
