import { ruleTester } from "../rule-tester.js";

ruleTester("bn-eps-below-cudnn", {
  valid: [
    { name: "the default eps", code: `layer { name: "bn" type: "BatchNorm" }\n` },
    { name: "eps 1e-5 exactly", code: `layer { name: "bn" type: "BatchNorm" batch_norm_param { eps: 1e-5 } }\n` },
    { name: "a larger eps", code: `layer { name: "bn" type: "BatchNorm" batch_norm_param { eps: 0.001 } }\n` },
  ],
  invalid: [
    {
      name: "eps 1e-6 on a BatchNorm, at the field",
      code: `layer {\n  name: "bn"\n  type: "BatchNorm"\n  batch_norm_param { eps: 1e-6 }\n}\n`,
      errors: [{ messageId: "below", line: 4, column: 22, data: { layer: "bn", eps: 1e-6 } }],
    },
    {
      name: "a small eps in the PSPNet fork's bn_param",
      code: `layer { name: "bn" type: "BN" bn_param { eps: 1e-8 frozen: true } }\n`,
      errors: [{ messageId: "below", line: 1, column: 42, data: { eps: 1e-8 } }],
    },
  ],
});
