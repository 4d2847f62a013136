/**
 * Issue 7: hostile bytes in text input — NUL and invalid UTF-8 in strings, random binary, an
 * empty file, a 5 MB string literal. Compared with protoc where protoc accepts the input.
 */
import { describe, expect, it } from "vitest";
import { createRng } from "../../src/numeric/rng.js";
import { runProtoc, skipWithoutProtoc } from "../helpers/protoc.js";
import { runCli, runCliAsync } from "../cli/run-cli.js";

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

describe("NUL and invalid UTF-8 (encode, the real CLI)", () => {
  it("refuses a raw NUL inside a string at its line:col, as protoc does (exit 2, nothing written)", () => {
    const input = bytes('name: "n"\nlayer { name: "a', [0], 'b" }\n');
    const r = runCli(["encode", "-"], { input });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("<stdin>:2:17: error: Unexpected end of string: a NUL character cannot stand in a string literal");
    expect(r.stdout).toBe("");
    if (!skipWithoutProtoc) expect(runProtoc(input).ok).toBe(false);
  });

  it("refuses a raw NUL between fields (protoc: invalid control characters)", () => {
    const r = runCli(["encode", "-"], { input: bytes('name: "a"', [0], "\n") });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^<stdin>:1:10: error: /m);
  });

  it("refuses a NUL inside a comment, as protoc does (its comment ends there)", () => {
    const input = bytes("# a", [0], 'b\nname: "x" # ', [0], "\n# ok\n");
    const r = runCli(["encode", "-"], { input });
    expect(r.status).toBe(2);
    expect(r.stderr.match(/^<stdin>:\d+:\d+: error: .*\[nul-in-comment\]$/gm)?.map((l) => l.split(": error")[0])).toEqual(["<stdin>:1:4", "<stdin>:2:13"]);
    if (!skipWithoutProtoc) expect(runProtoc(input).ok).toBe(false);
  });

  it("does not blame the comments after a NUL that stood elsewhere", () => {
    const r = runCli(["encode", "-"], { input: bytes('name: "a', [0], 'b" # one\n# two\n') });
    expect(r.stderr.match(/\[nul-in-[a-z]+\]/g)).toEqual(["[nul-in-string]"]);
  });

  it("refuses invalid UTF-8 in a string at the first bad byte, once per literal", () => {
    const input = bytes('name: "n"\nlayer {\n  name: "caf', [0xe9, 0xff], 'x"\n}\n');
    const r = runCli(["encode", "-"], { input });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("<stdin>:3:13: error: Invalid UTF-8 in a string literal");
    expect(r.stderr.match(/invalid-utf8/g)).toHaveLength(1);
  });

  it("counts a bad byte as one column, so errors after it on the line point right", () => {
    const r = runCli(["encode", "-"], { input: bytes("# ", [0xff, 0xfe], "\nname: ", [0xc3], ' "x" nmae: "y"\n') });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^<stdin>:2:7: error: Expected/m);
  });

  it.skipIf(skipWithoutProtoc)("accepts invalid UTF-8 in a comment and writes protoc's bytes", () => {
    const input = bytes("# caf", [0xe9, 0xff], '\nname: "a" # ', [0x80], "\n");
    const r = runCli(["encode", "-"], { input });
    expect(r.status).toBe(0);
    expect(r.stdoutBytes.equals(runProtoc(input).stdout)).toBe(true);
  });

  it.skipIf(skipWithoutProtoc)("accepts escapes that make non-UTF-8 bytes (\\377) and writes protoc's bytes", () => {
    const input = bytes('name: "a\\377\\000b"\n');
    const r = runCli(["encode", "-"], { input });
    expect(r.status).toBe(0);
    expect([...r.stdoutBytes]).toEqual([0x0a, 4, 0x61, 0xff, 0, 0x62]);
    expect(r.stdoutBytes.equals(runProtoc(input).stdout)).toBe(true);
  });

  it("lint --fix keeps bytes that are not UTF-8 in comments", async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const path = join(mkdtempSync(join(tmpdir(), "c2t-")), "net.prototxt");
    const before = bytes('layer { # caf', [0xe9], "\n  name: \"bn\" type: \"BatchNorm\" bottom: \"data\" top: \"bn\"\n  param { lr_mult: 1 } param { lr_mult: 1 } param { lr_mult: 1 }\n}\n");
    writeFileSync(path, before);
    runCli(["lint", "--fix", path]);
    const after = readFileSync(path);
    expect(after.toString("latin1")).toContain("# caf\xe9\n");
    expect(after.toString("latin1")).toContain("lr_mult: 0");
  });
});

describe("empty and random input", () => {
  it.skipIf(skipWithoutProtoc)("encodes an empty file to zero bytes, as protoc does", () => {
    const r = runCli(["encode", "-"], { input: "" });
    expect(r.status).toBe(0);
    expect(r.stdoutBytes.length).toBe(0);
    expect(runProtoc("").stdout.length).toBe(0);
  });

  const rng = createRng(7);
  const samples = Array.from({ length: 2 }, () => Uint8Array.from({ length: 4096 }, () => rng.nextUint32() & 255));
  for (const command of ["encode", "decode", "convert", "explain", "lint", "verify"]) {
    it(`${command} answers random bytes with exit 0, 1 or 2 and no stack trace`, async () => {
      for (const input of samples) {
        const r = await runCliAsync([command, "-"], { input });
        expect([0, 1, 2]).toContain(r.status);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
        // Binary data given as a prototxt: one line saying so (issue 12), not an error per byte run.
        if (command !== "decode" && command !== "lint") expect(r.stderr).toBe("<stdin>: error: This is binary data, not a text prototxt (a .caffemodel goes to --weights, caffe2torch inspect or decode). [binary-input]\n");
      }
    });
  }
});

describe("a 5 MB string literal", () => {
  it.skipIf(skipWithoutProtoc)("encodes to protoc's bytes", () => {
    const input = `name: "${"x".repeat(5_000_000)}"\nlayer { name: "${"é".repeat(100_000)}\\n" }\n`;
    const r = runCli(["encode", "-"], { input });
    expect(r.status).toBe(0);
    expect(r.stdoutBytes.equals(runProtoc(input).stdout)).toBe(true);
  });
});
