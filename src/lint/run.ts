import type { Severity } from "../diagnostics/diagnostic.js";
import type { LineIndex, Range } from "../diagnostics/range.js";
import { readNet, type ReadResult } from "../schema/read.js";
import { readSolver, textKind } from "../schema/read-solver.js";
import { solverProblems } from "../solver/checks.js";
import { solverSettings } from "../solver/settings.js";
import { analyzePhases } from "./analysis.js";
import { isSuppressed, parseDirectives } from "./directives.js";
import { applyEdits, selectFixes } from "./edits.js";
import { FixBuilder } from "./fix-builder.js";
import { isSyntaxError } from "./reader-codes.js";
import type { Finding } from "./results.js";
import type { LintPhase, Report, Rule, RuleLevel } from "./rule.js";
import { RULES } from "./rules/index.js";

/** Which phases to instantiate the net in. */
export type PhaseOption = LintPhase | "both";

/** How to lint one text. */
export interface LintOptions {
  /** Default `both`. */
  phase?: PhaseOption;
  /** Configured levels by rule id; a rule not listed runs at its default severity. */
  levels?: Readonly<Record<string, RuleLevel>>;
  /** The rules to run (default: the registry). */
  rules?: ReadonlyMap<string, Rule>;
  /** The file's path (solvers resolve their net paths from it); null or absent for standard input. */
  file?: string | null;
  /** The working directory (solver net paths are also looked up from it, as Caffe does). */
  cwd?: string;
  /** Whether a path exists; without it, solver net paths are not checked. */
  exists?: (path: string) => boolean;
}

