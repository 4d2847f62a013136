import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/lint/diff.js";

const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join("");

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\n", "a\n", "f")).toBe("");
  });

  it("writes one hunk with three lines of context", () => {
    const before = lines(10);
    const after = before.replace("line 5\n", "line five\n");
    expect(unifiedDiff(before, after, "net.prototxt")).toBe(
      "--- a/net.prototxt\n+++ b/net.prototxt\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n",
    );
  });

  it("separates distant changes into hunks and counts insertions", () => {
    const before = lines(20);
    const after = before.replace("line 2\n", "line 2\nnew\n").replace("line 18\n", "");
    expect(unifiedDiff(before, after, "f")).toBe(
      "--- a/f\n+++ b/f\n@@ -1,5 +1,6 @@\n line 1\n line 2\n+new\n line 3\n line 4\n line 5\n@@ -15,6 +16,5 @@\n line 15\n line 16\n line 17\n-line 18\n line 19\n line 20\n",
    );
  });

  it("marks a last line without newline and keeps CR in CRLF lines", () => {
    expect(unifiedDiff("a\r\nb", "a\r\nc", "f")).toBe("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\r\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n");
  });

  it("diffs against an empty text", () => {
    expect(unifiedDiff("", "x\n", "f")).toBe("--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n");
  });
});

describe("unifiedDiff of thousands of changes", () => {
  it("pairs changed lines in place past the exact search's limit, and the hunk rebuilds both texts", () => {
    const before = Array.from({ length: 6000 }, (_, i) => `line ${i}\n`).join("");
    const after = before.replace(/^line (\d*[02468])$/gm, "LINE $1");
    const diff = unifiedDiff(before, after, "f");
    const body = diff.split("\n").slice(3, -1);
    expect(diff.split("\n")[2]).toBe("@@ -1,6000 +1,6000 @@");
    expect(body.filter((l) => !l.startsWith("+")).map((l) => l.slice(1) + "\n").join("")).toBe(before);
    expect(body.filter((l) => !l.startsWith("-")).map((l) => l.slice(1) + "\n").join("")).toBe(after);
    expect(body.slice(0, 3)).toEqual(["-line 0", "+LINE 0", " line 1"]);
  });

  it("still finds the shortest script for a few insertions in a long text", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `l${i}\n`);
    const after = [...lines.slice(0, 2500), "new\n", ...lines.slice(2500)].join("");
    expect(unifiedDiff(lines.join(""), after, "f")).toBe("--- a/f\n+++ b/f\n@@ -2498,6 +2498,7 @@\n l2497\n l2498\n l2499\n+new\n l2500\n l2501\n l2502\n");
  });
});
