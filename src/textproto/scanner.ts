import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import {
  codeUnits, countHexDigits, hexDigitsAt, hexNumberAt, hexValue, isDigit, isHexDigit, isLetter, isWellFormed, pushUtf8, SIMPLE_ESCAPES, type CodeUnits,
} from "./chars.js";
import { IdentifierCache } from "./intern.js";
import { isEscapedByte } from "./source-text.js";
import type { Comment } from "./tree.js";

/** Token kinds. Numeric constants keep the hot loop free of string comparisons. */
export const enum Tok {
  EOF = 0,
  Identifier = 1,
  Number = 2,
  String = 3,
  /** Any single punctuation character; `Scanner.symbol` holds its char code. */
  Symbol = 4,
}

const CH_TAB = 9, CH_LF = 10, CH_VT = 11, CH_FF = 12, CH_CR = 13, CH_SPACE = 32;
const CH_HASH = 35, CH_DQUOTE = 34, CH_SQUOTE = 39, CH_DOT = 46, CH_BACKSLASH = 92;
const CH_0 = 48, CH_7 = 55;
const CH_PLUS = 43, CH_MINUS = 45;
const CH_BOM = 0xfeff;
// The tables are this module's own constants on purpose: an imported binding is read through
// a cell on every use, which cost the scanner ~12% more instructions (callgrind).
/** Letters, digits and `_` (protoc's identifier characters after the first), indexed by code unit. */
const IDENTIFIER_PART = new Uint8Array(65536);
for (let c = 0; c < 128; c++) if (isLetter(c) || isDigit(c)) IDENTIFIER_PART[c] = 1;
/** What starts a token, by code unit: protoc's letters (identifier), digits (number), quotes (string). */
const START = new Uint8Array(65536);
for (let c = 0; c < 128; c++) START[c] = isLetter(c) ? 1 : isDigit(c) ? 2 : c === CH_DQUOTE || c === CH_SQUOTE ? 3 : 0;
/** Code units that stand in a plain string literal with nothing to check: printable ASCII but quotes and backslash. */
const STRING_PLAIN = new Uint8Array(65536);
for (let c = 32; c < 127; c++) if (c !== CH_DQUOTE && c !== CH_SQUOTE && c !== CH_BACKSLASH) STRING_PLAIN[c] = 1;

const utf8Strict = new TextDecoder("utf-8", { fatal: true });
const utf8Lenient = new TextDecoder("utf-8");

/**
 * The protobuf text-format tokenizer, following the token rules of protoc's io::Tokenizer in
 * text-format mode (`#` comments, `f` allowed after floats, octal/hex integers, C escapes).
 * It never throws: malformed tokens produce a diagnostic and the best token it can make.
 * One Scanner walks one text; `next()` overwrites the current-token fields to avoid allocating.
 */
export class Scanner {
  /** Current token. */
  kind: Tok = Tok.EOF;
  start = 0;
  end = 0;
  /** For Symbol tokens: the char code. */
  symbol = 0;
  /**
   * For String tokens: the decoded value (one literal). Made on first use for plain literals
   * (see plainStart), whose consumers can often copy the characters from the text instead.
   */
  get stringValue(): string {
    return (this.value ??= this.text.slice(this.plainStart, this.plainEnd));
  }
  private value: string | undefined = "";
  /** For String tokens: bytes when not valid UTF-8. */
  stringBytes: Uint8Array | undefined;
  /** For String tokens of ASCII without escapes: the value's range (between the quotes); else -1. */
  plainStart = -1;
  plainEnd = -1;
  /** Whether the current token started on a new line relative to the previous one. */
  newlineBefore = false;
  /** For Number tokens: whether it is a float (has `.`, exponent or `f` suffix). */
  isFloat = false;
  /**
   * For Number and String tokens: whether the scanner reported an error in it (e.g. `08`,
   * `1e`, `"\q"`). The value of such a token is meaningless; consumers should not bind it.
   */
  malformed = false;

  private pos: number;
  private readonly len: number;

  constructor(
    readonly text: string,
    readonly diagnostics: Diagnostic[],
    readonly comments: Comment[],
    /** The text's code units (chars.ts codeUnits): the hot loops read these rather than the string. */
    readonly codes: CodeUnits = codeUnits(text),
  ) {
    this.len = text.length;
    this.identifiers = new IdentifierCache(text, codes);
    // Found once and then past each comment that holds it: linear however many comments there are.
    const nul = text.indexOf("\0");
    this.nextNul = nul === -1 ? this.len : nul;
    // A UTF-8 byte-order mark decodes to U+FEFF at the start; it is not part of the syntax.
    this.pos = text.charCodeAt(0) === CH_BOM ? 1 : 0;
  }

