import { ruleTester } from "../rule-tester.js";

ruleTester("bn-fork-layer", {
  valid: [
    { name: "BVLC's BatchNorm", code: `layer { name: "bn" type: "BatchNorm" batch_norm_param { use_global_stats: true } }\n` },
    { name: "other layer types", code: `layer { name: "sc" type: "Scale" }\n` },
  ],
  invalid: [
    {
      name: "NVIDIA Caffe's scale_bias, at the field",
      code: `layer {\n  name: "bn"\n  type: "BatchNorm"\n  batch_norm_param { scale_bias: true }\n}\n`,
      errors: [{ messageId: "nvcaffe", line: 4, column: 22, data: { layer: "bn", field: "scale_bias" } }],
    },
    {
      name: "a SegNet/ENet BN layer, at its type",
      code: `layer {\n  name: "bn"\n  type: "BN"\n  bn_param { bn_mode: INFERENCE }\n}\n`,
      errors: [{ messageId: "segnet", line: 3, column: 3, data: { mode: "INFERENCE" } }],
    },
    {
      name: "a PSPNet BN layer",
      code: `layer { name: "bn" type: "BN" bn_param { frozen: true momentum: 0.95 } }\n`,
      errors: [{ messageId: "pspnet", line: 1, column: 20, data: { frozen: true } }],
    },
    {
      name: "a BN layer without bn_param",
      code: `layer { name: "bn" type: "BN" }\n`,
      errors: [{ messageId: "unrecognised", line: 1, column: 20, data: { reason: "no-bn-param" } }],
    },
  ],
});
