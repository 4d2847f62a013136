/**
 * Every SARIF log we write validates against the official SARIF 2.1.0 schema (sarif-schema.ts):
 * the CLI's output for the whole shared corpus and for our lint fixtures (findings of every
 * severity, fixable ones with their `fixes` included, before and after --fix), and logs with
 * every rule forced to each level.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FORMATTERS, plainStyle } from "../../src/lint/formatters/index.js";
import { summarize, type FileResult } from "../../src/lint/results.js";
import type { RuleLevel } from "../../src/lint/rule.js";
import { RULE_METAS } from "../../src/lint/rules/index.js";
import { lintText } from "../../src/lint/run.js";
import { runCli } from "../cli/run-cli.js";
import { CORPUS_DIR, corpusFiles, ROOT } from "../helpers/paths.js";
import { SARIF_SCHEMA_ID, sarifSchema, validate } from "./sarif-schema.js";

const FIXTURES = join(ROOT, "fixtures", "lint");
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".prototxt") && !f.endsWith(".fixed.prototxt"))
  .map((f) => join(FIXTURES, f));

type Log = { runs: { results: { level: string; ruleId: string; fixes?: { artifactChanges: { replacements: unknown[] }[] }[] }[] }[] };
const levels = (log: Log): string[] => [...new Set(log.runs[0]!.results.map((r) => r.level))].sort();

describe("SARIF output against the official SARIF 2.1.0 schema", () => {
  it("uses the OASIS schema itself: its $id, draft-07, every definition", () => {
    expect(sarifSchema.$id).toBe(SARIF_SCHEMA_ID);
    expect(sarifSchema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(Object.keys(sarifSchema.definitions)).toHaveLength(52);
    expect(Object.keys(sarifSchema.definitions)).toEqual(expect.arrayContaining(["run", "result", "fix", "reportingDescriptor"]));
  });

  it("validates the CLI's log for every corpus file, with errors, warnings and notes", () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(0);
    const r = runCli(["lint", "--format", "sarif", ...files.map((f) => join(CORPUS_DIR, f))]);
    expect(r.status).toBe(1);
    const log = JSON.parse(r.stdout) as Log;
    expect(validate(log)).toEqual([]);
    expect(log.runs[0]!.results.length).toBeGreaterThan(100);
    expect(levels(log)).toEqual(["error", "note", "warning"]);
  });

  it("validates the CLI's log for the lint fixtures, fixable findings with their fixes included", () => {
    const fixable = fixtures.flatMap((f) => lintText(readFileSync(f, "utf8")).findings.filter((x) => x.fix));
    expect(fixable.length).toBeGreaterThan(0);
    const r = runCli(["lint", "--format", "sarif", ...fixtures]);
    const log = JSON.parse(r.stdout) as Log;
    expect(validate(log)).toEqual([]);
    expect(levels(log)).toEqual(["error", "note", "warning"]);
    for (const f of fixable) expect(log.runs[0]!.results.map((x) => x.ruleId)).toContain(f.ruleId);
    const withFixes = log.runs[0]!.results.filter((x) => x.fixes);
    expect(withFixes).toHaveLength(fixable.length);
    for (const x of withFixes) expect(x.fixes![0]!.artifactChanges[0]!.replacements.length).toBeGreaterThan(0);
  });

  it("a log whose fixes have a region that breaks the schema is caught (so the check above can fail)", () => {
    const log = JSON.parse(runCli(["lint", "--format", "sarif", ...fixtures]).stdout) as Log;
    const fix = log.runs[0]!.results.find((x) => x.fixes)!.fixes![0]! as { artifactChanges: { replacements: { deletedRegion: Record<string, number> }[] }[] };
    fix.artifactChanges[0]!.replacements[0]!.deletedRegion["startColumn"] = 0;
    expect(validate(log)).toEqual([expect.stringMatching(/\/fixes\/0\/artifactChanges\/0\/replacements\/0\/deletedRegion\/startColumn: must be >= 1$/)]);
  });

  it("validates the log --fix-dry-run writes to stderr (the findings left after the fixes)", () => {
    const r = runCli(["lint", "--format", "sarif", "--fix-dry-run", ...fixtures]);
    expect(r.stdout).toContain("+++ ");
    expect(validate(JSON.parse(r.stderr))).toEqual([]);
  });

  it.each(["error", "warning", "info"] as const)("validates a log with every rule set to %s, no finding above it", (level) => {
    const all: Record<string, RuleLevel> = Object.fromEntries([...RULE_METAS.keys()].map((id) => [id, level]));
    const results: FileResult[] = fixtures.map((path) => {
      const source = readFileSync(path, "utf8");
      const { findings, parsed } = lintText(source, { levels: all });
      return { file: path.slice(ROOT.length + 1), source, findings, parsed, fixed: 0 };
    });
    const log = JSON.parse(FORMATTERS.get("sarif")!(summarize(results), { style: plainStyle, rules: RULE_METAS, version: "0.1.0", projectUrl: "https://example.org/c2t" })) as Log;
    expect(validate(log)).toEqual([]);
    // The configured level caps every finding; findings a rule reports milder (a solver's
    // deprecated solver_type, a missing gamma) keep their milder level.
    const order = ["note", "warning", "error"];
    const cap = order.indexOf(level === "info" ? "note" : level);
    expect(levels(log)).toContain(order[cap]);
    expect(levels(log).filter((l) => order.indexOf(l) > cap)).toEqual([]);
  });
});
