import { ruleTester } from "../rule-tester.js";

ruleTester("legacy-format", {
  valid: [{ name: "the current format", code: `layer { name: "a" type: "ReLU" bottom: "x" top: "x" }\n` }],
  invalid: [
    {
      name: "a V1 file, at its first layers entry",
      code: `name: "old"\nlayers {\n  name: "relu"\n  type: RELU\n}\nlayers { name: "drop" type: DROPOUT }\n`,
      errors: [{ messageId: "legacy", line: 2, column: 1, severity: "info", data: { from: "V1", layers: 2 } }],
    },
    {
      name: "a V0 file",
      code: `layers {\n  layer { name: "relu" type: "relu" }\n  bottom: "x"\n  top: "x"\n}\n`,
      errors: [{ messageId: "legacy", line: 1, column: 1, data: { from: "V0" } }],
    },
  ],
});
