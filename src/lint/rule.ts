import type { Severity } from "../diagnostics/diagnostic.js";
import type { Range } from "../diagnostics/range.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ReadResult } from "../schema/read.js";
import type { SolverReadResult } from "../schema/read-solver.js";
import type { SolverSettings } from "../solver/settings.js";
import type { PhaseAnalysis } from "./analysis.js";
import type { TextEdit } from "./edits.js";
import type { FixBuilder } from "./fix-builder.js";

/** A rule's configured level: a severity, or `off`. */
export type RuleLevel = "off" | Severity;

/** The phases `lint` instantiates a net in, as Caffe's `caffe.Phase` (lower case at the edges). */
export type LintPhase = "train" | "test";

/** Values substituted into a message template (`{{name}}`). */
export type MessageData = Record<string, string | number | boolean | null>;

/** What a rule is, independent of any file (ESLint's `meta`). */
export interface RuleMeta {
  /** kebab-case; also the file name, the docs page, the test name and the SARIF ruleId. */
  id: string;
  defaultSeverity: Severity;
  /** One sentence, used as SARIF shortDescription and in `--help`. */
  description: string;
  /**
   * Repository-relative path of the docs page (`docs/rules/ID.md`). Absolute URLs (SARIF helpUri)
   * are made from it and the project URL the CLI passes to formatters (package.json "homepage").
   */
  docsPath: string;
  /** Whether some findings carry a safe text fix. */
  fixable: boolean;
  /** Message templates by message id; `{{key}}` is replaced from the report's data. */
  messages: Readonly<Record<string, string>>;
  /**
   * What the fix does, by the message id of the findings that carry one (same templates and
   * data as `messages`); SARIF's `fix.description`. Fixable rules only.
   */
  fixMessages?: Readonly<Record<string, string>>;
}

/** One finding as a rule reports it: codes and data, never rendered text. */
export interface Report {
  /** Where; absent for a finding about the whole file (reported at 1:1). */
  range?: Range | undefined;
  messageId: string;
  data?: MessageData;
  /** Edits on the original text that remove the finding. */
  fix?: TextEdit[];
  /** Set when the finding is about one phase by nature (e.g. statistics at TEST). */
  phase?: LintPhase;
  /**
   * A milder severity for this finding than the rule's (e.g. the `info` cases of an `error` rule).
   * The configured level still caps it: the finding gets the milder of the two.
   */
  severity?: Severity;
}

/** What every rule sees. */
export interface FileContext {
  readonly text: string;
  readonly read: ReadResult;
  /** Builds fix edits; parses the text into a syntax tree on first use. */
  readonly fixes: FixBuilder;
  /** Ids of every registered rule (for rules that read rule names, such as directives). */
  readonly ruleIds: ReadonlySet<string>;
  report(report: Report): void;
}

/** What a phase rule sees: the net as Caffe instantiates it in one phase. */
export interface PhaseContext extends FileContext {
  readonly phase: LintPhase;
  readonly analysis: PhaseAnalysis;
}

/** What a solver rule sees: a file recognised as a caffe.SolverParameter. */
export interface SolverContext extends FileContext {
  readonly solver: SolverReadResult;
  readonly settings: SolverSettings;
  /** What Caffe would refuse or get wrong (src/solver/checks.ts), computed once per file. */
  readonly problems: readonly Diagnostic[];
  /** The file's path (null for standard input), for net paths written relative to it. */
  readonly file: string | null;
  readonly cwd: string;
  /** Whether a path exists; absent when the caller cannot tell (then paths are not checked). */
  readonly exists: ((path: string) => boolean) | undefined;
}

/**
 * A rule. The scope says when it runs:
 * - `reader`: reads only the reader's diagnostics; runs even when the file does not parse.
 * - `file`: runs once per file that parses, over every layer whatever its phase.
 * - `phase`: runs once per linted phase on the net model of that phase; findings met in every
 *   linted phase are phase-independent, the others say which phase they belong to.
 * - `solver`: runs once per file recognised as a solver (by its fields); net rules do not run
 *   on solvers, reader rules run on both.
 */
export type Rule =
  | { meta: RuleMeta; scope: "reader" | "file"; check(context: FileContext): void }
  | { meta: RuleMeta; scope: "phase"; check(context: PhaseContext): void }
  | { meta: RuleMeta; scope: "solver"; check(context: SolverContext): void };

/** Fills the derived meta field (docs path) from the id. */
export function ruleMeta(meta: Omit<RuleMeta, "docsPath">): RuleMeta {
  return { ...meta, docsPath: `docs/rules/${meta.id}.md` };
}
