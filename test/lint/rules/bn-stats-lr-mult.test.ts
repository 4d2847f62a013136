import { ruleTester } from "../rule-tester.js";

const header = `input: "data"
input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
`;

ruleTester("bn-stats-lr-mult", {
  valid: [
    {
      name: "a BatchNorm without param blocks (Caffe adds lr_mult 0 itself)",
      code: `${header}layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }\n`,
    },
    {
      name: "three statistics params with lr_mult 0",
      code: `${header}layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
  param { lr_mult: 0 decay_mult: 0 }
  param { lr_mult: 0.0 decay_mult: 0 }
  param { lr_mult: 0 decay_mult: 0 }
}
`,
    },
    {
      name: "learnable params on a Convolution",
      code: `${header}layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" param { lr_mult: 1 } param { lr_mult: 2 } convolution_param { num_output: 4 kernel_size: 1 } }\n`,
    },
    {
      name: "NVIDIA Caffe's scale_bias BatchNorm with learnable gamma/beta as params 4 and 5",
      code: `${header}layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
  param { lr_mult: 0 }
  param { lr_mult: 0 }
  param { lr_mult: 0 }
  param { lr_mult: 1 }
  param { lr_mult: 1 }
  batch_norm_param { scale_bias: true }
}
`,
    },
  ],
  invalid: [
    {
      name: "lr_mult 1 on a statistics param, fixed to 0",
      code: `${header}layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
  param { lr_mult: 1 decay_mult: 0 }
  param { lr_mult: 0 decay_mult: 0 }
}
`,
      errors: [{ messageId: "nonZero", line: 8, column: 11, data: { layer: "bn", index: 1, value: 1 } }],
      output: `${header}layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
  param { lr_mult: 0 decay_mult: 0 }
  param { lr_mult: 0 decay_mult: 0 }
}
`,
    },
    {
      name: "a negative lr_mult, sign included in the fix",
      code: `${header}layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" param { lr_mult: -1.5 } }\n`,
      errors: [{ messageId: "nonZero", line: 3, column: 73, data: { value: -1.5 } }],
      output: `${header}layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" param { lr_mult: 0 } }\n`,
    },
    {
      name: "params without lr_mult (defaults to 1) on several layouts, each fixed in its own style",
      code: `${header}layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
  param {
    decay_mult: 0 # keep this comment
  }
  param { decay_mult: 0 }
  param {}
}
`,
      errors: [
        { messageId: "missing", line: 8, column: 3, data: { layer: "bn", index: 1 } },
        { messageId: "missing", line: 11, column: 3, data: { index: 2 } },
        { messageId: "missing", line: 12, column: 3, data: { index: 3 } },
      ],
      output: `${header}layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
  param {
    lr_mult: 0
    decay_mult: 0 # keep this comment
  }
  param { lr_mult: 0 decay_mult: 0 }
  param { lr_mult: 0 }
}
`,
    },
    {
      name: "a comment between the brace and the first field stays in place",
      code: `${header}layer {
\tname: "bn"
\ttype: "BatchNorm"
\tbottom: "data"
\ttop: "data"
\tparam { # statistics
\t\tdecay_mult: 0
\t}
}
`,
      errors: [{ messageId: "missing", line: 8, column: 2 }],
      output: `${header}layer {
\tname: "bn"
\ttype: "BatchNorm"
\tbottom: "data"
\ttop: "data"
\tparam { # statistics
\t\tlr_mult: 0
\t\tdecay_mult: 0
\t}
}
`,
    },
    {
      name: "a CRLF file keeps CRLF line endings",
      code: `name: "n"\r\nlayer {\r\n  name: "bn"\r\n  type: "BatchNorm"\r\n  bottom: "x"\r\n  top: "x"\r\n  param {\r\n    decay_mult: 0\r\n  }\r\n}\r\n`,
      errors: [{ messageId: "missing", line: 7, column: 3 }],
      output: `name: "n"\r\nlayer {\r\n  name: "bn"\r\n  type: "BatchNorm"\r\n  bottom: "x"\r\n  top: "x"\r\n  param {\r\n    lr_mult: 0\r\n    decay_mult: 0\r\n  }\r\n}\r\n`,
    },
    {
      name: "params written as a list",
      code: `${header}layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" param: [{ lr_mult: 1 }, { decay_mult: 0 }] }\n`,
      errors: [
        { messageId: "nonZero", line: 3, column: 75 },
        { messageId: "missing", line: 3, column: 89 },
      ],
      output: `${header}layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" param: [{ lr_mult: 0 }, { lr_mult: 0 decay_mult: 0 }] }\n`,
    },
    {
      name: "more param blocks than BatchNorm has blobs (not fixable)",
      code: `${header}layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
  param { lr_mult: 0 }
  param { lr_mult: 0 }
  param { lr_mult: 0 }
  param { lr_mult: 0 }
}
`,
      errors: [{ messageId: "tooMany", line: 11, column: 3, data: { count: 4, blobs: 3 } }],
    },
  ],
});
