/**
 * Our own lint fixtures (fixtures/lint): each NAME.prototxt has NAME.expected.json beside it
 * (`findings` as "line:col severity rule [phase]") and, when fixes apply, NAME.fixed.prototxt
 * with the exact text `--fix` must produce. Regenerate expectations with UPDATE_EXPECTATIONS=1.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixText, lintText } from "../../src/lint/run.js";

const dir = new URL("../../fixtures/lint/", import.meta.url);
const update = process.env["UPDATE_EXPECTATIONS"] === "1";
const names = readdirSync(dir)
  .filter((f) => f.endsWith(".prototxt") && !f.endsWith(".fixed.prototxt"))
  .map((f) => f.slice(0, -".prototxt".length))
  .sort();

describe("lint fixtures", () => {
  it.each(names)("%s: findings as expected", (name) => {
    const text = readFileSync(new URL(`${name}.prototxt`, dir), "utf8");
    const findings = lintText(text).findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.ruleId}${f.phase ? ` [${f.phase}]` : ""}`);
    const file = new URL(`${name}.expected.json`, dir);
    if (update) writeFileSync(file, `${JSON.stringify({ findings }, null, 2)}\n`);
    expect(findings).toEqual(JSON.parse(readFileSync(file, "utf8")).findings);
  });

  it.each(names)("%s: --fix gives the .fixed.prototxt (or changes nothing)", (name) => {
    const text = readFileSync(new URL(`${name}.prototxt`, dir), "utf8");
    const fixedFile = new URL(`${name}.fixed.prototxt`, dir);
    const { output } = fixText(text);
    expect(output).toBe(existsSync(fixedFile) ? readFileSync(fixedFile, "utf8") : text);
    expect(fixText(output).output).toBe(output);
  });
});
