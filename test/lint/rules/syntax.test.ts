import { ruleTester } from "../rule-tester.js";

ruleTester("syntax", {
  valid: [
    { name: "a well-formed net", code: `name: "n"\nlayer { name: "a" type: "ReLU" bottom: "x" top: "x" }\n` },
    { name: "fork fields, which are read leniently", code: `layer { name: "p" type: "Pooling" pooling_param { ceil_mode: false } }\n` },
    { name: "an empty file", code: `` },
  ],
  invalid: [
    {
      name: "a message that is never closed, at its opening brace",
      code: `layer {\n  name: "a"\n`,
      errors: [{ messageId: "unclosed-message", line: 1, column: 7, data: { expected: "}" } }],
    },
    {
      name: "a template placeholder where a value belongs, once (not its echo)",
      code: `layer {\n  convolution_param {\n    num_output: \${NUM_LABELS}\n  }\n}\n`,
      errors: [{ messageId: "expected-value", line: 3, column: 17, data: { field: "num_output", found: "$" } }],
    },
    {
      name: "a singular field set twice",
      code: `name: "a"\nname: "b"\n`,
      errors: [{ messageId: "duplicate-field", line: 2, column: 1, data: { field: "name" } }],
    },
    {
      name: "a value of the wrong type",
      code: `layer { convolution_param { bias_term: yes } }\n`,
      errors: [{ messageId: "invalid-bool", line: 1, column: 40, data: { value: "yes", field: "bias_term" } }],
    },
    {
      name: "a malformed number",
      code: `layer { batch_norm_param { eps: 1e } }\n`,
      errors: [{ messageId: "invalid-number", line: 1, column: 33 }],
    },
  ],
});