  /** Advances to the next token, skipping whitespace and comments. */
  next(): Tok {
    const text = this.text;
    const codes = this.codes;
    const len = this.len;
    let pos = this.pos;
    let newline = false;
    let c = 0;
    // The code units end with a 0, which is no whitespace: the loops need no bounds checks.
    for (;;) {
      c = codes[pos]!;
      // Most characters met here start a token: test for that first.
      if (c > CH_SPACE) {
        if (c !== CH_HASH) break;
        let e = text.indexOf("\n", pos);
        if (e === -1) e = len;
        const end = e > pos && text.charCodeAt(e - 1) === CH_CR ? e - 1 : e;
        this.comments.push({ start: pos, end });
        if (this.nextNul < e) this.nulInComment(pos, e);
        pos = e;
        continue;
      }
      if (c === CH_LF) newline = true;
      else if (c !== CH_SPACE && c !== CH_TAB && c !== CH_CR && c !== CH_VT && c !== CH_FF) break;
      pos++;
    }
    this.newlineBefore = newline;
    if (pos >= len) {
      this.start = this.end = this.pos = len;
      return (this.kind = Tok.EOF);
    }
    this.start = pos;
    const kind = START[c];
    if (kind === 1) {
      // Also stops at the final 0.
      do pos++;
      while (IDENTIFIER_PART[codes[pos]!] === 1);
      this.end = this.pos = pos;
      return (this.kind = Tok.Identifier);
    }
    if (kind === 2 || (c === CH_DOT && isDigit(codes[pos + 1]!))) {
      this.pos = pos;
      this.malformed = false;
      this.scanNumber();
      return (this.kind = Tok.Number);
    }
    if (kind === 3) {
      this.pos = pos;
      this.malformed = false;
      this.scanString(c);
      return (this.kind = Tok.String);
    }
    this.symbol = c;
    this.end = this.pos = pos + 1;
    return (this.kind = Tok.Symbol);
  }

  /** The raw text of the current token. */
  tokenText(): string {
    return this.text.slice(this.start, this.end);
  }

  /**
   * The text of the current token, shared with earlier tokens of the same spelling. Field
   * names and enum values repeat throughout a net; sharing them saves an allocation per token.
   */
  internedText(): string {
    return this.identifiers.get(this.start, this.end);
  }

  private readonly identifiers: IdentifierCache;

  /** Offset of a NUL not yet known to lie outside comments (text length when none is left). */
  private nextNul: number;

  /**
   * Called for a comment [start, end) when a NUL was seen before `end`: when it lies in the
   * comment, reports it. protoc's tokenizer takes a NUL for the end of the comment and then
   * refuses it ("Invalid control characters encountered in text"), so Caffe refuses the file;
   * we report it rather than read past what Caffe cannot.
   */
  private nulInComment(start: number, end: number): void {
    // The NUL found last may lie before this comment (in a string, or between tokens).
    if (this.nextNul < start) this.nextNul = this.nulAtOrAfter(start);
    if (this.nextNul >= end) return;
    this.diagnostics.push(diagnostic("nul-in-comment", "error", { offset: this.nextNul, length: 1 }, {}));
    this.nextNul = this.nulAtOrAfter(end);
  }

  private nulAtOrAfter(pos: number): number {
    const next = this.text.indexOf("\0", pos);
    return next === -1 ? this.len : next;
  }

  private error(code: string, start: number, end: number, data: Diagnostic["data"] = {}): void {
    this.malformed = true;
    this.diagnostics.push(diagnostic(code, "error", { offset: start, length: Math.max(end - start, 1) }, data));
  }

