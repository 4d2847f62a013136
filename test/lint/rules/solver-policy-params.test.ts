import { ruleTester } from "../rule-tester.js";

const solver = (lines: string): string => `net: "n.prototxt"\nbase_lr: 0.01\n${lines}`;

ruleTester("solver-policy-params", {
  valid: [
    { name: "fixed", code: solver('lr_policy: "fixed"\n') },
    { name: "step with stepsize and gamma", code: solver('lr_policy: "step"\nstepsize: 100\ngamma: 0.1\n') },
    { name: "multistep with stepvalues and gamma", code: solver('lr_policy: "multistep"\nstepvalue: 10\nstepvalue: 20\ngamma: 0.1\n') },
    { name: "poly with power and max_iter", code: solver('lr_policy: "poly"\npower: 1\nmax_iter: 100\n') },
    { name: "sigmoid with gamma and stepsize", code: solver('lr_policy: "sigmoid"\ngamma: 0.5\nstepsize: 6\n') },
  ],
  invalid: [
    { name: "no lr_policy (Caffe stops)", code: solver(""), errors: [{ messageId: "noPolicy", line: 1, column: 1, severity: "error" }] },
    { name: "an unknown policy", code: solver('lr_policy: "cosine"\n'), errors: [{ messageId: "unknownPolicy", line: 3, column: 1, data: { policy: "cosine" } }] },
    {
      name: "step without stepsize (error) and without gamma (warning)",
      code: solver('lr_policy: "step"\n'),
      errors: [
        { messageId: "missingStops", line: 3, column: 1, severity: "error", data: { field: "stepsize" } },
        { messageId: "missingZero", line: 3, column: 1, severity: "warning", data: { field: "gamma" } },
      ],
    },
    { name: "multistep without stepvalue", code: solver('lr_policy: "multistep"\ngamma: 0.1\n'), errors: [{ messageId: "missingConstant", line: 3, column: 1, severity: "warning", data: { field: "stepvalue" } }] },
    {
      name: "inv without gamma and power (the rate stays base_lr)",
      code: solver('lr_policy: "inv"\n'),
      errors: [
        { messageId: "missingConstant", line: 3, column: 1, data: { field: "gamma" } },
        { messageId: "missingConstant", line: 3, column: 1, data: { field: "power" } },
      ],
    },
    { name: "poly without max_iter", code: solver('lr_policy: "poly"\npower: 2\n'), errors: [{ messageId: "missingDivision", line: 3, column: 1, severity: "error", data: { field: "max_iter" } }] },
    {
      name: "a negative gamma (Caffe's CHECK_GE)",
      code: solver('lr_policy: "sigmoid"\ngamma: -0.5\nstepsize: 6\n'),
      errors: [{ messageId: "invalid", line: 4, column: 1, data: { field: "gamma", value: -0.5, rule: ">= 0" } }],
    },
  ],
});
