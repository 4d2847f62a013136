import { ruleTester } from "../rule-tester.js";

const bn = (param: string): string => `layer {\n  name: "bn"\n  type: "BatchNorm"\n  batch_norm_param { ${param} }\n}\n`;

ruleTester("bn-maf-range", {
  valid: [
    { name: "Caffe's default", code: bn("eps: 1e-5") },
    { name: "a usual fraction", code: bn("moving_average_fraction: 0.9997") },
    { name: "the PSPNet fork's momentum at 1 (its own update rule)", code: `layer { name: "bn" type: "BN" bn_param { momentum: 1 } }\n` },
  ],
  invalid: [
    {
      name: "a fraction above 1 (error)",
      code: bn("moving_average_fraction: 1.5"),
      errors: [{ messageId: "outside", line: 4, column: 22, severity: "error", data: { field: "moving_average_fraction", value: 1.5 } }],
    },
    {
      name: "a negative fraction",
      code: bn("moving_average_fraction: -0.1"),
      errors: [{ messageId: "outside", line: 4, column: 22, severity: "error" }],
    },
    { name: "exactly 0 (info)", code: bn("moving_average_fraction: 0"), errors: [{ messageId: "zero", line: 4, column: 22, severity: "info" }] },
    { name: "exactly 1 (info)", code: bn("moving_average_fraction: 1.0"), errors: [{ messageId: "one", line: 4, column: 22, severity: "info" }] },
    {
      name: "the PSPNet fork's momentum above 1",
      code: `layer { name: "bn" type: "BN" bn_param { momentum: 2 } }\n`,
      errors: [{ messageId: "outside", line: 1, column: 42, data: { field: "momentum", value: 2 } }],
    },
  ],
});