/** The findings of one text. */
export interface LintTextResult {
  findings: Finding[];
  /** False when the text does not parse: only reader rules ran, and it must never be written. */
  parsed: boolean;
  /** The text's line index, which positioned the findings. */
  lines: LineIndex;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** How many fix passes at most: each pass re-lints the fixed text; real fixes settle in one or two. */
const MAX_FIX_PASSES = 10;

interface Pending {
  rule: Rule;
  order: number;
  report: Report;
  /** Phases the report was met in; null for file and reader rules. */
  phases: Set<LintPhase> | null;
}

/**
 * Lints one prototxt text. Reader rules always run; file and phase rules only when the text
 * parses. Phase rules run once per phase; a finding met in every linted phase carries no phase,
 * one met in only one phase names it. Suppression comments then drop what they name.
 */
export function lintText(text: string, options: LintOptions = {}): LintTextResult {
  if (textKind(text) === "solver") return lintSolverText(text, options);
  const rules = options.rules ?? RULES;
  const levels = options.levels ?? {};
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const parsed = !read.diagnostics.some(isSyntaxError);
  const level = (rule: Rule): RuleLevel => levels[rule.meta.id] ?? rule.meta.defaultSeverity;
  const enabled = [...rules.values()].filter((rule) => level(rule) !== "off");
  const fixes = new FixBuilder(text, read.sourceMap);
  // Directives may name any registered rule, even when only some rules run (tests, --rule).
  const ruleIds = new Set([...RULES.keys(), ...rules.keys()]);
  const pending: Pending[] = [];

  enabled.forEach((rule, order) => {
    if (rule.scope === "phase" || rule.scope === "solver" || (rule.scope === "file" && !parsed)) return;
    rule.check({ text, read, fixes, ruleIds, report: (report) => pending.push({ rule, order, report, phases: null }) });
  });

  const requested: LintPhase[] = options.phase === "train" ? ["train"] : options.phase === "test" ? ["test"] : ["train", "test"];
  const phaseRules = enabled.map((rule, order) => ({ rule, order })).filter(({ rule }) => rule.scope === "phase");
  let phaseCount = requested.length;
  if (parsed && phaseRules.length > 0) {
    // Phases the net cannot run in (nothing feeds it) are skipped, unless it runs in none of them.
    const all = analyzePhases(read, requested);
    const runnable = all.filter((a) => a.runnable);
    const analyses = runnable.length > 0 ? runnable : all;
    phaseCount = analyses.length;
    const byKey = new Map<string, Pending>();
    for (const analysis of analyses) {
      const phase = analysis.phase;
      for (const { rule, order } of phaseRules) {
        const context = { text, read, fixes, ruleIds, phase, analysis, report: (report: Report) => merge(byKey, rule, order, report, phase) };
        if (rule.scope === "phase") rule.check(context);
      }
    }
    pending.push(...byKey.values());
  }

  return { findings: collect(text, read, pending, level, phaseCount), parsed, lines: read.lines };
}

/**
 * Lints a solver file: reader rules on its reading (syntax, unknown fields, directives), then the
 * solver rules; the net rules have nothing to look at.
 */
function lintSolverText(text: string, options: LintOptions): LintTextResult {
  const rules = options.rules ?? RULES;
  const levels = options.levels ?? {};
  const solver = readSolver(text, { allowUnknown: true, upgrade: true });
  // Reader rules read a ReadResult: the solver's reading, in that shape.
  const read: ReadResult = { net: solver.solver, diagnostics: solver.diagnostics, sourceMap: solver.sourceMap, lines: solver.lines, comments: solver.comments, text, format: "empty" };
  const parsed = !read.diagnostics.some(isSyntaxError);
  const level = (rule: Rule): RuleLevel => levels[rule.meta.id] ?? rule.meta.defaultSeverity;
  const fixes = new FixBuilder(text, read.sourceMap);
  const ruleIds = new Set([...RULES.keys(), ...rules.keys()]);
  const settings = solverSettings(solver.solver);
  const problems = parsed ? solverProblems(solver.solver, settings, solver.sourceMap) : [];
  const pending: Pending[] = [];
  [...rules.values()].forEach((rule, order) => {
    if (level(rule) === "off") return;
    const report = (r: Report): void => void pending.push({ rule, order, report: r, phases: null });
    if (rule.scope === "reader") rule.check({ text, read, fixes, ruleIds, report });
    else if (rule.scope === "solver" && parsed) {
      rule.check({ text, read, fixes, ruleIds, report, solver, settings, problems, file: options.file ?? null, cwd: options.cwd ?? ".", exists: options.exists });
    }
  });
  return { findings: collect(text, read, pending, level, 1), parsed, lines: read.lines };
}

/** Findings from the reports: suppression comments applied, in file order. */
function collect(text: string, read: ReadResult, pending: Pending[], level: (rule: Rule) => RuleLevel, phaseCount: number): Finding[] {
  const directives = parseDirectives(text, read.comments, read.lines);
  const findings: Finding[] = [];
  for (const p of pending) {
    const finding = toFinding(p, level(p.rule) as Severity, read, phaseCount);
    if (p.rule.meta.id !== "syntax" && isSuppressed(directives, finding.ruleId, finding.line)) continue;
    findings.push(finding);
  }
  const orderOf = new Map(pending.map((p) => [p.rule.meta.id, p.order]));
  findings.sort((a, b) => a.range.offset - b.range.offset || orderOf.get(a.ruleId)! - orderOf.get(b.ruleId)! || a.line - b.line);
  return findings;
}

function merge(byKey: Map<string, Pending>, rule: Rule, order: number, report: Report, phase: LintPhase): void {
  const r = report.range;
  const key = `${rule.meta.id}\u0000${report.messageId}\u0000${r?.offset ?? -1}:${r?.length ?? 0}\u0000${JSON.stringify(report.data ?? {})}`;
  const seen = byKey.get(key);
  if (seen) seen.phases!.add(phase);
  else byKey.set(key, { rule, order, report, phases: new Set([phase]) });
}

function toFinding(p: Pending, level: Severity, read: ReadResult, phaseCount: number): Finding {
  const range: Range = p.report.range ?? { offset: 0, length: 0 };
  const start = read.lines.position(range.offset);
  const end = read.lines.position(range.offset + range.length);
  const severity = p.report.severity && RANK[p.report.severity] < RANK[level] ? p.report.severity : level;
  let phase: LintPhase | null = p.report.phase ?? null;
  if (!phase && p.phases && p.phases.size < phaseCount) phase = [...p.phases][0]!;
  const finding: Finding = {
    ruleId: p.rule.meta.id,
    severity,
    messageId: p.report.messageId,
    data: p.report.data ?? {},
    range,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    phase,
  };
  if (p.report.fix && p.report.fix.length > 0) finding.fix = p.report.fix;
  return finding;
}

/** The outcome of fixing one text. */
export interface FixResult {
  /** The fixed text (the input itself when nothing was fixable or it does not parse). */
  output: string;
  /** The findings of `output`. */
  result: LintTextResult;
  /** Number of fixes applied over all passes. */
  fixed: number;
}

/**
 * Applies fixes until none is left (as ESLint's fix loop): each pass lints the current text and
 * applies the fixes that do not overlap, so a second run changes nothing. A text that does not
 * parse is returned unchanged, and a pass whose result would not parse is discarded.
 */
export function fixText(text: string, options: LintOptions = {}): FixResult {
  let current = text;
  let result = lintText(current, options);
  let fixed = 0;
  for (let pass = 0; pass < MAX_FIX_PASSES && result.parsed; pass++) {
    const groups = result.findings.flatMap((f) => (f.fix ? [f.fix] : []));
    if (groups.length === 0) break;
    const { edits, skipped } = selectFixes(groups);
    const next = applyEdits(current, edits);
    if (next === current) break;
    const nextResult = lintText(next, options);
    if (!nextResult.parsed) break;
    fixed += groups.length - skipped;
    current = next;
    result = nextResult;
  }
  return { output: current, result, fixed };
}

