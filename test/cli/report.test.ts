/**
 * The `FILE:LINE:COL: severity: message` report every command prints on standard error: a control
 * character from the file (in a name quoted by a message, or in the framed source line) is shown
 * as a symbol and never reaches the terminal.
 */
import { describe, expect, it } from "vitest";
import { makeStyle } from "../../src/cli/color.js";
import { formatDiagnostics } from "../../src/cli/report.js";
import { LineIndex } from "../../src/diagnostics/range.js";
import { readNet } from "../../src/schema/read.js";

describe("formatDiagnostics", () => {
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
