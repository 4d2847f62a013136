import { describe, expect, it } from "vitest";
import { codeUnits, internalized } from "../../src/textproto/chars.js";
import { Scanner, Tok } from "../../src/textproto/scanner.js";

describe("codeUnits", () => {
  it("gives ASCII text as bytes, with two zeros after the end", () => {
    const units = codeUnits('layer { name: "a" }');
    expect(units).toBeInstanceOf(Uint8Array);
    expect(units.length).toBe(21);
    expect(String.fromCharCode(...units.subarray(0, 19))).toBe('layer { name: "a" }');
    expect([...units.subarray(19)]).toEqual([0, 0]);
  });

  it("gives other text as UTF-16 code units, surrogates and a BOM included", () => {
    const text = "\uFEFFname: \"é😀\ud800\" # ü";
    const units = codeUnits(text);
    expect(units).toBeInstanceOf(Uint16Array);
    expect(units.length).toBe(text.length + 2);
    expect([...units.subarray(0, text.length)]).toEqual([...text].flatMap((c) => [...Array(c.length).keys()].map((i) => c.charCodeAt(i))));
  });

  it("gives an empty text as just the two zeros", () => {
    expect([...codeUnits("")]).toEqual([0, 0]);
  });
});

describe("internalized", () => {
  it("returns a string equal to its argument", () => {
    const s = "convolution_param".slice(0, 11);
    expect(internalized(s)).toBe("convolution");
  });
});

describe("Scanner over non-ASCII text", () => {
  it("reads identifiers, numbers and strings at the same offsets as over ASCII text", () => {
    const text = 'é_x: 1.5 name: "ü" # ç\nnext: 0x1F';
    const s = new Scanner(text, [], []);
    const tokens: [Tok, string][] = [];
    while (s.next() !== Tok.EOF) tokens.push([s.kind, s.tokenText()]);
    // `é` is no letter for protoc's tokenizer: a symbol, then `_x`.
    expect(tokens).toEqual([
      [Tok.Symbol, "é"], [Tok.Identifier, "_x"], [Tok.Symbol, ":"], [Tok.Number, "1.5"],
      [Tok.Identifier, "name"], [Tok.Symbol, ":"], [Tok.String, '"ü"'], [Tok.Identifier, "next"], [Tok.Symbol, ":"], [Tok.Number, "0x1F"],
    ]);
  });
});
