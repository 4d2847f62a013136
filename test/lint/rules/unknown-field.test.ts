import { ruleTester } from "../rule-tester.js";

ruleTester("unknown-field", {
  valid: [
    { name: "fields of BVLC's schema", code: `layer { name: "p" type: "Pooling" pooling_param { pool: MAX kernel_size: 2 } }\n` },
    {
      name: "the bn_param of a fork BN layer (reported by bn-fork-layer instead)",
      code: `layer { name: "bn" type: "BN" bn_param { bn_mode: INFERENCE } }\n`,
    },
    {
      name: "NVIDIA's scale_bias on a BatchNorm (reported by bn-fork-layer instead)",
      code: `layer { name: "bn" type: "BatchNorm" batch_norm_param { scale_bias: true } }\n`,
    },
  ],
  invalid: [
    {
      name: "a fork field, naming the fork",
      code: `layer {\n  name: "p"\n  type: "Pooling"\n  pooling_param { ceil_mode: false }\n}\n`,
      errors: [{ messageId: "fieldFork", line: 4, column: 19, data: { field: "ceil_mode", message: "caffe.PoolingParameter" } }],
    },
    {
      name: "a misspelt field, with a suggestion",
      code: `layer { convolution_param { kernal_size: 3 } }\n`,
      errors: [{ messageId: "fieldSuggestion", line: 1, column: 29, data: { field: "kernal_size", suggestion: "kernel_size" } }],
    },
    {
      name: "a field nobody defines",
      code: `layer { zzz_unheard_of: 1 }\n`,
      errors: [{ messageId: "field", line: 1, column: 9, data: { field: "zzz_unheard_of", message: "caffe.LayerParameter" } }],
    },
    {
      name: "a fork enum value in a V1 file",
      code: `layers { name: "d" type: IMAGE_SEG_DATA top: "data" }\n`,
      errors: [{ messageId: "enumValueFork", line: 1, column: 26, data: { value: "IMAGE_SEG_DATA" } }],
    },
    {
      name: "bn_param on a layer that is not a BN layer",
      code: `layer { name: "c" type: "Convolution" bn_param { frozen: true } }\n`,
      errors: [{ messageId: "fieldFork", line: 1, column: 39, data: { field: "bn_param" } }],
    },
  ],
});
