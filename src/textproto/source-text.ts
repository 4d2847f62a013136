/**
 * Files as text without losing bytes. A prototxt is read as UTF-8, but files from the internet
 * are not always valid UTF-8, and the usual lossy decoding (each invalid byte → U+FFFD) hides
 * where the bad bytes were and what they were. Here each byte of an invalid sequence becomes
 * the lone surrogate U+DC80 + (byte − 0x80) instead (Python's "surrogateescape"): valid UTF-8
 * never decodes to a lone surrogate, so the mapping is reversible, offsets still count one
 * unit per bad byte (so errors point at it), and the scanner can tell a bad byte in a string
 * literal from a character.
 */

import type { CodeUnits } from "./chars.js";

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The first of the lone surrogates standing for an undecodable byte (0x80 maps here). */
const ESCAPE_BASE = 0xdc00;

/** Decodes file bytes as UTF-8, each byte of an invalid sequence kept as a lone surrogate (see above). */
export function decodeSourceText(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return decodeEscaping(bytes);
  }
}

/** A text with, when it is ASCII, its code units (see chars.ts codeUnits) made without a copy. */
export interface SourceText {
  text: string;
  codes?: CodeUnits;
}

/**
 * Like decodeSourceText, for a file read into `padded`: its `length` bytes followed by at least
 * two zero bytes. An ASCII file's bytes are then its code units as the scanner wants them (each
 * unit one byte, two zeros after), so the scanner reads the file's own buffer instead of a copy:
 * for a 200 MB prototxt that is 200 MB less at the peak.
 */
export function decodeSourceBytes(padded: Uint8Array, length: number): SourceText {
  const bytes = padded.subarray(0, length);
  const text = decodeSourceText(bytes);
  // Every non-ASCII character takes more UTF-8 bytes than UTF-16 units: equal lengths mean ASCII.
  const ascii = text.length === length;
  const zeros = padded.length >= length + 2 && padded[length] === 0 && padded[length + 1] === 0;
  return ascii && zeros ? { text, codes: padded.subarray(0, length + 2) } : { text };
}

/** Whether a code unit stands for an undecodable byte (a lone surrogate from decodeSourceText). */
export function isEscapedByte(unit: number): boolean {
  return unit >= ESCAPE_BASE + 0x80 && unit <= ESCAPE_BASE + 0xff;
}

/**
 * The bytes decodeSourceText read `text` from: UTF-8, with each escaped-byte surrogate written
 * back as its byte (so a fixed file keeps the bytes it had in its comments).
 */
export function encodeSourceText(text: string): Uint8Array {
  if (!/[\uDC80-\uDCFF]/.test(text)) return new TextEncoder().encode(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isEscapedByte(c) && !(i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) out.push(c - ESCAPE_BASE);
    else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      pushCodePoint(cp, out);
    }
  }
  return Uint8Array.from(out);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function pushCodePoint(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** The length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function validSequenceAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < bytes.length && bytes[i + k]! >= lo && bytes[i + k]! <= hi;
  // The well-formed byte sequences of the Unicode standard (table 3-7): no overlongs, no
  // surrogates, nothing past U+10FFFF.
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function decodeEscaping(bytes: Uint8Array): string {
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = validSequenceAt(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > runStart) parts.push(strict.decode(bytes.subarray(runStart, i)));
    parts.push(String.fromCharCode(ESCAPE_BASE + bytes[i]!));
    i++;
    runStart = i;
  }
  if (i > runStart) parts.push(strict.decode(bytes.subarray(runStart, i)));
  return parts.join("");
}
