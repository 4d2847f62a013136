import { ruleTester } from "../rule-tester.js";

ruleTester("solver-type-deprecated", {
  valid: [
    { name: "a solver with the type string", code: 'net: "n.prototxt"\ntype: "Nesterov"\nbase_lr: 0.01\n' },
    { name: "a net (solver rules do not run on nets)", code: 'name: "x"\nlayer { name: "a" type: "Input" top: "d" }\n' },
  ],
  invalid: [
    {
      name: "solver_type NESTEROV (warning), fixed to type: \"Nesterov\" keeping the comment",
      code: 'net: "n.prototxt"\nsolver_type: NESTEROV  # old\nbase_lr: 0.01\n',
      errors: [{ messageId: "deprecated", line: 2, column: 1, severity: "warning", data: { from: "NESTEROV", to: "Nesterov" } }],
      output: 'net: "n.prototxt"\ntype: "Nesterov"  # old\nbase_lr: 0.01\n',
    },
    {
      name: "solver_type given as a number",
      code: 'base_lr: 0.1\nsolver_type: 5\n',
      errors: [{ messageId: "deprecated", line: 2, column: 1, data: { from: "ADAM", to: "Adam" } }],
      output: 'base_lr: 0.1\ntype: "Adam"\n',
    },
    {
      name: "both solver_type and type (error, not fixable)",
      code: 'type: "Adam"\nbase_lr: 0.1\nsolver_type: SGD\n',
      errors: [{ messageId: "conflict", line: 3, column: 1, severity: "error", data: { from: "SGD", type: "Adam" } }],
    },
  ],
});
