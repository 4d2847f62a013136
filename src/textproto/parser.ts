import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { codeUnits, type CodeUnits } from "./chars.js";
import { Scanner, Tok } from "./scanner.js";
import { ScalarKind, type ParseSink, type ScalarToken } from "./sink.js";
import type { Comment } from "./tree.js";

const LBRACE = 123, RBRACE = 125, LANGLE = 60, RANGLE = 62, LBRACKET = 91, RBRACKET = 93;
const COLON = 58, COMMA = 44, SEMI = 59, MINUS = 45, DOT = 46;
const EOF_END = -1;

/**
 * How deeply messages may nest (the root's fields are at depth 0). protoc's text parser has no
 * practical limit (TextFormat::Parser's recursion limit defaults to INT_MAX, so a deep enough
 * file overflows its stack); its binary decoder stops at 100 (CodedInputStream's default
 * recursion limit). We take that 100 for text too: Caffe's schema nests at most a few levels,
 * everything we encode stays decodable by protobuf, and every recursive stage after the parser
 * (binder, encoder, printer, upgrade, lint) is safe on the JS stack.
 */
export const MAX_NESTING_DEPTH = 100;

/** What a parse leaves besides the sink's own product. */
export interface ParseOutcome {
  diagnostics: Diagnostic[];
  comments: Comment[];
}

/**
 * Parses protobuf text format, as protoc's TextFormat::Parser reads it, reporting the structure
 * to `sink`. Never throws on user input: errors become diagnostics and parsing resumes at the
 * next plausible field, so all errors of a file are reported, not only the first. `codes` are
 * the text's code units (chars.ts), for a sink that reads them too.
 */
export function parseInto(text: string, sink: ParseSink, diagnostics: Diagnostic[] = [], codes: CodeUnits = codeUnits(text)): ParseOutcome {
  const comments: Comment[] = [];
  new Parser(new Scanner(text, diagnostics, comments, codes), diagnostics, sink).parseDocument();
  return { diagnostics, comments };
}

/**
 * The parser's one scalar token, reused for every value. A plain string literal's value is
 * sliced from the text only when a consumer asks for it: the encoder copies its characters
 * instead, and a 20 MB net has half a million of them.
 */
class ParserToken implements ScalarToken {
  kind = ScalarKind.Number;
  negative = false;
  start = 0;
  tokenStart = 0;
  end = 0;
  isFloat = false;
  stringBytes: Uint8Array | undefined = undefined;
  plainStart = -1;
  plainEnd = -1;
  nextStart = 0;
  malformed = false;
  /** The string value, or undefined while it is the plain range's text, not yet sliced. */
  value: string | undefined = "";

  constructor(private readonly text: string) {}

  get stringValue(): string {
    return (this.value ??= this.text.slice(this.plainStart, this.plainEnd));
  }

  set stringValue(v: string) {
    this.value = v;
  }
}

class Parser {
  private readonly token: ParserToken;
  /** Messages open around the current field. */
  private depth = 0;
  /**
   * Set when a too-deep block was skipped up to the end of input: the blocks around it are
   * unclosed too, but that is the same mistake, reported once.
   */
  private skippedToEof = false;

  constructor(
    private readonly s: Scanner,
    private readonly diagnostics: Diagnostic[],
    /** Not readonly: an extension field's value is read into NULL_SINK. */
    private sink: ParseSink,
  ) {
    this.token = new ParserToken(s.text);
    s.next();
  }

  parseDocument(): void {
    this.parseFields(EOF_END, 0);
  }

  private found(): string {
    return this.s.kind === Tok.EOF ? "end of input" : this.s.tokenText();
  }

  private error(code: string, data: Diagnostic["data"], start = this.s.start, end = this.s.end): void {
    this.diagnostics.push(diagnostic(code, "error", { offset: start, length: Math.max(end - start, 1) }, data));
  }

  private isSymbol(c: number): boolean {
    return this.s.kind === Tok.Symbol && this.s.symbol === c;
  }

