import { ruleTester } from "../rule-tester.js";

/** A file system holding exactly these paths. */
const files = (...paths: string[]) => ({ file: "/work/solvers/solver.prototxt", cwd: "/work", exists: (p: string) => paths.includes(p) });

ruleTester("solver-net-path", {
  valid: [
    { name: "a net beside the solver", code: 'net: "train.prototxt"\nbase_lr: 0.1\n', options: files("/work/solvers/train.prototxt") },
    { name: "a net from the working directory, as Caffe opens it", code: 'net: "solvers/train.prototxt"\nbase_lr: 0.1\n', options: files("/work/solvers/train.prototxt") },
    { name: "an inline net", code: 'net_param { name: "x" }\nbase_lr: 0.1\n', options: files() },
    { name: "a path when files cannot be looked at", code: 'net: "nowhere.prototxt"\nbase_lr: 0.1\n' },
  ],
  invalid: [
    {
      name: "a net that exists in neither place",
      code: 'base_lr: 0.1\nnet: "missing.prototxt"\n',
      options: files(),
      errors: [{ messageId: "missing", line: 2, column: 1, data: { field: "net", path: "missing.prototxt", looked: "/work/solvers/missing.prototxt and /work/missing.prototxt" } }],
    },
    {
      name: "a missing test_net (the second one)",
      code: 'train_net: "a.prototxt"\ntest_net: "a.prototxt"\ntest_net: "b.prototxt"\nbase_lr: 0.1\n',
      options: files("/work/solvers/a.prototxt"),
      errors: [{ messageId: "missing", line: 3, column: 1, data: { field: "test_net", path: "b.prototxt" } }],
    },
    { name: "no train net", code: "base_lr: 0.1\nmax_iter: 10\n", errors: [{ messageId: "noNet", line: 1, column: 1 }] },
    {
      name: "two train nets",
      code: 'net: "a.prototxt"\ntrain_net: "b.prototxt"\nbase_lr: 0.1\n',
      errors: [{ messageId: "severalNets", line: 2, column: 1, data: { fields: "net, train_net" } }],
    },
  ],
});
