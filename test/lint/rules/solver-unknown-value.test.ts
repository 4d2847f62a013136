import { ruleTester } from "../rule-tester.js";

ruleTester("solver-unknown-value", {
  valid: [
    { name: "every Caffe solver type", code: 'type: "RMSProp"\nbase_lr: 0.1\n' },
    { name: "the default type (SGD) and L1", code: 'base_lr: 0.1\nweight_decay: 0.001\nregularization_type: "L1"\n' },
    { name: "an unknown regularization_type without weight decay (never read)", code: 'base_lr: 0.1\nregularization_type: "L3"\n' },
  ],
  invalid: [
    { name: "a misspelt type", code: 'base_lr: 0.1\ntype: "Adagrad"\n', errors: [{ messageId: "type", line: 2, column: 1, data: { type: "Adagrad" } }] },
    {
      name: "a lower-case regularization_type with weight decay",
      code: 'base_lr: 0.1\nweight_decay: 0.0005\nregularization_type: "l2"\n',
      errors: [{ messageId: "regularization", line: 3, column: 1, data: { value: "l2" } }],
    },
  ],
});
