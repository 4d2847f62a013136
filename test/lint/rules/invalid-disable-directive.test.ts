import { ruleTester } from "../rule-tester.js";

ruleTester("invalid-disable-directive", {
  valid: [
    { name: "directives naming real rules, with a reason", code: `# caffe2torch-disable bn-without-scale, legacy-format -- old net\nname: "n"\n` },
    { name: "a directive for every rule", code: `# caffe2torch-disable-next-line\nname: "n"\n` },
    { name: "ordinary comments", code: `# caffe2torch is great\nname: "n"\n` },
  ],
  invalid: [
    {
      name: "an unknown rule id",
      code: `name: "n"\n  # caffe2torch-disable-next-line bn-nope\nlayer { name: "a" }\n`,
      errors: [{ messageId: "unknownRule", line: 2, column: 35, data: { rule: "bn-nope" } }],
    },
    {
      name: "an attempt to silence syntax",
      code: `# caffe2torch-disable syntax\nname: "n"\n`,
      errors: [{ messageId: "syntax", line: 1, column: 23 }],
    },
  ],
});