  /** Fields until `close` (a char code; the caller consumes it) or end of input for the root. */
  private parseFields(close: number, openStart: number): void {
    const s = this.s;
    for (;;) {
      const kind = s.kind;
      if (kind === Tok.Identifier) {
        this.parseField();
        continue;
      }
      if (kind === Tok.EOF) {
        if (close !== EOF_END && !this.skippedToEof) {
          // protoc stops at the end of input ("Expected identifier, got: "); we point at the opener.
          this.error("unclosed-message", { expected: String.fromCharCode(close), protoc_offset: s.start }, openStart, openStart + 1);
        }
        return;
      }
      if (kind === Tok.Symbol && s.symbol === close) return;
      if (kind === Tok.Symbol && (s.symbol === RBRACE || s.symbol === RANGLE) && close !== EOF_END) {
        // `{ … >` or `< … }`: report, and take it as the end of this message.
        this.error("unexpected-token", { expected: String.fromCharCode(close), found: this.found() });
        return;
      }
      if (kind === Tok.Symbol && s.symbol === LBRACKET) {
        this.parseExtension();
        continue;
      }
      this.error("expected-field-name", { found: this.found() });
      this.skipJunk(close);
    }
  }

  /**
   * After a token that cannot start a field: skips to the next identifier, the end of the
   * enclosing message or the end of input, so one stray token (`;;`, `}`, `1: 2`) is one error.
   * Braces met on the way are skipped whole.
   */
  private skipJunk(close: number): void {
    const s = this.s;
    if (this.isSymbol(LBRACE) || this.isSymbol(LANGLE)) this.skipBlock();
    else s.next();
    for (;;) {
      const kind = s.kind;
      if (kind === Tok.EOF || kind === Tok.Identifier) return;
      if (kind === Tok.Symbol) {
        const c = s.symbol;
        if (c === close || ((c === RBRACE || c === RANGLE) && close !== EOF_END)) return;
        if (c === LBRACE || c === LANGLE) {
          this.skipBlock();
          continue;
        }
      }
      s.next();
    }
  }

  /**
   * Skips a `{ … }` or `< … >` block (nested blocks included) starting at its opener; false when
   * the input ends before the block does.
   */
  private skipBlock(): boolean {
    const s = this.s;
    let depth = 0;
    do {
      if (s.kind === Tok.Symbol) {
        if (s.symbol === LBRACE || s.symbol === LANGLE) depth++;
        else if (s.symbol === RBRACE || s.symbol === RANGLE) depth--;
      }
      s.next();
    } while (depth > 0 && s.kind !== Tok.EOF);
    return depth <= 0;
  }

  /**
   * `[name]: value` — an extension or Any field. Caffe's schema has neither; report it and read
   * its value into a sink that drops it, so the fields after it are read normally.
   */
  private parseExtension(): void {
    const s = this.s;
    const start = s.start;
    s.next();
    const nameStart = s.start;
    // Where protoc stops: it reads `ident(.ident)*` then `]`, and names an unknown extension at
    // the token after the `]`.
    let protocOffset = -1;
    let expectIdent = true;
    while (s.kind !== Tok.EOF && !this.isSymbol(RBRACKET) && !this.isSymbol(RBRACE) && !this.isSymbol(RANGLE)) {
      if (protocOffset < 0 && (expectIdent ? s.kind !== Tok.Identifier : !this.isSymbol(DOT))) protocOffset = s.start;
      expectIdent = !expectIdent;
      s.next();
    }
    if (protocOffset < 0 && (expectIdent || !this.isSymbol(RBRACKET))) protocOffset = s.start;
    const name = s.text.slice(nameStart, s.start).trim();
    const end = s.end;
    if (!this.isSymbol(RBRACKET)) {
      this.error("unsupported-extension", { name, protoc_offset: protocOffset }, start, end);
      return;
    }
    s.next();
    if (protocOffset < 0) protocOffset = s.start;
    this.error("unsupported-extension", { name, protoc_offset: protocOffset }, start, end);
    const sink = this.sink;
    this.sink = NULL_SINK;
    this.parseFieldValue(name, start, end);
    this.sink = sink;
  }

