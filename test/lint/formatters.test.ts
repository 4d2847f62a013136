import { describe, expect, it } from "vitest";
import { FORMATTERS, plainStyle, type FormatContext } from "../../src/lint/formatters/index.js";
import { escapeData, escapeProperty } from "../../src/lint/formatters/github.js";
import { visible } from "../../src/diagnostics/visible.js";
import { artifactLocation } from "../../src/lint/formatters/sarif.js";
import { summarize, type FileResult, type LintResults } from "../../src/lint/results.js";
import { RULE_METAS } from "../../src/lint/rules/index.js";
import { lintText } from "../../src/lint/run.js";
import { validate } from "./sarif-schema.js";

const context: FormatContext = { style: plainStyle, rules: RULE_METAS, version: "0.1.0", projectUrl: "https://example.org/c2t" };

const netText = `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 } } include { phase: TRAIN } }
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 } } include { phase: TEST } }
layer {
  name: "bn"
  type: "BatchNorm"
  bottom: "data"
  top: "data"
  param { lr_mult: 1 }
  batch_norm_param { use_global_stats: false }
}
`;

function results(files: Record<string, string>): LintResults {
  const list: FileResult[] = Object.entries(files).map(([file, source]) => {
    const { findings, parsed } = lintText(source);
    return { file, source, findings, parsed, fixed: 0 };
  });
  return summarize(list);
}

const sample = results({ "models/net one.prototxt": netText, "clean.prototxt": `name: "ok"\n` });
const format = (name: "text" | "json" | "sarif" | "github", r = sample): string => FORMATTERS.get(name)!(r, context);

describe("text formatter", () => {
  it("groups findings by file with a code frame, phase, rule id and a summary", () => {
    expect(format("text")).toBe(`models/net one.prototxt
  3:1     warning  BatchNorm 'bn' is not followed by a Scale (its output is not read by any layer): no learnable gamma/beta (affine=False).  bn-without-scale
      3 | layer {
        | ^^^^^
  8:11    error    BatchNorm 'bn': param 1 has lr_mult 1; Caffe aborts unless the statistics have lr_mult 0.  bn-stats-lr-mult
      8 |   param { lr_mult: 1 }
        |           ^^^^^^^^^^
  9:22    error    BatchNorm 'bn' sets use_global_stats: false and is active in TEST, so inference normalises with each batch's own statistics. [test]  bn-batch-stats-at-test
      9 |   batch_norm_param { use_global_stats: false }
        |                      ^^^^^^^^^^^^^^^^^^^^^^^

✖ 3 problems (2 errors, 1 warning, 0 info)
  1 problem fixable with the \`--fix\` option.
`);
  });

  it("prints nothing when there is nothing to report", () => {
    expect(format("text", results({ "a.prototxt": `name: "ok"\n` }))).toBe("");
  });

  it("colours through the style it is given", () => {
    const marked = FORMATTERS.get("text")!(sample, { ...context, style: { ...plainStyle, error: (s) => `<e>${s}</e>` } });
    expect(marked).toContain("<e>error    </e>");
  });

  it("shows control characters from names and source lines as symbols, one for one, so the caret stays aligned", () => {
    expect(visible("a\u001b[31mb\nc\td\u007f\u0085\u202e")).toBe("a\u241b[31mb\u240ac\td\u2421\ufffd\ufffd");
    const text = `layer {\n  name: "x\u001b[2J"\n  type: "BatchNorm"\n  bottom: "d"\n  top: "d"\n  param { lr_mult: 1 }\n}\n`;
    const out = format("text", results({ "esc.prototxt": text }));
    expect(out).not.toMatch(/\u001b/);
    expect(out).toContain("BatchNorm 'x\u241b[2J'");
  });
});

