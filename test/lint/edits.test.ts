import { describe, expect, it } from "vitest";
import { applyEdits, editsOverlap, selectFixes } from "../../src/lint/edits.js";

describe("applyEdits", () => {
  it("applies edits given in any order to the original text", () => {
    expect(applyEdits("abcdef", [{ offset: 4, length: 1, content: "E" }, { offset: 0, length: 0, content: ">" }, { offset: 1, length: 2, content: "" }])).toBe(">adEf");
  });

  it("puts an insertion before a replacement at the same offset", () => {
    expect(applyEdits("abc", [{ offset: 1, length: 1, content: "B" }, { offset: 1, length: 0, content: "+" }])).toBe("a+Bc");
  });

  it("throws on overlapping edits (a rule bug, never user input)", () => {
    expect(() => applyEdits("abcdef", [{ offset: 0, length: 3, content: "" }, { offset: 2, length: 2, content: "" }])).toThrow(/overlapping/);
  });
});

describe("editsOverlap", () => {
  it("treats two insertions at one offset as overlapping, touching ranges as not", () => {
    expect(editsOverlap({ offset: 2, length: 0, content: "a" }, { offset: 2, length: 0, content: "b" })).toBe(true);
    expect(editsOverlap({ offset: 0, length: 2, content: "" }, { offset: 2, length: 2, content: "" })).toBe(false);
    expect(editsOverlap({ offset: 0, length: 3, content: "" }, { offset: 1, length: 0, content: "x" })).toBe(true);
  });
});

describe("selectFixes", () => {
  it("takes whole groups in order and skips a group that clashes with one taken", () => {
    const a = [{ offset: 0, length: 1, content: "A" }, { offset: 5, length: 1, content: "F" }];
    const b = [{ offset: 5, length: 1, content: "X" }];
    const c = [{ offset: 2, length: 1, content: "C" }];
    const { edits, skipped } = selectFixes([a, b, c]);
    expect(skipped).toBe(1);
    expect(applyEdits("abcdef", edits)).toBe("AbCdeF");
  });
});

describe("selectFixes with many edits", () => {
  it("skips a small edit inside a long one taken before, whatever buckets they fall in", () => {
    const long = [{ offset: 10, length: 5000, content: "" }];
    const inside = [{ offset: 4000, length: 1, content: "x" }];
    const insertion = [{ offset: 2000, length: 0, content: "y" }];
    const after = [{ offset: 5010, length: 0, content: "z" }];
    expect(selectFixes([long, inside, insertion, after])).toEqual({ edits: [...long, ...after], skipped: 2 });
  });

  it("takes 50,000 disjoint fixes and skips 50,000 that each clash with one of them", () => {
    const fixes = Array.from({ length: 50_000 }, (_, i) => [{ offset: i * 10, length: 3, content: "a" }]);
    const clashes = Array.from({ length: 50_000 }, (_, i) => [{ offset: i * 10 + 2, length: 0, content: "b" }]);
    const { edits, skipped } = selectFixes([...fixes, ...clashes]);
    expect(edits).toHaveLength(50_000);
    expect(skipped).toBe(50_000);
  });
});
