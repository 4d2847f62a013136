import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { Scanner, Tok, tokenStartAfter } from "../../src/textproto/scanner.js";
import type { Comment } from "../../src/textproto/tree.js";
import { at, pinned } from "./support.js";

interface Token {
  kind: Tok;
  text: string;
  start: number;
  value?: string;
  bytes?: number[];
  isFloat?: boolean;
  malformed?: boolean;
  newlineBefore: boolean;
}

/** Scans the whole text into plain tokens, with the comments and diagnostics met on the way. */
function scan(text: string): { tokens: Token[]; comments: Comment[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const comments: Comment[] = [];
  const s = new Scanner(text, diagnostics, comments);
  const tokens: Token[] = [];
  while (s.next() !== Tok.EOF) {
    const t: Token = { kind: s.kind, text: s.tokenText(), start: s.start, newlineBefore: s.newlineBefore };
    if (s.kind === Tok.String) {
      t.value = s.stringValue;
      if (s.stringBytes) t.bytes = [...s.stringBytes];
      t.malformed = s.malformed;
    }
    if (s.kind === Tok.Number) {
      t.isFloat = s.isFloat;
      t.malformed = s.malformed;
    }
    tokens.push(t);
  }
  return { tokens, comments, diagnostics };
}

/** The single string token of `literal` (its decoded value and, for invalid UTF-8, its bytes). */
function str(literal: string): { value: string; bytes?: number[]; errors: string[] } {
  const { tokens, diagnostics } = scan(literal);
  expect(tokens).toHaveLength(1);
  expect(tokens[0]!.kind).toBe(Tok.String);
  const out: { value: string; bytes?: number[]; errors: string[] } = { value: tokens[0]!.value!, errors: pinned(literal, diagnostics) };
  if (tokens[0]!.bytes) out.bytes = tokens[0]!.bytes;
  return out;
}

/** The single number token of `text`. */
function num(text: string): { text: string; isFloat: boolean; errors: string[] } {
  const { tokens, diagnostics } = scan(text);
  expect(tokens).toHaveLength(1);
  expect(tokens[0]!.kind).toBe(Tok.Number);
  return { text: tokens[0]!.text, isFloat: tokens[0]!.isFloat!, errors: pinned(text, diagnostics) };
}

describe("scanner: comments", () => {
  it("keeps a # comment as a comment, from # to the end of its line", () => {
    const text = "name: 1 # the net's name\nlayer";
    const { tokens, comments } = scan(text);
    expect(comments.map((c) => text.slice(c.start, c.end))).toEqual(["# the net's name"]);
    expect(tokens.map((t) => t.text)).toEqual(["name", ":", "1", "layer"]);
  });

  it("ends a comment before the \\r of a CRLF line ending", () => {
    const text = "# first\r\nname";
    const { comments } = scan(text);
    expect(comments.map((c) => text.slice(c.start, c.end))).toEqual(["# first"]);
  });

  it("reads a comment on the last line without a newline", () => {
    const text = "a: 1 #end";
    expect(scan(text).comments.map((c) => text.slice(c.start, c.end))).toEqual(["#end"]);
  });

  it("keeps consecutive comment lines as separate comments", () => {
    const text = "# one\n# two\n";
    expect(scan(text).comments.map((c) => text.slice(c.start, c.end))).toEqual(["# one", "# two"]);
  });

  it("does not treat # inside a double-quoted string as a comment", () => {
    const text = 'name: "a # b" # real';
    const { tokens, comments } = scan(text);
    expect(tokens[2]!.value).toBe("a # b");
    expect(comments.map((c) => text.slice(c.start, c.end))).toEqual(["# real"]);
  });

  it("does not treat # inside a single-quoted string as a comment", () => {
    const { tokens, comments } = scan("name: '#1'");
    expect(tokens[2]!.value).toBe("#1");
    expect(comments).toEqual([]);
  });
});

describe("scanner: identifiers and symbols", () => {
  it("reads letters, digits and underscores as one identifier", () => {
    expect(scan("conv1_2 _x Layer9").tokens.map((t) => [t.kind, t.text])).toEqual([
      [Tok.Identifier, "conv1_2"],
      [Tok.Identifier, "_x"],
      [Tok.Identifier, "Layer9"],
    ]);
  });

  it("reads inf, nan and true as identifiers (their meaning depends on the field)", () => {
    expect(scan("inf nan Infinity true").tokens.every((t) => t.kind === Tok.Identifier)).toBe(true);
  });

  it("reads each punctuation character as its own symbol", () => {
    expect(scan("{}<>[]:;,-").tokens.map((t) => t.text)).toEqual(["{", "}", "<", ">", "[", "]", ":", ";", ",", "-"]);
  });

  it("reads a minus sign as a symbol before the number", () => {
    expect(scan("-1").tokens.map((t) => [t.kind, t.text])).toEqual([
      [Tok.Symbol, "-"],
      [Tok.Number, "1"],
    ]);
  });

  it("notes whether a token starts a new line", () => {
    expect(scan("a b\nc").tokens.map((t) => t.newlineBefore)).toEqual([false, false, true]);
  });

  it("notes a new line after a comment", () => {
    expect(scan("a # c\nb").tokens.map((t) => t.newlineBefore)).toEqual([false, true]);
  });
});

describe("scanner: integers", () => {
  it("reads a decimal integer", () => {
    expect(num("42")).toEqual({ text: "42", isFloat: false, errors: [] });
  });

  it("reads zero", () => {
    expect(num("0")).toEqual({ text: "0", isFloat: false, errors: [] });
  });

  it("reads a hex integer with 0x or 0X", () => {
    expect(num("0x1F")).toEqual({ text: "0x1F", isFloat: false, errors: [] });
    expect(num("0Xab")).toEqual({ text: "0Xab", isFloat: false, errors: [] });
  });

  it("reads an octal integer with a leading zero", () => {
    expect(num("017")).toEqual({ text: "017", isFloat: false, errors: [] });
  });

  it("refuses 08: numbers starting with a leading zero must be octal", () => {
    expect(num("08")).toEqual({ text: "08", isFloat: false, errors: ["1:1 invalid-number"] });
  });

  it("refuses 0899 once, however many digits are not octal", () => {
    expect(num("0899").errors).toEqual(["1:1 invalid-number"]);
  });

  it("refuses 0x without hex digits", () => {
    expect(num("0x").errors).toEqual(["1:1 invalid-number"]);
  });

  it("refuses 12abc: a number needs a space before an identifier", () => {
    const { tokens, diagnostics } = scan("12abc b");
    expect(tokens.map((t) => t.text)).toEqual(["12abc", "b"]);
    expect(tokens[0]!.malformed).toBe(true);
    expect(pinned("12abc b", diagnostics)).toEqual(["1:1 invalid-number"]);
    expect(diagnostics[0]!.data["reason"]).toBe("trailing");
  });

  it("refuses a hex number followed by a fraction (0x1.5): hex and octal numbers must be integers", () => {
    const { diagnostics } = scan("0x1.5");
    expect(pinned("0x1.5", diagnostics)).toEqual(["1:1 invalid-number"]);
    expect(diagnostics[0]!.data["reason"]).toBe("integer-fraction");
  });

  it("refuses an octal number followed by a fraction (07.5)", () => {
    expect(scan("07.5").diagnostics.map((d) => d.data["reason"])).toEqual(["integer-fraction"]);
  });

  it("marks a well-formed number as not malformed", () => {
    expect(scan("7").tokens[0]!.malformed).toBe(false);
  });
});

describe("scanner: floats", () => {
  it.each([
    ["1e-5", "an exponent with a sign"],
    ["1E5", "an upper-case exponent"],
    ["1e+5", "an exponent with a plus sign"],
    [".5", "a leading dot"],
    ["5.", "a trailing dot"],
    ["1.5", "a fraction"],
    ["1f", "an f suffix on an integer"],
    ["1.5F", "an F suffix"],
    ["0.5", "a leading zero before the dot"],
  ])("reads %s (%s) as one float token", (text) => {
    expect(num(text)).toEqual({ text, isFloat: true, errors: [] });
  });

  it("refuses 1e: an exponent needs digits", () => {
    const r = num("1e");
    expect(r.errors).toEqual(["1:1 invalid-number"]);
    expect(r.isFloat).toBe(true);
  });

  it("refuses 1e+ without exponent digits", () => {
    expect(num("1e+").errors).toEqual(["1:1 invalid-number"]);
  });

  it("refuses a second decimal point (1.2.3)", () => {
    expect(num("1.2.3")).toEqual({ text: "1.2.3", isFloat: true, errors: ["1:1 invalid-number"] });
    expect(scan("1.2.3").diagnostics[0]!.data["reason"]).toBe("extra-point");
  });

  it("refuses a decimal point after an exponent (1e5.5)", () => {
    expect(scan("1e5.5").diagnostics.map((d) => d.data["reason"])).toEqual(["extra-point"]);
  });

  it("reads a lone dot as a symbol, not a number", () => {
    expect(scan(".").tokens.map((t) => t.kind)).toEqual([Tok.Symbol]);
  });
});

describe("scanner: strings", () => {
  it("reads a double-quoted string", () => {
    expect(str('"conv1"')).toEqual({ value: "conv1", errors: [] });
  });

  it("reads a single-quoted string", () => {
    expect(str("'conv1'")).toEqual({ value: "conv1", errors: [] });
  });

  it("allows a double quote inside single quotes", () => {
    expect(str(`'say "hi"'`).value).toBe('say "hi"');
  });

  it("allows a single quote inside double quotes", () => {
    expect(str(`"it's"`).value).toBe("it's");
  });

  it("reads an empty string", () => {
    expect(str('""')).toEqual({ value: "", errors: [] });
  });

  it("keeps non-ASCII text as it is", () => {
    expect(str('"données é 😀"')).toEqual({ value: "données é 😀", errors: [] });
  });

  it.each([
    ["\\n", "\n"],
    ["\\t", "\t"],
    ["\\r", "\r"],
    ["\\\\", "\\"],
    ["\\'", "'"],
    ['\\"', '"'],
    ["\\a", "\x07"],
    ["\\b", "\b"],
    ["\\f", "\f"],
    ["\\v", "\v"],
    ["\\?", "?"],
  ])("decodes the escape %s", (escape, value) => {
    expect(str(`"x${escape}y"`)).toEqual({ value: `x${value}y`, errors: [] });
  });

  it("decodes a three-digit octal escape (\\101 is A)", () => {
    expect(str('"\\101"').value).toBe("A");
  });

  it("decodes a one-digit octal escape (\\0 is NUL)", () => {
    expect(str('"\\0"').value).toBe("\0");
  });

  it("takes at most three octal digits (\\1014 is A then 4)", () => {
    expect(str('"\\1014"').value).toBe("A4");
  });

  it("keeps the low byte of an octal escape above 255 (\\400 is NUL, as protoc does)", () => {
    expect(str('"\\400"').value).toBe("\0");
  });

  it("decodes a two-digit hex escape (\\x41 is A)", () => {
    expect(str('"\\x41"').value).toBe("A");
  });

  it("decodes a one-digit hex escape (\\x9 is a tab)", () => {
    expect(str('"\\x9"').value).toBe("\t");
  });

  it("takes at most two hex digits (\\x414 is A then 4)", () => {
    expect(str('"\\x414"').value).toBe("A4");
  });

  it("keeps hex-escaped bytes that are not UTF-8 as bytes", () => {
    expect(str('"\\xff\\x00"')).toEqual({ value: "\ufffd\0", bytes: [0xff, 0], errors: [] });
  });

  it("reads hex-escaped UTF-8 bytes as text (\\xc3\\xa9 is é)", () => {
    expect(str('"\\xc3\\xa9"')).toEqual({ value: "é", errors: [] });
  });

  it("decodes a \\u escape as UTF-8 (\\u00e9 is é)", () => {
    expect(str('"\\u00e9"')).toEqual({ value: "é", errors: [] });
  });

  it("joins a \\u surrogate pair into one code point, as protoc does", () => {
    expect(str('"\\ud83d\\ude00"')).toEqual({ value: "😀", errors: [] });
  });

  it("writes a lone \\u surrogate as its 3-byte form, as protoc does", () => {
    expect(str('"\\ud800"').bytes).toEqual([0xed, 0xa0, 0x80]);
  });

  it("decodes a \\U escape of eight hex digits", () => {
    expect(str('"\\U0001F600"')).toEqual({ value: "😀", errors: [] });
  });

  it("keeps a \\U escape past U+10FFFF as its text, as protoc does", () => {
    expect(str('"\\U00110000"')).toEqual({ value: "\\U00110000", errors: [] });
  });

  it("refuses a \\U escape past U+1FFFFF", () => {
    expect(str('"\\U00200000"').errors).toEqual(["1:2 invalid-escape"]);
  });

  it("refuses an unknown escape (\\q), at its backslash", () => {
    expect(str('"ab\\qc"').errors).toEqual(["1:4 invalid-escape"]);
  });

  it("refuses \\X: protoc's hex escape is lower-case \\x only", () => {
    expect(str('"\\X41"').errors).toEqual(["1:2 invalid-escape"]);
  });

  it("refuses \\x without hex digits", () => {
    expect(str('"\\x"').errors).toEqual(["1:2 invalid-escape"]);
  });

  it("refuses \\u with fewer than four hex digits", () => {
    expect(str('"\\u12"').errors).toEqual(["1:2 invalid-escape"]);
  });

  it("marks a string with a bad escape as malformed", () => {
    expect(scan('"\\q"').tokens[0]!.malformed).toBe(true);
  });

  it("refuses a string that runs into the end of the line, at its opening quote", () => {
    const text = 'a: "abc\nb: 1';
    const { tokens, diagnostics } = scan(text);
    expect(pinned(text, diagnostics)).toEqual(["1:4 unterminated-string"]);
    expect(tokens.map((t) => t.text)).toEqual(["a", ":", '"abc', "b", ":", "1"]);
  });

  it("refuses a string that runs into the end of the input", () => {
    expect(pinned('a: "abc', scan('a: "abc').diagnostics)).toEqual(["1:4 unterminated-string"]);
  });

  it("pins a bad escape on a later line to its line and column", () => {
    const text = 'a: 1\n  b: "x\\qy"\n';
    expect(pinned(text, scan(text).diagnostics)).toEqual(["2:8 invalid-escape"]);
  });
});

describe("scanner: layout", () => {
  it("skips a UTF-8 byte-order mark at the start", () => {
    const { tokens, diagnostics } = scan("\ufeffname: 1");
    expect(tokens.map((t) => t.text)).toEqual(["name", ":", "1"]);
    expect(tokens[0]!.start).toBe(1);
    expect(diagnostics).toEqual([]);
  });

  it("counts CRLF line endings as one line each", () => {
    const text = "a: 1\r\nb: 2\r\n  c: 3";
    const { tokens } = scan(text);
    const c = tokens.find((t) => t.text === "c")!;
    expect(at(text, c.start)).toBe("3:3");
  });

  it("reads the last token when there is no trailing newline", () => {
    expect(scan("a: 1").tokens.map((t) => t.text)).toEqual(["a", ":", "1"]);
  });

  it("reads an empty text as no tokens", () => {
    expect(scan("").tokens).toEqual([]);
  });

  it("treats tabs, vertical tabs and form feeds as spaces", () => {
    expect(scan("a\t:\v1\f").tokens.map((t) => t.text)).toEqual(["a", ":", "1"]);
  });
});

describe("tokenStartAfter", () => {
  it("finds the next token past spaces, newlines and comments", () => {
    const text = "name   # c\n\n  : 1";
    expect(text.slice(tokenStartAfter(text, 4))).toBe(": 1");
  });

  it("returns the text length at the end of input", () => {
    expect(tokenStartAfter("a  # c", 1)).toBe(6);
  });
});
