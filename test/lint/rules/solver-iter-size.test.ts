import { ruleTester } from "../rule-tester.js";

const solver = (lines: string): string => `net: "n.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\n${lines}`;

ruleTester("solver-iter-size", {
  valid: [
    { name: "the default (1)", code: solver("") },
    { name: "iter_size 4", code: solver("iter_size: 4\n") },
  ],
  invalid: [
    { name: "iter_size 0", code: solver("iter_size: 0\n"), errors: [{ messageId: "below", line: 4, column: 1, data: { value: 0 } }] },
    { name: "a negative iter_size", code: solver("iter_size: -2\n"), errors: [{ messageId: "below", line: 4, column: 1, data: { value: -2 } }] },
  ],
});
