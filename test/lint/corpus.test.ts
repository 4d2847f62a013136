/**
 * Lints every prototxt of the shared corpus (read in place from ../shared/corpus, never copied)
 * and compares the findings with the reviewed expectation file corpus-findings.json. Regenerate it
 * with `UPDATE_EXPECTATIONS=1 npx vitest run test/lint/corpus.test.ts` and review the diff against
 * the corpus MANIFEST.tsv notes before committing.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixText, lintText } from "../../src/lint/run.js";

const corpus = new URL("../../../shared/corpus/", import.meta.url);
const expectationsFile = new URL("corpus-findings.json", import.meta.url);
const update = process.env["UPDATE_EXPECTATIONS"] === "1";
const files = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith(".prototxt")).sort() : [];
const expected: Record<string, string[]> = existsSync(expectationsFile) ? JSON.parse(readFileSync(expectationsFile, "utf8")) : {};
const actual: Record<string, string[]> = {};

describe.skipIf(files.length === 0)("lint over the corpus", () => {
  it.each(files)("%s: lints without crashing, findings as reviewed", (file) => {
    const text = readFileSync(new URL(file, corpus), "utf8");
    const { findings } = lintText(text);
    actual[file] = findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.ruleId}${f.phase ? ` [${f.phase}]` : ""}`);
    if (!update) expect(actual[file]).toEqual(expected[file]);
  });

  it.each(files)("%s: --fix keeps it parsing and a second pass changes nothing", (file) => {
    const text = readFileSync(new URL(file, corpus), "utf8");
    const once = fixText(text);
    expect(once.result.parsed).toBe(lintText(text).parsed);
    expect(fixText(once.output).output).toBe(once.output);
  });

  it("has an expectation for exactly the corpus files", () => {
    if (update) {
      writeFileSync(expectationsFile, `${JSON.stringify(actual, null, 1)}\n`);
      return;
    }
    expect(Object.keys(expected).sort()).toEqual(files);
  });
});
