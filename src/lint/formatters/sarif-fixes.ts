/**
 * A finding's fix as SARIF 2.1.0 `fixes`: one `fix` whose artifactChange lists the finding's
 * edits as replacements on the file the result is about. A consumer that applies them (an
 * editor's quick fix, a review bot) gets exactly what `lint --fix` writes for that finding.
 */
import type { LineIndex } from "../../diagnostics/range.js";
import type { TextEdit } from "../edits.js";
import { fixDescription } from "../messages.js";
import type { Finding } from "../results.js";
import type { RuleMeta } from "../rule.js";

/** A SARIF text region: 1-based line and column, and the same span as a 0-based character offset. */
export interface SarifTextRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  charOffset: number;
  charLength: number;
}

/**
 * The region of `length` characters at `offset` of the text `lines` indexes. Columns and
 * character counts are UTF-16 code units (the run says `columnKind: "utf16CodeUnits"`, and they
 * are what our offsets count); lines end at "\n" or "\r\n" (SARIF's default newlineSequences).
 * A byte-order mark is not a character of the artifact: it takes no column (as in LineIndex) and
 * no character offset. An insertion is the empty region at its offset (end = start).
 */
export function textRegion(lines: LineIndex, offset: number, length: number): SarifTextRegion {
  const start = lines.position(offset);
  const end = lines.position(offset + length);
  const bom = lines.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const charOffset = Math.max(0, offset - bom);
  return {
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: end.column,
    charOffset,
    charLength: Math.max(0, offset + length - bom) - charOffset,
  };
}

/**
 * The `fixes` of a result for a finding with a fix (edits on `lines.text`, the text the result's
 * region refers to). Replacements are listed from the end of the file backwards: each one's
 * region is then the same in the original text and after the replacements before it, so a
 * consumer gets one result whichever way it reads the order. Deletions have no insertedContent.
 */
export function sarifFixes(
  finding: Finding & { fix: readonly TextEdit[] },
  lines: LineIndex,
  artifactLocation: { uri: string; uriBaseId?: string },
  rules: ReadonlyMap<string, RuleMeta>,
): object[] {
  const edits = [...finding.fix].sort((a, b) => b.offset - a.offset || b.length - a.length);
  const replacements = edits.map((edit) => ({
    deletedRegion: textRegion(lines, edit.offset, edit.length),
    ...(edit.content === "" ? {} : { insertedContent: { text: edit.content } }),
  }));
  return [{ description: { text: fixDescription(finding, rules) }, artifactChanges: [{ artifactLocation, replacements }] }];
}
