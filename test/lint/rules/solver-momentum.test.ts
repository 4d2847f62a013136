import { ruleTester } from "../rule-tester.js";

const solver = (lines: string): string => `net: "n.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\n${lines}`;

ruleTester("solver-momentum", {
  valid: [
    { name: "SGD momentum 0.9", code: solver("momentum: 0.9\n") },
    { name: "AdaGrad without momentum", code: solver('type: "AdaGrad"\n') },
    { name: "Adam's betas", code: solver('type: "Adam"\nmomentum: 0.9\nmomentum2: 0.999\n') },
    { name: "RMSProp's rms_decay", code: solver('type: "RMSProp"\nrms_decay: 0.98\n') },
  ],
  invalid: [
    { name: "SGD momentum 1", code: solver("momentum: 1.0\n"), errors: [{ messageId: "range", line: 4, column: 1, data: { field: "momentum", value: 1, type: "SGD" } }] },
    { name: "a negative Nesterov momentum", code: solver('type: "Nesterov"\nmomentum: -0.1\n'), errors: [{ messageId: "range", line: 5, column: 1 }] },
    { name: "Adam's momentum2 at 1", code: solver('type: "Adam"\nmomentum2: 1\n'), errors: [{ messageId: "range", line: 5, column: 1, data: { field: "momentum2" } }] },
    { name: "AdaGrad with momentum (Caffe stops)", code: solver('type: "AdaGrad"\nmomentum: 0.9\n'), errors: [{ messageId: "refused", line: 5, column: 1, data: { type: "AdaGrad", value: 0.9 } }] },
    { name: "RMSProp's rms_decay at 1", code: solver('type: "RMSProp"\nrms_decay: 1\n'), errors: [{ messageId: "rmsDecay", line: 5, column: 1, data: { value: 1 } }] },
  ],
});