  private parseField(): void {
    const s = this.s;
    const name = s.internedText();
    const nameStart = s.start;
    const end = s.end;
    s.next();
    this.parseFieldValue(name, nameStart, end);
  }

  /** After a field's name (`end` is past it): `:`, then a value, a message or a list. */
  private parseFieldValue(name: string, nameStart: number, end: number): void {
    const s = this.s;
    const sink = this.sink;
    let colon = false;
    if (s.kind === Tok.Symbol && s.symbol === COLON) {
      colon = true;
      end = s.end;
      s.next();
    }
    const kind = s.kind;
    if (colon && (kind === Tok.String || kind === Tok.Number || kind === Tok.Identifier)) {
      // Most fields of a net: `name: value`, tested first. (readScalar cannot fail without a `-`.)
      this.readScalar(name);
      sink.scalar(name, nameStart, colon, this.token);
    } else if (kind === Tok.Symbol && (s.symbol === LBRACE || s.symbol === LANGLE)) {
      if (this.tooDeep()) sink.missingValue(name, nameStart, colon, end);
      else {
        sink.openMessage(name, nameStart, colon, s.start);
        this.parseMessageBody();
      }
    } else if (s.kind === Tok.Symbol && s.symbol === LBRACKET) {
      // protoc allows `name [ … ]` without `:` for message fields only; the sink knows which.
      this.parseList(name, nameStart, colon);
    } else if (!colon) {
      // protoc requires `:` before a scalar; report it, and still take the value when it is on
      // the same line, or is a number or string (which cannot start the next field).
      this.error("expected-colon", { field: name, found: this.found() });
      const takeValue = !s.newlineBefore || s.kind === Tok.String || s.kind === Tok.Number;
      if (takeValue && this.startsScalar() && this.readScalar(name)) sink.scalar(name, nameStart, colon, this.token);
      else sink.missingValue(name, nameStart, colon, end);
    } else if (!this.startsScalar()) {
      this.error("expected-value", { field: name, found: this.found() });
      sink.missingValue(name, nameStart, colon, end);
    } else if (this.readScalar(name)) {
      sink.scalar(name, nameStart, colon, this.token);
    } else {
      // readScalar has reported the `-` without a number.
      sink.missingValue(name, nameStart, colon, end);
    }
    if (s.kind === Tok.Symbol && (s.symbol === SEMI || s.symbol === COMMA)) s.next();
  }

  private startsScalar(): boolean {
    const k = this.s.kind;
    return k === Tok.Number || k === Tok.Identifier || k === Tok.String || this.isSymbol(MINUS);
  }

  /**
   * At a message's opening delimiter: whether it would nest deeper than MAX_NESTING_DEPTH. If
   * so, reports it at the delimiter and skips the block (without recursion: skipBlock counts),
   * so the parser's stack, and that of every stage after it, stays bounded.
   */
  private tooDeep(): boolean {
    if (this.depth < MAX_NESTING_DEPTH) return false;
    const s = this.s;
    this.error("nesting-too-deep", { maxDepth: MAX_NESTING_DEPTH });
    if (!this.skipBlock()) this.skippedToEof = true;
    return true;
  }

  /** After the opening delimiter's token: the fields, then the matching close. */
  private parseMessageBody(): void {
    const s = this.s;
    const openStart = s.start;
    const close = s.symbol === LBRACE ? RBRACE : RANGLE;
    s.next();
    this.depth++;
    this.parseFields(close, openStart);
    this.depth--;
    let end = s.start;
    if (s.kind === Tok.Symbol && (s.symbol === RBRACE || s.symbol === RANGLE)) {
      end = s.end;
      s.next();
    }
    this.sink.closeMessage(end);
  }

