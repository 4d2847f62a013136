import { describe, expect, it } from "vitest";
import { jsonText } from "../../src/diagnostics/json-text.js";

/** What may not appear raw (the line feeds of the indentation aside). */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/;

describe("jsonText", () => {
  it("escapes DEL, C1 controls, bidi controls and line separators that JSON.stringify leaves raw", () => {
    const name = "a\u007fb\u009bc\u202ed\u2066e\u2028f\u200fg\u001bh";
    expect(JSON.stringify(name)).toMatch(/[\u007f\u009b\u202e]/);
    const text = jsonText({ name });
    expect(text).not.toMatch(RAW);
    expect(text).toContain("a\\u007fb\\u009bc\\u202ed\\u2066e\\u2028f\\u200fg\\u001bh");
  });

  it("keeps every value exact: what it writes parses back to the same data", () => {
    const chars = Array.from({ length: 0x2100 }, (_, i) => String.fromCharCode(i)).join("");
    const value = { chars, nested: [chars.slice(0x70, 0xa0), { "key\u202e": 1.5, n: null, t: true }], emoji: "\u{1f600}", lone: "\ud800" };
    expect(JSON.parse(jsonText(value))).toEqual(value);
  });

  it("leaves other text as JSON.stringify writes it, with the indent asked for", () => {
    const value = { a: "plain ü ✓", b: [1, 2] };
    expect(jsonText(value)).toBe(JSON.stringify(value, null, 2));
    expect(jsonText(value, 0)).toBe(JSON.stringify(value));
  });
});
