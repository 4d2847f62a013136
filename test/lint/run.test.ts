import { describe, expect, it } from "vitest";
import { fixText, lintText } from "../../src/lint/run.js";

const trainVal = `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 } } include { phase: TRAIN } }
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 } } include { phase: TEST } }
layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" batch_norm_param { use_global_stats: false } }
layer { name: "relu" type: "ReLU" bottom: "data" top: "data" }
`;

const rules = (text: string, options = {}): string[] => lintText(text, options).findings.map((f) => `${f.ruleId}@${f.line}:${f.column}${f.phase ? `[${f.phase}]` : ""}:${f.severity}`);

describe("lintText", () => {
  it("marks findings met in every linted phase as phase-independent and the others with their phase", () => {
    expect(rules(trainVal)).toEqual(["bn-without-scale@3:1:warning", "bn-batch-stats-at-test@3:84[test]:error"]);
  });

  it("lints only the phase asked for", () => {
    expect(rules(trainVal, { phase: "train" })).toEqual(["bn-without-scale@3:1:warning"]);
  });

  it("applies configured levels, and 'off' drops a rule", () => {
    expect(rules(trainVal, { levels: { "bn-without-scale": "off", "bn-batch-stats-at-test": "warning" } })).toEqual([
      "bn-batch-stats-at-test@3:84[test]:warning",
    ]);
  });

  it("keeps a report's milder severity under the configured level", () => {
    const text = `layer { name: "bn" type: "BatchNorm" batch_norm_param { moving_average_fraction: 1 } }\n`;
    expect(rules(text)).toContain("bn-maf-range@1:57:info");
    expect(rules(text, { levels: { "bn-maf-range": "warning" } })).toContain("bn-maf-range@1:57:info");
  });

  it("runs only reader rules on a file that does not parse", () => {
    const result = lintText(`layer { name: "bn" type: "BatchNorm" zzz: 1 batch_norm_param { eps: 1e-9 }\n`);
    expect(result.parsed).toBe(false);
    expect(result.findings.map((f) => f.ruleId)).toEqual(["syntax", "unknown-field"]);
  });

  it("suppresses the next line with disable-next-line, one rule or a list", () => {
    const text = `# caffe2torch-disable-next-line bn-without-scale, unknown-field
layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" zzz: 1 }
layer { name: "bn2" type: "BatchNorm" bottom: "bn" top: "bn2" }
input: "data"
input_shape { dim: 1 dim: 2 }
`;
    expect(rules(text)).toEqual(["bn-without-scale@3:1:warning"]);
  });

  it("suppresses a rule in the whole file with disable, and every rule without ids", () => {
    const body = `input: "data"\ninput_shape { dim: 1 dim: 2 }\nlayer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" zzz: 1 }\n`;
    expect(rules(`${body}# caffe2torch-disable bn-without-scale -- legacy net\n`)).toEqual(["unknown-field@3:63:warning"]);
    expect(rules(`# caffe2torch-disable\n${body}`)).toEqual([]);
  });

  it("never suppresses syntax errors", () => {
    const found = rules(`# caffe2torch-disable\nlayer {\n`);
    expect(found).toEqual(["syntax@2:7:error"]);
  });

  it("reports a file-level finding at 1:1 when a rule gives no range", () => {
    const result = lintText(`layers { name: "relu" type: RELU }\n`);
    expect(result.findings[0]).toMatchObject({ ruleId: "legacy-format", line: 1, column: 1 });
  });
});

describe("fixText", () => {
  const bn = `layer {\n  name: "bn"\n  type: "BatchNorm"\n  param { lr_mult: 1 }\n  param { decay_mult: 0 } # stats\n}\n`;

  it("applies every fix and re-lints the result", () => {
    const fixed = fixText(bn);
    expect(fixed.output).toBe(`layer {\n  name: "bn"\n  type: "BatchNorm"\n  param { lr_mult: 0 }\n  param { lr_mult: 0 decay_mult: 0 } # stats\n}\n`);
    expect(fixed.fixed).toBe(2);
    expect(fixed.result.findings.filter((f) => f.ruleId === "bn-stats-lr-mult")).toEqual([]);
  });

  it("changes nothing on a second pass", () => {
    const once = fixText(bn).output;
    const twice = fixText(once);
    expect(twice.output).toBe(once);
    expect(twice.fixed).toBe(0);
  });

  it("never touches a file that does not parse", () => {
    const broken = `${bn}layer {\n`;
    const fixed = fixText(broken);
    expect(fixed.output).toBe(broken);
    expect(fixed.result.parsed).toBe(false);
  });

  it("does not fix what a directive suppresses", () => {
    const text = `# caffe2torch-disable bn-stats-lr-mult\n${bn}`;
    expect(fixText(text).output).toBe(text);
  });
});
