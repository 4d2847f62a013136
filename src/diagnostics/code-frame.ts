import type { LineIndex, Range } from "./range.js";

/** Styles a formatter may apply; identity functions when colour is off. */
export interface FrameStyle {
  gutter(s: string): string;
  marker(s: string): string;
}

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
  const shown = text.length > 200 ? text.slice(0, 200) + " …" : text;
  const width = String(line).length;
  const pad = shown.slice(0, column - 1).replace(/[^\t]/g, " ");
  const available = Math.max(1, Math.min(range.length, text.length - (column - 1)));
  const caret = "^".repeat(Math.min(available, 80));
  return [
    `${style.gutter(`${String(line).padStart(width)} |`)} ${shown}`,
    `${style.gutter(`${" ".repeat(width)} |`)} ${pad}${style.marker(caret)}`,
  ].join("\n");
}
