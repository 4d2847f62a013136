/**
 * Character classes and byte helpers of the text-format scanner: protoc's tokenizer classes
 * (Letter, Digit, HexDigit, Escape) and the UTF-8 writing of its ParseStringAppend.
 */

const CH_0 = 48, CH_9 = 57, CH_UNDERSCORE = 95, CH_BACKSLASH = 92, CH_SQUOTE = 39, CH_DQUOTE = 34;

/** protoc's Letter class: ASCII letters and `_` (identifiers start with one). */
export function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === CH_UNDERSCORE;
}

/** An ASCII decimal digit. */
export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** An ASCII hex digit, either case. */
export function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** The value of a hex digit (call only on one). */
export function hexValue(c: number): number {
  return c <= CH_9 ? c - CH_0 : (c | 32) - 87;
}

/** The single-character escapes protoc's text format accepts. */
export const SIMPLE_ESCAPES = new Map<number, number>([
  [97, 7], [98, 8], [102, 12], [110, 10], [114, 13], [116, 9], [118, 11],
  [CH_BACKSLASH, CH_BACKSLASH], [63, 63], [CH_SQUOTE, CH_SQUOTE], [CH_DQUOTE, CH_DQUOTE],
]);

/** Whether `n` hex digits start at `p`. */
export function hexDigitsAt(text: string, p: number, n: number): boolean {
  return countHexDigits(text, p, n) === n;
}

/** How many hex digits (at most `max`) start at `p`. */
export function countHexDigits(text: string, p: number, max: number): number {
  let n = 0;
  while (n < max && isHexDigit(text.charCodeAt(p + n))) n++;
  return n;
}

/** The value of the `n` hex digits at `p` (checked by the caller). */
export function hexNumberAt(text: string, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 16 + hexValue(text.charCodeAt(p + i));
  return v;
}

/**
 * Appends a code point as UTF-8 the way protoc's AppendUTF8 does: surrogate code points get
 * their 3-byte form (invalid UTF-8, as protoc writes it) instead of U+FFFD.
 */
export function pushUtf8(cp: number, bytes: number[]): void {
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Whether a string can be written as UTF-8 (it has no lone surrogate). */
export function isWellFormed(s: string): boolean {
  // Lone surrogates cannot be encoded as UTF-8; everything else can.
  return !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""));
}

/** A text's UTF-16 code units as a typed array (see codeUnits). */
export type CodeUnits = Uint8Array | Uint16Array;

const asciiEncoder = new TextEncoder();

/**
 * The text's UTF-16 code units in a typed array, followed by two zeros (so that a look-ahead
 * of one or two units past the end reads 0, which no token continues with). V8's optimized
 * code reads a typed array element with about half the instructions of `charCodeAt` (measured
 * under callgrind), and the scanner reads every character of a 20 MB net. ASCII text (nearly
 * every prototxt) takes one byte per unit; other text two.
 */
export function codeUnits(text: string): CodeUnits {
  const n = text.length;
  const bytes = new Uint8Array(n + 2);
  // Every non-ASCII character takes two or more UTF-8 bytes: one byte per character read means ASCII.
  const { read, written } = asciiEncoder.encodeInto(text, bytes);
  if (read === n && written === n) return bytes;
  const units = new Uint16Array(n + 2);
  const le = Buffer.from(text, "utf16le");
  if (le.byteOffset % 2 === 0) units.set(new Uint16Array(le.buffer, le.byteOffset, n));
  else for (let i = 0; i < n; i++) units[i] = text.charCodeAt(i);
  return units;
}

/**
 * The string V8 keeps as the unique copy of `s`'s text (its "internalized" string; property
 * names are always internalized). A Map lookup whose key and query are the same internalized
 * string matches on identity; otherwise it compares the characters of every candidate. The
 * field names the scanner reads and the schema's field tables both go through this, so the
 * million lookups of a large net compare pointers. Not for numeric strings (`"12"` is an index).
 */
export function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}
