/**
 * SARIF `fixes` round-trip: a small SARIF consumer of our own (below) applies a log's
 * replacements to the original text and must get exactly what `lint --fix` writes. It reads the
 * regions as SARIF 2.1.0 defines them, not through our LineIndex: lines end at "\r\n" or "\n"
 * (the default newlineSequences), columns count UTF-16 code units (the run's columnKind), a
 * byte-order mark is no column, and charOffset/charLength must name the same span.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyEdits } from "../../src/lint/edits.js";
import { FORMATTERS, plainStyle } from "../../src/lint/formatters/index.js";
import { sarifFixes, type SarifTextRegion } from "../../src/lint/formatters/sarif-fixes.js";
import { LineIndex } from "../../src/diagnostics/range.js";
import { summarize } from "../../src/lint/results.js";
import { RULE_METAS } from "../../src/lint/rules/index.js";
import { fixText, lintText } from "../../src/lint/run.js";
import { runCli } from "../cli/run-cli.js";
import { ROOT } from "../helpers/paths.js";
import { validate } from "./sarif-schema.js";

interface Replacement {
  deletedRegion: SarifTextRegion;
  insertedContent?: { text: string };
}
interface Fix {
  description: { text: string };
  artifactChanges: { artifactLocation: { uri: string; uriBaseId?: string }; replacements: Replacement[] }[];
}
interface Log {
  runs: { columnKind: string; results: { ruleId: string; fixes?: Fix[] }[] }[];
}

/** The UTF-16 offset of a 1-based SARIF line and column (lines end at "\n", which "\r\n" ends with). */
function offsetOf(text: string, line: number, column: number): number {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let l = 1; l < line; l++) {
    const lf = text.indexOf("\n", start);
    if (lf < 0) throw new Error(`line ${line} is past the end`);
    start = lf + 1;
  }
  return start + column - 1;
}

/** Spans `[from, to)` with their new text: by line/column, checked against charOffset/charLength. */
function spans(text: string, replacements: readonly Replacement[]): { from: number; to: number; text: string }[] {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return replacements.map(({ deletedRegion: r, insertedContent }) => {
    const from = offsetOf(text, r.startLine, r.startColumn);
    const to = offsetOf(text, r.endLine, r.endColumn);
    expect({ from, to }).toEqual({ from: bom + r.charOffset, to: bom + r.charOffset + r.charLength });
    return { from, to, text: insertedContent?.text ?? "" };
  });
}

/** Applies every fix of every result for `uri` to `text` (the fixes must not overlap). */
function applySarif(text: string, log: Log, uri: string): string {
  const run = log.runs[0]!;
  expect(run.columnKind).toBe("utf16CodeUnits");
  const replacements = run.results
    .flatMap((r) => r.fixes ?? [])
    .flatMap((f) => f.artifactChanges)
    .filter((c) => c.artifactLocation.uri === uri)
    .flatMap((c) => c.replacements);
  const all = spans(text, replacements).sort((a, b) => b.from - a.from);
  let out = text;
  all.forEach((s, i) => {
    if (i > 0) expect(s.to).toBeLessThanOrEqual(all[i - 1]!.from);
    out = out.slice(0, s.from) + s.text + out.slice(s.to);
  });
  return out;
}

const context = { style: plainStyle, rules: RULE_METAS, version: "0.1.0", projectUrl: "https://example.org/c2t" };

/** The SARIF log of one text, formatted in-process. */
function sarifOf(file: string, source: string): Log {
  const { findings, parsed } = lintText(source);
  return JSON.parse(FORMATTERS.get("sarif")!(summarize([{ file, source, findings, parsed, fixed: 0 }]), context)) as Log;
}

const FIXTURES = join(ROOT, "fixtures", "lint");
const withFixed = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".fixed.prototxt"))
  .map((f) => f.slice(0, -".fixed.prototxt".length));

