import type { LineIndex, Range } from "../diagnostics/range.js";
import type { Comment } from "../textproto/tree.js";

/** An inline suppression comment. */
export interface Directive {
  /** `disable`: the whole file; `disable-next-line`: findings that start on the next line. */
  kind: "disable" | "disable-next-line";
  /** 1-based line of the comment. */
  line: number;
  /** The rule ids named, each with its range; empty means every rule. */
  rules: { id: string; range: Range }[];
  range: Range;
}

const DIRECTIVE = /^#\s*caffe2torch-(disable-next-line|disable)(?=\s|$)/;

/**
 * Reads suppression comments: `# caffe2torch-disable-next-line RULE-ID[, RULE-ID…]` and
 * `# caffe2torch-disable RULE-ID…` (whole file). Without ids, every rule is meant. Text after
 * ` -- ` is a free reason, as in ESLint's directive comments.
 */
export function parseDirectives(text: string, comments: readonly Comment[], lines: LineIndex): Directive[] {
  const directives: Directive[] = [];
  for (const comment of comments) {
    const body = text.slice(comment.start, comment.end);
    const match = DIRECTIVE.exec(body);
    if (!match) continue;
    const kind = match[1] as Directive["kind"];
    let list = body.slice(match[0].length);
    const reason = list.search(/(^|\s)--(\s|$)/);
    if (reason !== -1) list = list.slice(0, reason);
    const rules: Directive["rules"] = [];
    const word = /[^\s,]+/g;
    for (let m = word.exec(list); m; m = word.exec(list)) {
      rules.push({ id: m[0], range: { offset: comment.start + match[0].length + m.index, length: m[0].length } });
    }
    const range = { offset: comment.start, length: comment.end - comment.start };
    directives.push({ kind, line: lines.position(comment.start).line, rules, range });
  }
  return directives;
}

/** Whether a finding of `ruleId` starting on `line` is suppressed by `directives`. */
export function isSuppressed(directives: readonly Directive[], ruleId: string, line: number): boolean {
  return directives.some(
    (d) =>
      (d.kind === "disable" || d.line + 1 === line) && (d.rules.length === 0 || d.rules.some((r) => r.id === ruleId)),
  );
}
