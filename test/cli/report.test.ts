import { describe, expect, it } from "vitest";
import { diagnostic } from "../../src/diagnostics/diagnostic.js";
import { LineIndex } from "../../src/diagnostics/range.js";
import { formatDiagnostics, MAX_PRINTED_DIAGNOSTICS } from "../../src/cli/report.js";
import { runCli } from "./run-cli.js";

const plain = { error: (s: string) => s, warning: (s: string) => s, info: (s: string) => s, bold: (s: string) => s, dim: (s: string) => s };

describe("formatDiagnostics", () => {
  it(`prints at most ${MAX_PRINTED_DIAGNOSTICS} diagnostics, errors first, then counts the rest`, () => {
    const text = "x\n".repeat(300);
    const ds = Array.from({ length: 300 }, (_, i) =>
      diagnostic(i % 3 === 0 ? "unknown-field" : "float-out-of-range", i % 3 === 0 ? "error" : "warning", { offset: i * 2, length: 1 }, { field: "x", message: "M", value: "1e999" }),
    );
    const out = formatDiagnostics("f.prototxt", new LineIndex(text), ds, plain as never);
    expect(out.match(/^f\.prototxt:\d+:\d+: error:/gm)).toHaveLength(100);
    expect(out.match(/^f\.prototxt:\d+:\d+: warning:/gm)).toBeNull();
    expect(out.trimEnd().split("\n").at(-1)).toBe("f.prototxt: … and 200 more not shown (200 warnings).");
  });

  it("names the byte offset of a diagnostic of binary input", () => {
    const d = diagnostic("truncated-message", "error", undefined, { offset: 17, what: "varint" });
    expect(formatDiagnostics("m.caffemodel", new LineIndex(""), [d], plain as never)).toBe(
      "m.caffemodel: offset 17: error: The input ends in the middle of a field: the file is truncated or corrupt. [truncated-message]\n",
    );
  });
});

describe("a file with 30,000 unknown fields (the real CLI)", () => {
  it("encode prints the first 100 errors with their did-you-means and a count of the rest, exit 2", () => {
    const input = 'layer { nmae: "a" }\n'.repeat(30_000);
    const r = runCli(["encode", "-"], { input });
    expect(r.status).toBe(2);
    expect(r.stderr.match(/Did you mean "name"\?/g)).toHaveLength(100);
    expect(r.stderr).toContain("<stdin>: … and 29900 more not shown (29900 errors).");
  });
});