  /** Numbers as protoc's tokenizer reads them (ConsumeNumber with allow_f_after_float). */
  private scanNumber(): void {
    const codes = this.codes;
    const len = this.len;
    let pos = this.pos;
    const start = pos;
    let isFloat = false;
    const c0 = codes[pos]!;
    const c1 = codes[pos + 1]!;
    if (c0 === CH_0 && (c1 === 120 || c1 === 88)) {
      pos += 2;
      if (!isHexDigit(codes[pos]!)) this.error("invalid-number", start, pos, { reason: "hex-digits" });
      while (pos < len && isHexDigit(codes[pos]!)) pos++;
    } else if (c0 === CH_0 && isDigit(c1)) {
      pos++;
      let octal = true;
      while (pos < len && isDigit(codes[pos]!)) {
        if (codes[pos]! > CH_7) octal = false;
        pos++;
      }
      // One error per token, as protoc's "Numbers starting with leading zero must be in octal."
      if (!octal) this.error("invalid-number", start, pos, { reason: "octal" });
    } else {
      while (pos < len && isDigit(codes[pos]!)) pos++;
      if (codes[pos]! === CH_DOT) {
        isFloat = true;
        pos++;
        while (pos < len && isDigit(codes[pos]!)) pos++;
      }
      const e = codes[pos]!;
      if (e === 101 || e === 69) {
        isFloat = true;
        pos++;
        const s = codes[pos]!;
        if (s === CH_PLUS || s === CH_MINUS) pos++;
        if (!isDigit(codes[pos]!)) this.error("invalid-number", start, pos, { reason: "exponent" });
        while (pos < len && isDigit(codes[pos]!)) pos++;
      }
      const f = codes[pos]!;
      if (f === 102 || f === 70) {
        isFloat = true;
        pos++;
      }
    }
    // What protoc's tokenizer says of a number run into more characters: "Need space between
    // number and identifier." (`12abc`), "Already saw decimal point or exponent; can't have
    // another one." (`1.2.3`), "Hex and octal numbers must be integers." (`0x1.5`). The whole
    // run is one malformed token here (protoc would read the rest as further tokens).
    const after = codes[pos]!;
    if (pos < len && (isLetter(after) || isDigit(after) || after === CH_DOT)) {
      const reason = after !== CH_DOT ? "trailing" : isFloat ? "extra-point" : "integer-fraction";
      let e = pos;
      while (e < len && (isLetter(codes[e]!) || isDigit(codes[e]!) || codes[e]! === CH_DOT)) e++;
      this.error("invalid-number", start, e, { reason });
      pos = e;
    }
    this.isFloat = isFloat;
    this.end = this.pos = pos;
  }

