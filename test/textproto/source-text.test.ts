import { describe, expect, it } from "vitest";
import { decodeSourceText, encodeSourceText, isEscapedByte } from "../../src/textproto/source-text.js";

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

describe("decodeSourceText", () => {
  it("decodes valid UTF-8 as usual and keeps a byte-order mark", () => {
    const text = "\uFEFFname: \"café 😀\"";
    expect(decodeSourceText(new TextEncoder().encode(text))).toBe(text);
  });

  it("turns each byte of an invalid sequence into one lone surrogate U+DC80..U+DCFF", () => {
    const text = decodeSourceText(b(0x61, 0xff, 0xc3, 0x28, 0xe2, 0x82, 0x62));
    expect([...text].map((c) => c.charCodeAt(0).toString(16))).toEqual(["61", "dcff", "dcc3", "28", "dce2", "dc82", "62"]);
    expect(isEscapedByte(text.charCodeAt(1))).toBe(true);
    expect(isEscapedByte("a".charCodeAt(0))).toBe(false);
  });

  it("escapes overlong forms, encoded surrogates and code points past U+10FFFF", () => {
    for (const bad of [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      const text = decodeSourceText(b(...bad));
      expect(text.length).toBe(bad.length);
      expect([...text].every((c) => isEscapedByte(c.charCodeAt(0)))).toBe(true);
    }
  });

  it("round-trips any bytes through encodeSourceText", () => {
    let seed = 5;
    for (let round = 0; round < 200; round++) {
      const bytes = Uint8Array.from({ length: 64 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255);
      expect(Buffer.from(encodeSourceText(decodeSourceText(bytes))).equals(Buffer.from(bytes))).toBe(true);
    }
  });
});
