import type { LineIndex, Range } from "./range.js";

/** Styles a formatter may apply; identity functions when colour is off. */
export interface FrameStyle {
  gutter(s: string): string;
  marker(s: string): string;
}

const MAX_SHOWN = 200;

const plain: FrameStyle = { gutter: (s) => s, marker: (s) => s };

/**
 * The source line of `range` with a caret line under it, e.g.
 * ```
 *   12 |     bn_param { frozen: true }
 *      |     ^^^^^^^^
 * ```
 * Tabs are kept in the caret line's padding so the caret lines up in any tab width.
 */
export function codeFrame(lines: LineIndex, range: Range, style: FrameStyle = plain): string {
  const { line, column } = lines.position(range.offset);
  const text = lines.lineText(line);
  // A long line is shown as a window of MAX_SHOWN characters that keeps the caret in view (a
  // minified or hostile file may be one line of megabytes).
  const from = text.length > MAX_SHOWN && column - 1 > MAX_SHOWN - 40 ? column - 1 - 60 : 0;
  const body = text.slice(from, from + MAX_SHOWN);
  const shown = (from > 0 ? "… " : "") + body + (from + MAX_SHOWN < text.length ? " …" : "");
  const width = String(line).length;
  const pad = (from > 0 ? "  " : "") + body.slice(0, column - 1 - from).replace(/[^\t]/g, " ");
  const available = Math.max(1, Math.min(range.length, text.length - (column - 1)));
  const caret = "^".repeat(Math.min(available, 80));
  return [
    `${style.gutter(`${String(line).padStart(width)} |`)} ${shown}`,
    `${style.gutter(`${" ".repeat(width)} |`)} ${pad}${style.marker(caret)}`,
  ].join("\n");
}
