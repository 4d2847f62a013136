import { describe, expect, it } from "vitest";
import { checkRuleLevel, findConfigFile, parseConfig } from "../../src/lint/config.js";
import { parseDirectives } from "../../src/lint/directives.js";
import { RULES } from "../../src/lint/rules/index.js";
import { readNet } from "../../src/schema/read.js";

const ids = new Set(RULES.keys());

describe("parseConfig", () => {
  it("reads rule levels and the phase", () => {
    expect(parseConfig(`{"phase": "test", "rules": {"bn-frozen-in-train": "off", "bn-without-scale": "error"}}`, ids)).toEqual({
      config: { phase: "test", rules: { "bn-frozen-in-train": "off", "bn-without-scale": "error" } },
    });
  });

  it.each([
    [`{"rules": `, "invalid-json"],
    [`[]`, "not-an-object"],
    [`{"rule": {}}`, "unknown-key"],
    [`{"rules": {"no-such-rule": "off"}}`, "unknown-rule"],
    [`{"rules": {"bn-without-scale": "warn"}}`, "invalid-level"],
    [`{"rules": {"bn-without-scale": 1}}`, "invalid-level"],
    [`{"phase": "deploy"}`, "invalid-phase"],
    [`{"rules": {"syntax": "off"}}`, "syntax-not-configurable"],
  ])("refuses %s (%s)", (text, code) => {
    const result = parseConfig(text, ids);
    expect("problem" in result && result.problem.code).toBe(code);
  });

  it("accepts --rule style settings through the same check", () => {
    expect(checkRuleLevel("legacy-format", "warning", ids)).toBeUndefined();
    expect(checkRuleLevel("syntax", "error", ids)).toBeUndefined();
  });
});

describe("findConfigFile", () => {
  const files: Record<string, string> = { "/repo/.caffe2torchrc.json": "root", "/repo/models/a/.caffe2torchrc.json": "a" };
  const read = (path: string): string | undefined => files[path];

  it("takes the nearest config upward from the file", () => {
    expect(findConfigFile("/repo/models/a/net.prototxt", read)).toEqual({ path: "/repo/models/a/.caffe2torchrc.json", text: "a" });
    expect(findConfigFile("/repo/models/b/c/net.prototxt", read)).toEqual({ path: "/repo/.caffe2torchrc.json", text: "root" });
  });

  it("finds nothing when no directory up to the root has one", () => {
    expect(findConfigFile("/elsewhere/net.prototxt", read)).toBeUndefined();
  });
});

describe("parseDirectives", () => {
  it("reads kind, line and rule ids with their ranges, ignoring the reason", () => {
    const text = `name: "n"\n# caffe2torch-disable-next-line a-rule,b-rule -- why\n#caffe2torch-disable\n# caffe2torch-disabled x\n`;
    const read = readNet(text);
    const directives = parseDirectives(text, read.comments, read.lines);
    expect(directives.map((d) => ({ kind: d.kind, line: d.line, rules: d.rules.map((r) => `${r.id}@${r.range.offset}`) }))).toEqual([
      { kind: "disable-next-line", line: 2, rules: ["a-rule@42", "b-rule@49"] },
      { kind: "disable", line: 3, rules: [] },
    ]);
  });
});
