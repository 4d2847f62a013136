import { describe, expect, it } from "vitest";
import { codeFrame } from "../../src/diagnostics/code-frame.js";
import { LineIndex } from "../../src/diagnostics/range.js";

describe("codeFrame", () => {
  it("shows a short line whole with the caret under the range", () => {
    expect(codeFrame(new LineIndex("a: 1\nbb: x\n"), { offset: 9, length: 1 })).toBe("2 | bb: x\n  |     ^");
  });

  it("cuts a long line after 200 characters when the range is near its start", () => {
    const frame = codeFrame(new LineIndex("x".repeat(1000)), { offset: 3, length: 2 });
    expect(frame).toBe(`1 | ${"x".repeat(200)} …\n  |    ^^`);
  });

  it("shows a window around a range far into a long line, the caret under it", () => {
    const text = "a".repeat(1_000_000) + "BAD" + "b".repeat(1000);
    const [source, marker] = codeFrame(new LineIndex(text), { offset: 1_000_000, length: 3 }).split("\n") as [string, string];
    expect(source.startsWith("1 | … ")).toBe(true);
    expect(source.endsWith(" …")).toBe(true);
    expect(source.length).toBeLessThan(220);
    const caret = marker.indexOf("^");
    expect(source.slice(caret, caret + 3)).toBe("BAD");
    expect(marker.slice(caret)).toBe("^^^");
  });
});
