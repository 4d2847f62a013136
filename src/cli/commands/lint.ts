import { readFileSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { Command, CommanderError } from "commander";
import { findConfigFile, parseConfig, type LintConfig } from "../../lint/config.js";
import { unifiedDiff } from "../../lint/diff.js";
import { FORMATTERS } from "../../lint/formatters/index.js";
import { summarize, type FileResult } from "../../lint/results.js";
import { RULE_METAS, RULES } from "../../lint/rules/index.js";
import { fixText, lintText, type LintOptions } from "../../lint/run.js";
import { encodeSourceText } from "../../textproto/source-text.js";
import { makeStyle } from "../color.js";
import { expandGlob, isDirectoryPath, isGlob } from "../glob.js";
import { CliError, type CliIo } from "../io-types.js";
import { configProblemText, lintSettings, type LintCliOptions, type LintSettings } from "./lint-options.js";

/** Our package.json: the version and the project URL (SARIF informationUri, rule docs) come from it alone. */
const PACKAGE = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string; homepage: string };
const RULE_IDS: ReadonlySet<string> = new Set(RULES.keys());

/** What `runLint` takes when not given raw arguments. */
export interface LintInvocation {
  files: string[];
  options: LintCliOptions;
}

/**
 * Runs `caffe2torch lint` and returns the exit code: 0 when no error-level finding (and warnings
 * within --max-warnings), 1 when there are errors or too many warnings, 2 for usage errors and
 * unreadable files (the other files are still linted and reported). Accepts the raw arguments
 * after `lint`, or already parsed options.
 */
