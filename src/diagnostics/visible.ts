/**
 * Text from a file, made safe to show on a terminal. A prototxt from the internet can name a
 * layer `bn\u001b[2J` or put a right-to-left override in a blob name; every text report (lint,
 * error lines, explain, verify) shows such names through {@link visible}, so the file can never
 * recolour the terminal, move the cursor or reorder what is shown. JSON outputs keep the exact
 * strings, escaped so that none of these characters is written raw (json-text.ts).
 */
import { codeFrame, type FrameStyle } from "./code-frame.js";
import type { LineIndex, Range } from "./range.js";

/** C0 controls but tab, and DEL: shown as control pictures. */
const PICTURED = "\\u0000-\\u0008\\u000a-\\u001f\\u007f";
/** C1 controls, bidirectional controls and lone surrogates: shown as U+FFFD. */
const REPLACED = "\\u0080-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ud800-\\udfff";
/** Every character {@link visible} replaces (a surrogate pair matches too; the slow path keeps it). */
const UNSAFE = new RegExp(`[${PICTURED}${REPLACED}]`);
const PICTURED_ALL = new RegExp(`[${PICTURED}]`, "g");
const REPLACED_ALL = new RegExp(`[${REPLACED}]`, "gu");

/**
 * Text from the file (names in messages, source lines) as a terminal shows it harmlessly: C0
 * controls (except tab) and DEL become their Unicode control pictures (ESC → ␛, LF → ␊), C1
 * controls, bidirectional overrides and lone surrogates become U+FFFD. One character for one,
 * so the caret under a source line stays aligned; a name can no longer recolour the terminal,
 * move the cursor or reorder what is shown.
 */
export function visible(text: string): string {
  // One scan for the usual text, which has none of them (a report shows a line per finding).
  if (!UNSAFE.test(text)) return text;
  return text
    .replace(PICTURED_ALL, (ch) => String.fromCharCode(ch === "\u007f" ? 0x2421 : 0x2400 + ch.charCodeAt(0)))
    .replace(REPLACED_ALL, "\ufffd");
}

/**
 * A copy of a JSON-like value (plain objects, arrays, strings, numbers, booleans, null) with
 * every string made {@link visible}; anything else (typed arrays, maps) is kept as it is. Text renderers take their data through it once, at the top,
 * instead of at each place a name is printed: a name added to a report later is covered too.
 * Strings the renderers compare with constants (modes, codes, enum names) are ASCII letters,
 * which `visible` leaves as they are.
 */
export function visibleStrings<T>(value: T): T {
  if (typeof value === "string") return visible(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => visibleStrings(v)) as T;
  if (value !== null && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = visibleStrings(v);
    return out as T;
  }
  return value;
}

/**
 * {@link codeFrame} with the source line made {@link visible}: framed plain, made visible, then
 * coloured, so the colour codes are ours and never the file's.
 */
export function visibleFrame(lines: LineIndex, range: Range, style: FrameStyle): string {
  return codeFrame(lines, range)
    .split("\n")
    .map((line, i) => {
      const [, gutter = "", rest = ""] = /^(\s*\d* \|)(.*)$/.exec(visible(line)) ?? [];
      return style.gutter(gutter) + (i === 1 ? rest.replace(/\^+$/, (c) => style.marker(c)) : rest);
    })
    .join("\n");
}