describe("SARIF fixes", () => {
  it("there are fixtures with a .fixed.prototxt to round-trip", () => {
    expect(withFixed.length).toBeGreaterThanOrEqual(2);
  });

  it.each(withFixed)("%s: applying the CLI log's replacements to the original gives exactly the file lint --fix writes", (name) => {
    const original = join(FIXTURES, `${name}.prototxt`);
    const log = JSON.parse(runCli(["lint", "--format", "sarif", `fixtures/lint/${name}.prototxt`]).stdout) as Log;
    expect(validate(log)).toEqual([]);
    const copy = join(mkdtempSync(join(tmpdir(), "caffe2torch-sarif-fix-")), `${name}.prototxt`);
    copyFileSync(original, copy);
    runCli(["lint", "--fix", copy]);
    const written = readFileSync(copy, "utf8");
    expect(written).not.toBe(readFileSync(original, "utf8"));
    expect(written).toBe(readFileSync(join(FIXTURES, `${name}.fixed.prototxt`), "utf8"));
    expect(applySarif(readFileSync(original, "utf8"), log, `fixtures/lint/${name}.prototxt`)).toBe(written);
  });

  it("counts columns in UTF-16 code units after astral characters and tabs, in a CRLF file with a byte-order mark", () => {
    const source =
      "\ufeff# 😀 net\r\nlayer {\r\n\tname: \"bn😀\" type: \"BatchNorm\" bottom: \"d\" top: \"d\" param { lr_mult: 1 } param { decay_mult: 0 }\r\n}\r\n";
    const log = sarifOf("bom.prototxt", source);
    expect(validate(log)).toEqual([]);
    const regions = log.runs[0]!.results.flatMap((r) => r.fixes ?? []).map((f) => f.artifactChanges[0]!.replacements[0]!.deletedRegion);
    // The `1` of lr_mult on line 3 is its 71st UTF-16 code unit (the emoji takes two; 70th code point).
    expect(regions).toContainEqual({ startLine: 3, startColumn: 71, endLine: 3, endColumn: 72, charOffset: source.indexOf("1 }") - 1, charLength: 1 });
    expect(applySarif(source, log, "bom.prototxt")).toBe(fixText(source).output);
  });

  it("describes each fix in words from the rule's fixMessages", () => {
    const log = sarifOf("f.prototxt", readFileSync(join(FIXTURES, "train-val-mistakes.prototxt"), "utf8"));
    const descriptions = log.runs[0]!.results.flatMap((r) => r.fixes ?? []).map((f) => f.description.text);
    expect(descriptions.length).toBeGreaterThan(0);
    for (const d of descriptions) expect(d).toMatch(/^(Set lr_mult of param \d+|Add lr_mult: 0 to param \d+) of BatchNorm '[^']+'( to 0)?\.$/);
  });

  it("gives results without a fix no fixes, and keeps the json format free of fixes", () => {
    const log = sarifOf("f.prototxt", readFileSync(join(FIXTURES, "train-val-mistakes.prototxt"), "utf8"));
    const lint = lintText(readFileSync(join(FIXTURES, "train-val-mistakes.prototxt"), "utf8"));
    expect(log.runs[0]!.results.map((r) => r.fixes !== undefined)).toEqual(lint.findings.map((f) => f.fix !== undefined));
    const json = runCli(["lint", "--format", "json", "fixtures/lint/train-val-mistakes.prototxt"]).stdout;
    expect(Object.keys(JSON.parse(json).files[0].diagnostics[0]).sort()).toEqual(["column", "line", "message", "phase", "rule", "severity"]);
  });

  it("lists a fix's replacements from the end backwards, so applying them in order or all on the original agree; deletions insert nothing", () => {
    const text = "ab\ncd\r\nef\n";
    const edits = [
      { offset: 1, length: 1, content: "B" },
      { offset: 3, length: 3, content: "" },
      { offset: 8, length: 0, content: "X\n" },
    ];
    const finding = { ruleId: "bn-stats-lr-mult", severity: "error", messageId: "missing", data: { layer: "b", index: 1 }, range: { offset: 0, length: 0 }, line: 1, column: 1, endLine: 1, endColumn: 1, phase: null, fix: edits } as const;
    const [fix] = sarifFixes({ ...finding, fix: [...edits] }, new LineIndex(text), { uri: "x" }, RULE_METAS) as Fix[];
    const replacements = fix!.artifactChanges[0]!.replacements;
    expect(replacements.map((r) => r.deletedRegion.charOffset)).toEqual([8, 3, 1]);
    expect(replacements[1]).toEqual({ deletedRegion: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 4, charOffset: 3, charLength: 3 } });
    expect(replacements[0]!.deletedRegion).toMatchObject({ startLine: 3, startColumn: 2, endLine: 3, endColumn: 2 });
    // In the listed order, each region read on the text as the replacements before it left it:
    let sequential = text;
    for (const s of spans(text, replacements)) sequential = sequential.slice(0, s.from) + s.text + sequential.slice(s.to);
    expect(sequential).toBe(applyEdits(text, edits));
    expect(fix!.description.text).toBe("Add lr_mult: 0 to param 1 of BatchNorm 'b'.");
  });

  it("the consumer above can fail: a region one column off does not give lint --fix's text", () => {
    const source = readFileSync(join(FIXTURES, "crlf-tabs.prototxt"), "utf8");
    const log = sarifOf("c.prototxt", source);
    expect(applySarif(source, log, "c.prototxt")).toBe(fixText(source).output);
    const shifted = structuredClone(log);
    const region = shifted.runs[0]!.results.flatMap((r) => r.fixes ?? [])[0]!.artifactChanges[0]!.replacements[0]!.deletedRegion;
    region.startColumn += 1;
    region.endColumn += 1;
    expect(() => applySarif(source, shifted, "c.prototxt")).toThrow();
    region.charOffset += 1;
    expect(applySarif(source, shifted, "c.prototxt")).not.toBe(fixText(source).output);
    expect(existsSync(join(FIXTURES, "crlf-tabs.fixed.prototxt"))).toBe(true);
  });
});
