/** Checks that a diagnostic's range points into the text it was found in. */
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { LineIndex } from "../../src/diagnostics/range.js";

/**
 * Why `d`'s range is not a valid position in `text`, or null when it is: the offset lies in
 * [0, text.length], the range ends inside the text (a range at the very end, "expected a value"
 * at end of file, may be one unit long: the parser gives its end-of-file token length 1), the line is between 1 and the number of
 * lines ("\n"-separated, as LineIndex counts them) and the column between 1 and the line's
 * length + 1 (just past the last character, where "expected }" at end of file points; a CR
 * before the LF counts as a character of the line here).
 */
export function badPosition(text: string, d: Diagnostic, lines = new LineIndex(text)): string | null {
  if (d.range === undefined) return null;
  const { offset, length } = d.range;
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset > text.length || (offset < text.length && offset + length > text.length)) {
    return `${d.code}: range ${offset}+${length} outside a text of ${text.length}`;
  }
  const lineCount = text.split("\n").length;
  const { line, column } = lines.position(offset);
  if (line < 1 || line > lineCount) return `${d.code}: line ${line} of ${lineCount}`;
  const start = lines.lineStart(line);
  const end = text.indexOf("\n", start);
  const bom = line === 1 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const width = (end === -1 ? text.length : end) - start - bom;
  if (column < 1 || column > width + 1) return `${d.code}: column ${column} on line ${line} of width ${width}`;
  return null;
}
