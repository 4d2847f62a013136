import { checkRuleLevel, type ConfigProblem } from "../../lint/config.js";
import { isFormatName, type FormatName } from "../../lint/formatters/index.js";
import type { RuleLevel } from "../../lint/rule.js";
import type { PhaseOption } from "../../lint/run.js";
import { CliError } from "../io-types.js";

/** Options of `caffe2torch lint` as commander hands them over. */
export interface LintCliOptions {
  phase?: string;
  format?: string;
  rule?: string[];
  config?: string;
  maxWarnings?: string;
  fix?: boolean;
  fixDryRun?: boolean;
  quiet?: boolean;
}

/** Validated options. */
export interface LintSettings {
  /** Undefined: the config file's phase, else `both`. */
  phase: PhaseOption | undefined;
  format: FormatName;
  /** `--rule` levels; they override the config file's. */
  rules: Record<string, RuleLevel>;
  config: string | undefined;
  maxWarnings: number | undefined;
  fix: "write" | "dry-run" | "none";
  quiet: boolean;
}

/** Checks the options; a usage error throws a CliError (exit 2). */
export function lintSettings(options: LintCliOptions, ruleIds: ReadonlySet<string>): LintSettings {
  const phase = options.phase?.toLowerCase();
  if (phase !== undefined && phase !== "train" && phase !== "test" && phase !== "both") {
    throw new CliError(`--phase must be train, test or both (got "${options.phase}")`);
  }
  const format = options.format ?? "text";
  if (!isFormatName(format)) throw new CliError(`--format must be text, json, sarif or github (got "${format}")`);
  const rules: Record<string, RuleLevel> = {};
  for (const setting of options.rule ?? []) {
    const eq = setting.indexOf("=");
    if (eq <= 0) throw new CliError(`--rule takes ID=LEVEL, e.g. --rule bn-frozen-in-train=off (got "${setting}")`);
    const id = setting.slice(0, eq).trim();
    const level = setting.slice(eq + 1).trim();
    const problem = checkRuleLevel(id, level, ruleIds);
    if (problem) throw new CliError(`--rule ${setting}: ${configProblemText(problem)}`);
    rules[id] = level as RuleLevel;
  }
  let maxWarnings: number | undefined;
  if (options.maxWarnings !== undefined) {
    maxWarnings = Number(options.maxWarnings);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) {
      throw new CliError(`--max-warnings must be a non-negative integer (got "${options.maxWarnings}")`);
    }
  }
  if (options.fix && options.fixDryRun) throw new CliError("--fix and --fix-dry-run cannot be used together");
  return {
    phase: phase as PhaseOption | undefined,
    format,
    rules,
    config: options.config,
    maxWarnings,
    fix: options.fix ? "write" : options.fixDryRun ? "dry-run" : "none",
    quiet: options.quiet === true,
  };
}

/** The English text of a config problem (config files and `--rule`). */
export function configProblemText(problem: ConfigProblem): string {
  const d = problem.data;
  switch (problem.code) {
    case "invalid-json":
      return `not valid JSON (${d["reason"]})`;
    case "not-an-object":
      return d["key"] ? `"${d["key"]}" must be an object of rule ids to levels` : "must be a JSON object";
    case "unknown-key":
      return `unknown setting "${d["key"]}" (expected "rules" and "phase")`;
    case "unknown-rule":
      return `unknown rule "${d["rule"]}" (see docs/rules/)`;
    case "invalid-level":
      return `level of "${d["rule"]}" must be off, info, warning or error (got "${d["level"]}")`;
    case "invalid-phase":
      return `"phase" must be train, test or both (got "${d["phase"]}")`;
    case "syntax-not-configurable":
      return `the "syntax" rule is always an error (a file that does not parse cannot be checked)`;
  }
}