  private parseList(name: string, nameStart: number, colon: boolean): void {
    const s = this.s;
    const sink = this.sink;
    sink.openList(name, nameStart, colon);
    s.next();
    if (this.isSymbol(RBRACKET)) {
      sink.closeList(s.end);
      s.next();
      return;
    }
    for (;;) {
      if (s.kind === Tok.Symbol && (s.symbol === LBRACE || s.symbol === LANGLE)) {
        if (!this.tooDeep()) {
          sink.listOpenMessage(s.start);
          this.parseMessageBody();
        }
      } else if (this.startsScalar()) {
        if (this.readScalar(name)) sink.listScalar(this.token);
      } else {
        // `[1,]`, `[,]`: protoc wants a value here.
        this.error("expected-value", { field: name, found: this.found() });
        if (s.kind === Tok.Symbol && s.symbol !== RBRACE && s.symbol !== RANGLE && s.symbol !== RBRACKET) s.next();
      }
      if (this.isSymbol(COMMA)) {
        s.next();
        continue;
      }
      if (this.isSymbol(RBRACKET)) {
        sink.closeList(s.end);
        s.next();
        return;
      }
      this.error("unexpected-token", { expected: "] or ,", found: this.found() });
      // `;` for `,` (`[1; 2]`), or a missing `,` between items on one line (`[1 2]`): report it
      // once and read on.
      if (this.isSymbol(SEMI)) {
        s.next();
        continue;
      }
      if (!s.newlineBefore && (this.startsScalar() || this.isSymbol(LBRACE) || this.isSymbol(LANGLE))) continue;
      return sink.closeList(s.start);
    }
  }

  /** Reads `-`? number | identifier | string+ into this.token; false when no value follows `-`. */
  private readScalar(field: string): boolean {
    const s = this.s;
    const t = this.token;
    t.start = s.start;
    t.negative = false;
    if (this.isSymbol(MINUS)) {
      t.negative = true;
      s.next();
      if (s.kind !== Tok.Number && s.kind !== Tok.Identifier) {
        this.error("expected-value", { field, found: this.found() });
        // Drop what stands in the value's place, so `-"x"` or `-{ }` is one error, not several.
        while (s.kind === Tok.String) s.next();
        if (this.isSymbol(LBRACE) || this.isSymbol(LANGLE)) this.skipBlock();
        return false;
      }
    }
    t.tokenStart = s.start;
    t.end = s.end;
    if (s.kind === Tok.String) {
      t.kind = ScalarKind.String;
      t.plainStart = s.plainStart;
      t.plainEnd = s.plainEnd;
      let value = s.plainStart >= 0 ? undefined : s.stringValue;
      let bytes = s.stringBytes;
      let malformed = s.malformed;
      s.next();
      // Adjacent literals are one value, as in C and in protoc.
      while (s.kind === Tok.String) {
        value ??= s.text.slice(t.plainStart, t.plainEnd);
        t.plainStart = t.plainEnd = -1;
        malformed ||= s.malformed;
        if (bytes || s.stringBytes) bytes = concatBytes(bytes ?? utf8.encode(value), s.stringBytes ?? utf8.encode(s.stringValue));
        value += s.stringValue;
        t.end = s.end;
        s.next();
      }
      t.value = value;
      t.stringBytes = bytes;
      t.malformed = malformed;
      t.nextStart = s.start;
      return true;
    }
    if (s.kind === Tok.Number) {
      t.kind = ScalarKind.Number;
      t.malformed = s.malformed;
    } else {
      t.kind = ScalarKind.Identifier;
      t.malformed = false;
    }
    t.isFloat = s.isFloat;
    s.next();
    t.nextStart = s.start;
    return true;
  }
}

const utf8 = new TextEncoder();

function ignore(): void {}

/** Drops every event: the value of a field we cannot bind (an extension) is read into it. */
const NULL_SINK: ParseSink = {
  openMessage: ignore,
  closeMessage: ignore,
  scalar: ignore,
  openList: ignore,
  listScalar: ignore,
  listOpenMessage: ignore,
  closeList: ignore,
  missingValue: ignore,
};

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
