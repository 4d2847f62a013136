import { ruleTester } from "../rule-tester.js";

ruleTester("include-and-exclude", {
  valid: [
    { name: "include rules only", code: `layer { name: "a" type: "Input" top: "x" input_param { shape { dim: 1 } } include { phase: TRAIN } }\n` },
    { name: "exclude rules only", code: `layer { name: "a" type: "Input" top: "x" input_param { shape { dim: 1 } } exclude { phase: TEST } }\n` },
  ],
  invalid: [
    {
      name: "both include and exclude, at the exclude rule",
      code: `layer {\n  name: "a"\n  type: "Input"\n  top: "x"\n  input_param { shape { dim: 1 } }\n  include { phase: TRAIN }\n  exclude { stage: "deploy" }\n}\n`,
      errors: [{ messageId: "both", line: 7, column: 3, phase: null, data: { layer: "a" } }],
    },
  ],
});
