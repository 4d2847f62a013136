/**
 * The `FILE:LINE:COL: severity: message` report every command prints on standard error: a control
 * character from the file (in a name quoted by a message, or in the framed source line) is shown
 * as a symbol and never reaches the terminal; a file with thousands of errors prints the first 100.
 */
import { describe, expect, it } from "vitest";
import { diagnostic } from "../../src/diagnostics/diagnostic.js";
import { LineIndex } from "../../src/diagnostics/range.js";
import { formatDiagnostics, MAX_PRINTED_DIAGNOSTICS } from "../../src/cli/report.js";
import { runCli } from "./run-cli.js";
import { makeStyle } from "../../src/cli/color.js";
import { readNet } from "../../src/schema/read.js";

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

describe("formatDiagnostics with control characters", () => {
  it("shows ESC and other control characters from the file as symbols, keeping the caret under its column", () => {
    // A raw ESC in the source line and an escaped one in the unknown enum value the message quotes.
    const text = 'layer { name: "x" } # \u001b[2J\nlayer { name: "y" phase: \u001b]0;pwn }\n';
    const read = readNet(text);
    const errors = read.diagnostics.filter((d) => d.severity === "error");
    expect(errors.length).toBeGreaterThan(0);
    const out = formatDiagnostics("net.prototxt", new LineIndex(text), errors, makeStyle(false));
    expect(out).not.toMatch(/\u001b/);
    expect(out).toContain("\u241b");
    const lines = out.split("\n");
    const frame = lines.findIndex((l) => l.includes("layer { name: \"y\""));
    const caret = lines[frame + 1]!.indexOf("^");
    expect(lines[frame]!.slice(caret)).toMatch(/^\u241b|^[a-z]/);
  });
});
