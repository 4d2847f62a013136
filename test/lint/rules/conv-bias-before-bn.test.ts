import { describe, expect, it } from "vitest";
import { messageText } from "../../../src/lint/messages.js";
import { RULE_METAS } from "../../../src/lint/rules/index.js";
import { lintText } from "../../../src/lint/run.js";
import { ruleTester } from "../rule-tester.js";

const input = `input: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n`;
const conv = (param: string): string =>
  `layer {\n  name: "conv"\n  type: "Convolution"\n  bottom: "data"\n  top: "conv"\n  convolution_param { num_output: 4 kernel_size: 1${param} }\n}\n`;
const bn = `layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }\n`;

ruleTester("conv-bias-before-bn", {
  valid: [
    { name: "a convolution without bias before BatchNorm", code: `${input}${conv(" bias_term: false")}${bn}` },
    { name: "a biased convolution before a ReLU", code: `${input}${conv("")}layer { name: "r" type: "ReLU" bottom: "conv" top: "conv" }\n` },
    {
      name: "a biased convolution whose output other layers read too",
      code: `${input}${conv("")}layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "bn" }\nlayer { name: "r" type: "ReLU" bottom: "conv" top: "r" }\n`,
    },
    {
      name: "a SegNet BN in INFERENCE mode (a plain affine map, no mean)",
      code: `${input}${conv("")}layer { name: "bn" type: "BN" bottom: "conv" top: "conv" bn_param { bn_mode: INFERENCE } }\n`,
    },
  ],
  invalid: [
    {
      name: "a convolution keeping its default bias, at the layer",
      code: `${input}${conv("")}${bn}`,
      errors: [{ messageId: "redundant", line: 3, column: 1, severity: "info", phase: null, data: { type: "Convolution", layer: "conv", bn: "bn" } }],
    },
    {
      name: "bias_term: true written out, at the field, without calling it a default",
      code: `${input}${conv(" bias_term: true")}${bn}`,
      errors: [{ messageId: "redundantWritten", line: 8, column: 52 }],
    },
    {
      name: "an InnerProduct before BatchNorm",
      code: `${input}layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\nlayer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" }\n`,
      errors: [{ messageId: "redundant", line: 3, column: 1, data: { type: "InnerProduct" } }],
    },
  ],
});

describe("conv-bias-before-bn's wording", () => {
  const message = (code: string): string[] =>
    lintText(code).findings.filter((f) => f.ruleId === "conv-bias-before-bn").map((f) => messageText(f, RULE_METAS));

  it("says the bias defaults to true only when the file leaves bias_term out", () => {
    expect(message(`${input}${conv("")}${bn}`)).toEqual([expect.stringContaining("(bias_term defaults to true)")]);
  });

  it("quotes bias_term: true when the file writes it", () => {
    const [text] = message(`${input}${conv(" bias_term: true")}${bn}`);
    expect(text).toContain("learns a bias (bias_term: true) that BatchNorm 'bn' cancels");
    expect(text).not.toContain("defaults");
  });
});