describe("json formatter", () => {
  it("keeps the documented shape: files, diagnostics {rule, severity, line, column, message, phase}, counts", () => {
    const json = JSON.parse(format("json"));
    expect(Object.keys(json)).toEqual(["files", "errorCount", "warningCount", "infoCount"]);
    expect(json.files.map((f: { file: string }) => f.file)).toEqual(["models/net one.prototxt", "clean.prototxt"]);
    expect(json.files[0].diagnostics[2]).toEqual({
      rule: "bn-batch-stats-at-test",
      severity: "error",
      line: 9,
      column: 22,
      message: "BatchNorm 'bn' sets use_global_stats: false and is active in TEST, so inference normalises with each batch's own statistics.",
      phase: "test",
    });
    expect(json.files[0].diagnostics[0].phase).toBeNull();
    expect(json.files[1].diagnostics).toEqual([]);
    expect([json.errorCount, json.warningCount, json.infoCount]).toEqual([2, 1, 0]);
  });
});

describe("github formatter", () => {
  it("writes one workflow command per finding, notice for info", () => {
    const r = results({ "a,b.prototxt": `layers { name: "r" type: RELU }\n` });
    expect(format("github", r)).toBe(
      "::notice file=a%2Cb.prototxt,line=1,col=1,title=legacy-format::This file uses the legacy V1 'layers' format (1 layers); Caffe upgrades it on every load. 'caffe2torch encode --upgrade' converts it.\n",
    );
    expect(format("github").split("\n")[2]).toMatch(/^::error file=models\/net one\.prototxt,line=9,col=22,title=bn-batch-stats-at-test::.* \[test\]$/);
  });

  it("escapes as the Actions toolkit does", () => {
    expect(escapeData("50% a\r\nb")).toBe("50%25 a%0D%0Ab");
    expect(escapeProperty("a:b,c")).toBe("a%3Ab%2Cc");
  });
});

describe("sarif formatter", () => {
  const log = JSON.parse(format("sarif"));

  it("validates against the official SARIF 2.1.0 schema (see sarif-schema.ts)", () => {
    expect(validate(log)).toEqual([]);
  });

  it("lists every rule with what GitHub code scanning reads", () => {
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual([...RULE_METAS.keys()]);
    for (const rule of rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.helpUri).toBe(`https://example.org/c2t/blob/main/docs/rules/${rule.id}.md`);
      expect(["error", "warning", "note"]).toContain(rule.defaultConfiguration.level);
    }
  });

  it("writes results with ruleId, ruleIndex, level, message and a region", () => {
    const results = log.runs[0].results;
    expect(results).toHaveLength(3);
    const last = results[2];
    expect(last).toMatchObject({
      ruleId: "bn-batch-stats-at-test",
      level: "error",
      properties: { phase: "test" },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "models/net%20one.prototxt", uriBaseId: "%SRCROOT%" },
            region: { startLine: 9, startColumn: 22, endLine: 9, endColumn: 45 },
          },
        },
      ],
    });
    expect(log.runs[0].tool.driver.rules[last.ruleIndex].id).toBe(last.ruleId);
  });

  it("maps info findings to SARIF level note", () => {
    const r = JSON.parse(format("sarif", results({ "a.prototxt": `layers { name: "r" type: RELU }\n` })));
    expect(r.runs[0].results[0].level).toBe("note");
    expect(validate(r)).toEqual([]);
  });

  it("the validator rejects what the schema forbids", () => {
    const bad = structuredClone(log);
    bad.runs[0].results[0].level = "info";
    bad.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    delete bad.runs[0].tool.driver.name;
    expect(validate(bad).sort()).toEqual([
      "/runs/0/results/0/level: must be equal to one of the allowed values (none, note, warning, error)",
      "/runs/0/results/0/locations/0/physicalLocation/region/startLine: must be >= 1",
      "/runs/0/tool/driver: must have required property 'name'",
    ]);
  });

  it("turns paths into URIs: relative to %SRCROOT%, absolute as file://", () => {
    expect(artifactLocation("./nets/a b#1.prototxt")).toEqual({ uri: "nets/a%20b%231.prototxt", uriBaseId: "%SRCROOT%" });
    expect(artifactLocation("/tmp/x.prototxt")).toEqual({ uri: "file:///tmp/x.prototxt" });
    expect(artifactLocation("C:\\nets\\x.prototxt")).toEqual({ uri: "file:///C:/nets/x.prototxt" });
  });
});
