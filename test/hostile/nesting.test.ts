/**
 * Issue 7: nesting deep enough to overflow a recursive parser. The text parser refuses messages
 * nested more than MAX_NESTING_DEPTH levels at the opener that crosses the limit; binary input
 * stops at protobuf's recursion limit with the byte offset.
 */
import { describe, expect, it } from "vitest";
import { LineIndex } from "../../src/diagnostics/range.js";
import { encodeNet } from "../../src/schema/net-binary.js";
import { readNet } from "../../src/schema/read.js";
import { MAX_NESTING_DEPTH } from "../../src/textproto/parser.js";
import { parseTextProto } from "../../src/textproto/tree-builder.js";
import { runCli } from "../cli/run-cli.js";

const nested = (depth: number, closed = true): string => "a {".repeat(depth) + (closed ? "}".repeat(depth) : "");

function errorsAt(text: string): string[] {
  const lines = new LineIndex(text);
  return parseTextProto(text).diagnostics.map((d) => {
    const { line, column } = lines.position(d.range!.offset);
    return `${line}:${column} ${d.code}`;
  });
}

describe("the text parser's nesting limit", () => {
  it("reads messages nested exactly MAX_NESTING_DEPTH (100) levels deep", () => {
    expect(MAX_NESTING_DEPTH).toBe(100);
    const { document, diagnostics } = parseTextProto(nested(100));
    expect(diagnostics).toEqual([]);
    let fields = document.fields;
    let depth = 0;
    while (fields.length) {
      const v = fields[0]!.value;
      fields = v?.kind === "message" ? v.fields : [];
      depth++;
    }
    expect(depth).toBe(100);
  });

  it("refuses the 101st level at its opening brace and reads the fields after the block", () => {
    const text = nested(101) + "\nb: 1\n";
    expect(errorsAt(text)).toEqual([`1:${100 * 3 + 3} nesting-too-deep`]);
    const fields = parseTextProto(text).document.fields;
    expect(fields.map((f) => f.name)).toEqual(["a", "b"]);
  });

  it("refuses a too-deep message inside a list the same way", () => {
    const text = "x: [" + "{ a: [".repeat(100) + "{}" + "] }".repeat(100) + "]\ny: 2\n";
    expect(errorsAt(text)).toEqual([`1:${4 + 100 * 6 + 1} nesting-too-deep`]);
    expect(parseTextProto(text).document.fields.map((f) => f.name)).toEqual(["x", "y"]);
  });

  it("reports 200,000 unclosed levels once, at the limit, without overflowing the stack", () => {
    const text = "layer {".repeat(200_000);
    expect(errorsAt(text)).toEqual([`1:${100 * 7 + 7} nesting-too-deep`]);
  });

  it("still reports the enclosing blocks as unclosed when the too-deep block itself is closed", () => {
    const text = "a {".repeat(101) + "}";
    expect(errorsAt(text)).toEqual([`1:303 nesting-too-deep`, ...Array.from({ length: 100 }, (_, i) => `1:${(99 - i) * 3 + 3} unclosed-message`)]);
  });

  it("keeps the schema stages (binder, encoder, upgrade) safe on the bounded tree", () => {
    const text = "layer {".repeat(200_000) + "}".repeat(200_000);
    const codes = (ds: { code: string }[]) => [...new Set(ds.map((d) => d.code))].sort();
    expect(codes(encodeNet(text).diagnostics)).toEqual(["nesting-too-deep", "unknown-field"]);
    expect(codes(encodeNet(text, { allowUnknown: true, upgrade: true }).diagnostics)).toContain("nesting-too-deep");
    expect(codes(readNet(text, { allowUnknown: true }).diagnostics)).toContain("nesting-too-deep");
  });
});

describe("every command on 200,000 nested `layer {` (the real CLI)", () => {
  const input = "layer {".repeat(200_000);
  for (const command of ["encode", "decode", "convert", "explain", "lint", "verify"]) {
    it(`${command} refuses it cleanly: exit 1 or 2, FILE:LINE:COL or a byte offset, no stack trace`, () => {
      const r = runCli([command, "-"], { input });
      expect([1, 2]).toContain(r.status);
      expect(r.stderr + r.stdout).not.toMatch(/internal error|Maximum call stack|at .*\.js:\d+/);
      if (command === "decode") expect(r.stderr).toMatch(/^<stdin>: offset \d+: error: /m);
      // One wording in every command (issue 12): lint's syntax finding reads as the others' error.
      else if (command === "lint") expect(r.stdout).toMatch(/1:707 +error +Messages nest more than 100 levels deep here/);
      else expect(r.stderr).toContain("<stdin>:1:707: error: Messages nest more than 100 levels deep here");
    });
  }

  it("decode refuses 200,000 nested groups in binary input at protobuf's limit, naming the byte offset", () => {
    // Tag 0x0b: field 1, wire type 3 (start group). Groups are skipped as unknown fields.
    const r = runCli(["decode", "-"], { input: new Uint8Array(200_000).fill(0x0b) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^<stdin>: offset 100: error: Messages nest more than 100 levels deep/m);
  });
});
