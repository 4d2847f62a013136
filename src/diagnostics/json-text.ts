/**
 * JSON for output that may end up on a terminal (a CI log, `lint --format json | less`). The
 * values stay exact, but JSON.stringify escapes only C0 controls: DEL, C1 controls (U+009B is a
 * one-character CSI, as ESC [ is), bidirectional overrides and the JavaScript line separators
 * would reach the reader raw from a layer name. They may only occur inside JSON strings, where
 * `\uXXXX` means the same character, so escaping them changes bytes, never values.
 */

/** What JSON.stringify leaves raw and a terminal may act on (see visible.ts for the same set in text). */
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;

/** JSON.stringify(`value`, null, `indent`) with the characters above written as `\uXXXX`. */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
