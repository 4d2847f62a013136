/**
 * An ESLint-RuleTester-like helper: each rule lists valid and invalid prototxt snippets; invalid
 * ones pin every finding (message id, line, column, optionally phase, severity and data) and, for
 * fixable rules, the text after `--fix`. Only the rule under test runs (plus `syntax`, so a snippet
 * that does not parse fails loudly instead of passing as "valid").
 */
import { describe, expect, it } from "vitest";
import type { Severity } from "../../src/diagnostics/diagnostic.js";
import { messageText } from "../../src/lint/messages.js";
import { RULE_METAS, RULES } from "../../src/lint/rules/index.js";
import type { LintPhase, MessageData, Rule } from "../../src/lint/rule.js";
import { fixText, lintText, type LintOptions, type PhaseOption } from "../../src/lint/run.js";

/** Options besides the phase (a solver's file path, working directory and file lookup). */
type MoreOptions = Pick<LintOptions, "file" | "cwd" | "exists">;

export interface ValidCase {
  name: string;
  code: string;
  phase?: PhaseOption;
  options?: MoreOptions;
}

export interface ExpectedFinding {
  messageId: string;
  line: number;
  column: number;
  /** Checked when given (null: phase-independent). */
  phase?: LintPhase | null;
  severity?: Severity;
  /** Checked key by key when given. */
  data?: Partial<MessageData>;
}

export interface InvalidCase {
  name: string;
  code: string;
  phase?: PhaseOption;
  options?: MoreOptions;
  errors: ExpectedFinding[];
  /** The text after fixing; omit for rules that are not fixable (the text must then stay as is). */
  output?: string;
}

/** Runs the cases of rule `id` as vitest tests. */
export function ruleTester(id: string, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  const rule = RULES.get(id);
  if (!rule) throw new Error(`no rule ${id}`);
  const only = new Map<string, Rule>([[id, rule]]);
  if (id !== "syntax") only.set("syntax", RULES.get("syntax")!);

  describe(id, () => {
    for (const c of cases.valid) {
      it(`accepts ${c.name}`, () => {
        const result = lintText(c.code, { rules: only, phase: c.phase, ...c.options });
        expect(result.findings.map((f) => `${f.ruleId} ${f.line}:${f.column} ${messageText(f, RULE_METAS)}`)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`reports ${c.name}`, () => {
        const result = lintText(c.code, { rules: only, phase: c.phase, ...c.options });
        const syntaxErrors = id === "syntax" ? [] : result.findings.filter((f) => f.ruleId === "syntax");
        expect(syntaxErrors.map((f) => `${f.line}:${f.column} ${messageText(f, RULE_METAS)}`)).toEqual([]);
        const actual = result.findings.map((f) => {
          const e = c.errors[result.findings.indexOf(f)];
          const got: Record<string, unknown> = { messageId: f.messageId, line: f.line, column: f.column };
          if (e?.phase !== undefined) got["phase"] = f.phase;
          if (e?.severity !== undefined) got["severity"] = f.severity;
          if (e?.data !== undefined) got["data"] = Object.fromEntries(Object.keys(e.data).map((k) => [k, f.data[k]]));
          return got;
        });
        expect(actual).toEqual(c.errors);
        // Every placeholder of every message has a value.
        for (const f of result.findings) {
          const template = rule.meta.messages[f.messageId] ?? RULES.get(f.ruleId)!.meta.messages[f.messageId]!;
          const keys = [...template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!);
          expect(keys.filter((k) => f.data[k] === undefined || f.data[k] === null), template).toEqual([]);
        }

        const fixed = fixText(c.code, { rules: only, phase: c.phase, ...c.options });
        if (c.output === undefined) {
          expect(fixed.output).toBe(c.code);
          expect(result.findings.some((f) => f.fix)).toBe(false);
          return;
        }
        expect(rule.meta.fixable).toBe(true);
        expect(fixed.output).toBe(c.output);
        expect(fixed.result.findings.filter((f) => f.ruleId === id && f.fix)).toEqual([]);
        // A second fix pass changes nothing.
        expect(fixText(fixed.output, { rules: only, phase: c.phase, ...c.options }).output).toBe(fixed.output);
      });
    }
  });
}
