/**
 * Text from the prototxt rendered safely in Markdown (CommonMark / GitHub Flavored Markdown).
 */

/**
 * Characters that can start Markdown syntax anywhere in a line: code spans, emphasis, links,
 * HTML, entities, strikethrough, table cells. CommonMark lets any ASCII punctuation be
 * backslash-escaped, and GFM honours `\|` inside table cells.
 */
const INLINE_SPECIAL = /[\\`*_[\]<>|&~#!]/g;

/**
 * Characters that end or break a line or are invisible, and lone surrogates (which cannot be
 * written as UTF-8). A raw newline would end a table row or a heading, so each is shown as
 * `U+XXXX` instead. With the `u` flag, a surrogate range only matches unpaired halves.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]/gu;

/**
 * `text` as literal inline Markdown: special characters backslash-escaped, control and
 * invisible characters shown as `U+XXXX`, and a leading `-`, `+`, `=` or `1.`-style marker
 * escaped so the text cannot become a list item or heading underline. Safe in table cells,
 * headings and list items.
 */
export function mdText(text: string): string {
  let out = text
    .replace(INLINE_SPECIAL, (ch) => `\\${ch}`)
    .replace(INVISIBLE, (ch) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`);
  out = out.replace(/^([-+=])/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
  return out;
}

/** A Markdown table: header row, separator, one row per entry; cells are used as given. */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A number as written in the JSON output (shortest round-trip decimal). */
export function mdNumber(value: number): string {
  return String(value);
}

/**
 * A layer or net name: escaped, `*empty name*` for "" (a real name with asterisks is escaped,
 * so the two cannot be confused), an em dash for null.
 */
export function mdName(name: string | null): string {
  if (name === null) return "—";
  return name === "" ? "*empty name*" : mdText(name);
}
