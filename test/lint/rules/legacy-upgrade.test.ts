import { ruleTester } from "../rule-tester.js";

ruleTester("legacy-upgrade", {
  valid: [{ name: "a V1 file Caffe upgrades cleanly", code: `layers { name: "relu" type: RELU bottom: "x" top: "x" }\n` }],
  invalid: [
    {
      name: "a V0 layer type the upgrade does not know",
      code: `layers {\n  layer { name: "c" type: "frobnicate" }\n}\n`,
      errors: [{ messageId: "unknownV0Type", line: 2, column: 21, severity: "error", data: { type: "frobnicate" } }],
    },
    {
      name: "a V1 layer whose fork type has no current name (a warning)",
      code: `layers {\n  name: "seg"\n  type: IMAGE_SEG_DATA\n}\n`,
      errors: [{ messageId: "withoutType", line: 1, column: 1, severity: "warning", data: { layer: "seg", value: "IMAGE_SEG_DATA" } }],
    },
  ],
});
