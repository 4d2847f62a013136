import { dirname, join } from "node:path";
import type { PhaseOption } from "./run.js";
import type { RuleLevel } from "./rule.js";

/** The name of the per-directory config file, looked up from each linted file upward. */
export const CONFIG_FILE = ".caffe2torchrc.json";

const LEVELS: ReadonlySet<string> = new Set(["off", "info", "warning", "error"]);
const PHASES: ReadonlySet<string> = new Set(["train", "test", "both"]);

/** A validated `.caffe2torchrc.json`. */
export interface LintConfig {
  rules: Record<string, RuleLevel>;
  phase?: PhaseOption;
}

/** Why a config cannot be used (the CLI renders it and exits 2). */
export interface ConfigProblem {
  code: "invalid-json" | "not-an-object" | "unknown-key" | "unknown-rule" | "invalid-level" | "invalid-phase" | "syntax-not-configurable";
  data: Record<string, string>;
}

/** Parses and validates config text against the known rule ids. */
export function parseConfig(text: string, ruleIds: ReadonlySet<string>): { config: LintConfig } | { problem: ConfigProblem } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: { code: "invalid-json", data: { reason: (error as Error).message } } };
  }
  if (!isObject(json)) return { problem: { code: "not-an-object", data: {} } };
  for (const key of Object.keys(json)) {
    if (key !== "rules" && key !== "phase" && key !== "$schema") return { problem: { code: "unknown-key", data: { key } } };
  }
  const config: LintConfig = { rules: {} };
  if (json["phase"] !== undefined) {
    const phase = json["phase"];
    if (typeof phase !== "string" || !PHASES.has(phase)) return { problem: { code: "invalid-phase", data: { phase: String(phase) } } };
    config.phase = phase as PhaseOption;
  }
  if (json["rules"] !== undefined) {
    const rules = json["rules"];
    if (!isObject(rules)) return { problem: { code: "not-an-object", data: { key: "rules" } } };
    for (const [id, level] of Object.entries(rules)) {
      const problem = checkRuleLevel(id, level, ruleIds);
      if (problem) return { problem };
      config.rules[id] = level as RuleLevel;
    }
  }
  return { config };
}

/** Validates one `id: level` setting (from a config file or `--rule ID=level`). */
export function checkRuleLevel(id: string, level: unknown, ruleIds: ReadonlySet<string>): ConfigProblem | undefined {
  if (!ruleIds.has(id)) return { code: "unknown-rule", data: { rule: id } };
  if (typeof level !== "string" || !LEVELS.has(level)) return { code: "invalid-level", data: { rule: id, level: String(level) } };
  // A file that does not parse cannot be checked at all, so `syntax` is always an error.
  if (id === "syntax" && level !== "error") return { code: "syntax-not-configurable", data: { level } };
  return undefined;
}

/**
 * Finds the config that applies to `file` (an absolute path): the nearest `.caffe2torchrc.json`
 * in its directory or any parent, as ESLint's legacy cascade finds `.eslintrc` (nearest wins; no
 * merging). Pure: `readFile` returns the text, or undefined when there is no such file.
 */
export function findConfigFile(
  file: string,
  readFile: (path: string) => string | undefined,
): { path: string; text: string } | undefined {
  let dir = dirname(file);
  for (;;) {
    const path = join(dir, CONFIG_FILE);
    const text = readFile(path);
    if (text !== undefined) return { path, text };
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