  /** A quoted literal with C escapes, as protoc's ParseStringAppend decodes it. */
  private scanString(quote: number): void {
    const text = this.text;
    const len = this.len;
    let pos = this.pos + 1;
    const start = this.pos;
    // Fast path: no escapes and no non-ASCII -> slice directly.
    let simple = true;
    let nul = false;
    let scan = pos;
    const codes = this.codes;
    for (;; scan++) {
      const c = codes[scan]!;
      // One test for the characters that fill strings; the rest are looked at closely.
      if (STRING_PLAIN[c] === 1) continue;
      if (c === quote || c === CH_LF || c === CH_BACKSLASH || scan >= len) break;
      if (c > 127) simple = false;
      else if (c === 0) nul = true;
    }
    this.stringBytes = undefined;
    if (scan < len && codes[scan] === quote) {
      this.end = this.pos = scan + 1;
      if (simple && !nul) {
        this.plainStart = pos;
        this.plainEnd = scan;
        this.value = undefined;
        return;
      }
      this.plainStart = this.plainEnd = -1;
      this.value = text.slice(pos, scan);
      if (!nul && isWellFormed(this.value)) return;
    }
    this.plainStart = this.plainEnd = -1;
    const bytes: number[] = [];
    let closed = false;
    // One error of each kind per literal: a binary blob pasted into a string is one mistake.
    let reportedNul = false;
    let reportedUtf8 = false;
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === quote) {
        closed = true;
        pos++;
        break;
      }
      if (c === CH_LF) break;
      if (c !== CH_BACKSLASH) {
        if (c < 128) {
          // protoc's tokenizer takes a NUL as the end of the input ("Unexpected end of
          // string."); we report it and read on to the closing quote.
          if (c === 0 && !reportedNul) {
            reportedNul = true;
            this.error("nul-in-string", pos, pos + 1);
          }
          bytes.push(c);
          pos++;
        } else {
          const cp = text.codePointAt(pos)!;
          if (cp >= 0xd800 && cp <= 0xdfff) {
            // A lone surrogate: a byte that is not UTF-8 (see source-text.ts), or a string from
            // an API caller that UTF-8 cannot represent. protoc copies such bytes and logs an
            // error at serialization; Caffe's string fields are UTF-8 text, so we refuse.
            if (!reportedUtf8) {
              reportedUtf8 = true;
              this.error("invalid-utf8", pos, pos + 1);
            }
            if (isEscapedByte(c)) bytes.push(c - 0xdc00);
            else pushUtf8(cp, bytes);
            pos++;
            continue;
          }
          pushUtf8(cp, bytes);
          pos += cp > 0xffff ? 2 : 1;
        }
        continue;
      }
      pos = this.scanEscape(pos, bytes);
    }
    if (!closed) this.error("unterminated-string", start, pos);
    const u8 = Uint8Array.from(bytes);
    try {
      this.value = utf8Strict.decode(u8);
      this.stringBytes = undefined;
    } catch {
      this.value = utf8Lenient.decode(u8);
      this.stringBytes = u8;
    }
    this.end = this.pos = pos;
  }

  /**
   * Decodes one escape starting at the backslash; returns the position after it. Follows
   * protoc: the tokenizer's checks (ConsumeString) decide what is an error, and
   * ParseStringAppend decides the bytes: `\NNN` keeps the low 8 bits, `\x` (lower case only)
   * takes one or two hex digits, `\uXXXX` may pair with a following `\uXXXX` trail surrogate,
   * lone surrogates are written as their 3-byte form, and a `\U` code point past U+10FFFF
   * (allowed up to U+1FFFFF) is kept as the text `\U%08x`.
   */
  private scanEscape(pos: number, bytes: number[]): number {
    const text = this.text;
    const e = text.charCodeAt(pos + 1);
    const simple = SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) {
      bytes.push(simple);
      return pos + 2;
    }
    if (e >= CH_0 && e <= CH_7) {
      let v = 0;
      let p = pos + 1;
      for (let i = 0; i < 3 && p < this.len; i++, p++) {
        const d = text.charCodeAt(p);
        if (d < CH_0 || d > CH_7) break;
        v = v * 8 + (d - CH_0);
      }
      bytes.push(v & 0xff);
      return p;
    }
    if (e === 120) {
      let v = 0;
      let p = pos + 2;
      let n = 0;
      for (; n < 2 && isHexDigit(text.charCodeAt(p)); n++, p++) v = v * 16 + hexValue(text.charCodeAt(p));
      if (n === 0) this.error("invalid-escape", pos, p, { escape: "x" });
      else bytes.push(v);
      return p;
    }
    if (e === 117) {
      const p = pos + 2;
      if (!hexDigitsAt(text, p, 4)) {
        const bad = p + countHexDigits(text, p, 4);
        this.error("invalid-escape", pos, bad, { escape: "u" });
        return bad;
      }
      let cp = hexNumberAt(text, p, 4);
      let after = p + 4;
      // A head surrogate followed by `\u` and a trail surrogate is one code point (UTF-16 pair).
      if (cp >= 0xd800 && cp < 0xdc00 && text.charCodeAt(after) === CH_BACKSLASH && text.charCodeAt(after + 1) === 117 && hexDigitsAt(text, after + 2, 4)) {
        const trail = hexNumberAt(text, after + 2, 4);
        if (trail >= 0xdc00 && trail < 0xe000) {
          cp = 0x10000 + (((cp - 0xd800) << 10) | (trail - 0xdc00));
          after += 6;
        }
      }
      pushUtf8(cp, bytes);
      return after;
    }
    if (e === 85) {
      // protoc's tokenizer wants `00`, then `0` or `1`, then five hex digits.
      const p = pos + 2;
      const ok = text.charCodeAt(p) === CH_0 && text.charCodeAt(p + 1) === CH_0 &&
        (text.charCodeAt(p + 2) === CH_0 || text.charCodeAt(p + 2) === CH_0 + 1) && hexDigitsAt(text, p + 3, 5);
      if (!ok) {
        const bad = p + countHexDigits(text, p, 8);
        this.error("invalid-escape", pos, bad, { escape: "U" });
        return bad;
      }
      const cp = hexNumberAt(text, p, 8);
      if (cp > 0x10ffff) {
        const literal = "\\U" + cp.toString(16).padStart(8, "0");
        for (let i = 0; i < literal.length; i++) bytes.push(literal.charCodeAt(i));
      } else {
        pushUtf8(cp, bytes);
      }
      return p + 8;
    }
    this.error("invalid-escape", pos, pos + 2, { escape: pos + 1 < this.len ? String.fromCharCode(e) : "" });
    if (pos + 1 < this.len && e !== CH_LF) {
      bytes.push(e & 0xff);
      return pos + 2;
    }
    return pos + 1;
  }
}

/**
 * Start of the first token at or after `pos` (skipping whitespace and `#` comments), as protoc's
 * tokenizer would reach it; `text.length` at the end. For error paths only: it rescans the text.
 */
export function tokenStartAfter(text: string, pos: number): number {
  const len = text.length;
  while (pos < len) {
    const c = text.charCodeAt(pos);
    if (c === 32 || (c >= 9 && c <= 13)) pos++;
    else if (c === 35) {
      const e = text.indexOf("\n", pos);
      pos = e === -1 ? len : e;
    } else break;
  }
  return pos;
}