export async function runLint(args: string[] | LintInvocation, io: CliIo): Promise<number> {
  if (!Array.isArray(args)) return guarded(io, () => lintFiles(args.files, args.options, io));
  let code = 0;
  const program = new Command().name("caffe2torch").exitOverride();
  program.configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  registerLintCommand(program, () => io, (c) => (code = c));
  try {
    await program.parseAsync(["lint", ...args], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}

/** Adds `lint` to a commander program; `setExit` receives the exit code. */
export function registerLintCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("lint")
    .description("check Caffe net and solver definitions for mistakes that break training or conversion (CI: SARIF, GitHub annotations, --fix)")
    .argument("<files...>", 'prototxt files, directories (searched for *.prototxt), quoted patterns with *, ** and ?, or "-" for standard input')
    .option("--phase <phase>", "instantiate the net in train, test or both (default: the config's, else both)")
    .option("-f, --format <format>", "text, json, sarif or github", "text")
    .option("--rule <id=level>", "set a rule to off, info, warning or error (repeatable)", collect, [] as string[])
    .option("-c, --config <file>", `use this config for every file instead of the nearest .caffe2torchrc.json`)
    .option("--max-warnings <n>", "exit 1 when there are more than N warnings")
    .option("--fix", "apply safe fixes in place (atomic writes; comments and layout are kept)")
    .option("--fix-dry-run", "print the fixes as a unified diff on stdout (the report goes to stderr); write nothing")
    .option("-q, --quiet", "report errors only (and no line counting what --fix fixed)")
    .addHelpText(
      "after",
      `
Rules (docs/rules/<id>.md): ${[...RULES.keys()].join(", ")}

Examples:
  $ caffe2torch lint models/                                  # every *.prototxt under models/
  $ caffe2torch lint 'models/**/*.prototxt' --format sarif > lint.sarif
  $ caffe2torch lint train_val.prototxt --phase train --rule bn-frozen-in-train=off
  $ caffe2torch lint --fix-dry-run net.prototxt | git apply   # review, then apply the fixes
  $ caffe2torch lint --format github --max-warnings 0 nets/   # annotations in GitHub Actions
  $ caffe2torch lint solver.prototxt                          # solvers are recognised by their fields

Config (.caffe2torchrc.json, nearest one upward from each file):
  { "phase": "test", "rules": { "conv-bias-before-bn": "off" } }
Inline: "# caffe2torch-disable-next-line RULE-ID" or "# caffe2torch-disable RULE-ID" (whole file).

Exit codes: 0 no errors, 1 errors (or more warnings than --max-warnings), 2 usage error or unreadable file.`,
    )
    .action((files: string[], opts: LintCliOptions) => setExit(guarded(io(), () => lintFiles(files, opts, io()))));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs `body`, turning a CliError into its message on stderr and its exit code. */
function guarded(io: CliIo, body: () => number): number {
  try {
    return body();
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    io.stderr(`caffe2torch lint: ${e.message}\n`);
    return e.exitCode;
  }
}

function lintFiles(args: string[], options: LintCliOptions, io: CliIo): number {
  const settings = lintSettings(options, RULE_IDS);
  let exitCode = 0;
  const fail = (message: string): void => {
    io.stderr(`caffe2torch lint: ${message}\n`);
    exitCode = 2;
  };
  const configs = configLookup(settings, io);
  const files = expandArguments(args, io.cwd, fail);
  const results: FileResult[] = [];
  let diff = "";
  if (settings.fix === "write" && files.includes("-")) throw new CliError("--fix cannot write standard input; use --fix-dry-run");
  for (const file of files) {
    const stdin = file === "-";
    // Standard input takes the config of the working directory, as if it were a file there.
    const path = stdin ? resolve(io.cwd, "<stdin>") : resolve(io.cwd, file);
    let text: string;
    try {
      text = io.readFile(stdin ? "-" : path);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      fail(e.message);
      continue;
    }
    const config = configs(path);
    const lintOptions: LintOptions = {
      phase: settings.phase ?? config?.phase ?? "both",
      levels: { ...config?.rules, ...settings.rules },
      // Solvers name their nets by path: relative to the solver, or to the working directory as Caffe opens them.
      file: stdin ? null : path,
      cwd: io.cwd,
      exists: (p) => io.exists(p),
    };
    const shown = stdin ? "<stdin>" : displayPath(path, io.cwd);
    if (settings.fix === "none") {
      const { findings, parsed, lines } = lintText(text, lintOptions);
      results.push(binaryFile(findings) ? { file: shown, source: "", findings, parsed, fixed: 0 } : { file: shown, source: text, lines, findings, parsed, fixed: 0 });
      continue;
    }
    const fixed = fixText(text, lintOptions);
    if (fixed.output !== text) {
      // encodeSourceText: bytes that were not UTF-8 (in comments) are written back unchanged.
      if (settings.fix === "write") io.writeFileAtomic(path, encodeSourceText(fixed.output), { inPlace: true, label: shown });
      else diff += unifiedDiff(text, fixed.output, shown);
    }
    const { findings, parsed, lines } = fixed.result;
    if (binaryFile(findings)) results.push({ file: shown, source: "", findings, parsed, fixed: 0 });
    else results.push({ file: shown, source: fixed.output, lines, findings, parsed, fixed: fixed.fixed });
  }
  const all = summarize(results);
  const shownResults = settings.quiet
    ? summarize(results.map((r) => ({ ...r, findings: r.findings.filter((f) => f.severity === "error") })))
    : all;
  const toStderr = settings.fix === "dry-run";
  const report = FORMATTERS.get(settings.format)!(shownResults, {
    // Only the text format colours; asking the others would look up the terminal for nothing.
    style: makeStyle(settings.format === "text" && (toStderr ? io.color.stderr : io.color.stdout)),
    rules: RULE_METAS,
    version: PACKAGE.version,
    projectUrl: PACKAGE.homepage,
    root: io.cwd,
  });
  if (toStderr) {
    io.stdout(diff);
    io.stderr(report);
  } else {
    io.stdout(report);
  }
  if (settings.fix === "write" && !settings.quiet) io.stderr(fixedLine(results));
  if (exitCode !== 0) return exitCode;
  if (all.errorCount > 0) return 1;
  if (settings.maxWarnings !== undefined && all.warningCount > settings.maxWarnings) {
    const warnings = `${all.warningCount} warning${all.warningCount === 1 ? "" : "s"}`;
    io.stderr(`caffe2torch lint: ${warnings}, more than --max-warnings ${settings.maxWarnings}\n`);
    return 1;
  }
  return 0;
}

/** `caffe2torch lint: fixed 3 problems in 2 files` (or that nothing was fixable): --fix is not silent. */
function fixedLine(results: readonly FileResult[]): string {
  const fixed = results.filter((r) => r.fixed > 0);
  const problems = fixed.reduce((n, r) => n + r.fixed, 0);
  const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;
  if (problems === 0) return `caffe2torch lint: nothing to fix in ${files(results.length)}\n`;
  return `caffe2torch lint: fixed ${problems} problem${problems === 1 ? "" : "s"} in ${files(fixed.length)}\n`;
}

/**
 * Whether the file is binary (a .caffemodel given to lint): its one finding says so, and its
 * bytes are no source to frame, so the result carries no text.
 */
function binaryFile(findings: readonly { ruleId: string; messageId: string }[]): boolean {
  return findings.length === 1 && findings[0]!.ruleId === "syntax" && findings[0]!.messageId === "binary-input";
}

/** Files named by the arguments: plain paths as given, directories searched, patterns expanded. */
function expandArguments(args: string[], cwd: string, fail: (message: string) => void): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = file === "-" ? "-" : resolve(cwd, file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const arg of args) {
    if (arg === "-" || (!isGlob(arg) && !isDirectoryPath(arg, cwd))) {
      add(arg);
      continue;
    }
    const pattern = isGlob(arg) ? arg : `${arg.replace(/[\\/]+$/, "")}/**/*.prototxt`;
    const matches = expandGlob(pattern, cwd);
    if (matches.length === 0) fail(`no files match "${arg}"`);
    matches.forEach(add);
  }
  return files;
}

/** The config for each file: `--config` for all, else the nearest .caffe2torchrc.json (cached by path). */
function configLookup(settings: LintSettings, io: CliIo): (file: string) => LintConfig | undefined {
  const load = (path: string, text: string): LintConfig => {
    const parsed = parseConfig(text, RULE_IDS);
    if ("problem" in parsed) throw new CliError(`${displayPath(path, io.cwd)}: ${configProblemText(parsed.problem)}`);
    return parsed.config;
  };
  if (settings.config) {
    const path = resolve(io.cwd, settings.config);
    const config = load(path, io.readFile(path));
    return () => config;
  }
  const texts = new Map<string, string | undefined>();
  const parsed = new Map<string, LintConfig>();
  const read = (path: string): string | undefined => {
    if (!texts.has(path)) texts.set(path, io.exists(path) ? io.readFile(path) : undefined);
    return texts.get(path);
  };
  return (file) => {
    const found = findConfigFile(file, read);
    if (!found) return undefined;
    if (!parsed.has(found.path)) parsed.set(found.path, load(found.path, found.text));
    return parsed.get(found.path);
  };
}

/**
 * A path as shown in reports: relative to the working directory when inside it, with `/`; outside
 * it, absolute. GitHub resolves annotation paths against the repository root, and SARIF's relative
 * URIs against %SRCROOT%, both the directory CI runs in. "Inside" is decided on real paths too, so
 * an absolute path spelled through a symlinked directory (the shell's $PWD) still comes out relative.
 */
function displayPath(path: string, cwd: string): string {
  const inside = (from: string, to: string): string | null => {
    const rel = relative(from, to);
    return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? null : rel;
  };
  const shown = inside(cwd, path) ?? inside(realPath(cwd), realPath(path)) ?? path;
  return shown.split(sep).join("/");
}

/** The real path of `path`, or `path` itself when it cannot be resolved (it does not exist yet). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
