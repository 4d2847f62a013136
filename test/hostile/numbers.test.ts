/**
 * Issue 7: numbers at and beyond the limits of each field type. Where protoc accepts, our bytes
 * must be protoc's; where it refuses, we refuse on the same line, with our own code.
 */
import { describe, expect, it } from "vitest";
import { encodeNet } from "../../src/schema/net-binary.js";
import { runProtoc, skipWithoutProtoc } from "../helpers/protoc.js";

const bn = (v: string): string => `layer { batch_norm_param { eps: ${v} } }`;
const axis = (v: string): string => `layer { convolution_param { axis: ${v} } }`;
const numOutput = (v: string): string => `layer { convolution_param { num_output: ${v} } }`;
const dim = (v: string): string => `input_shape { dim: ${v} }`;

/** [description, text, our error code or null when accepted]. */
const CASES: [string, string, string | null][] = [
  ["a float beyond double (1e999) is infinity", bn("1e999"), null],
  ["a float beyond float32 (3.5e38) is infinity", bn("3.5e38"), null],
  ["-1e999 is minus infinity", bn("-1e999"), null],
  ["1e-999 is zero", bn("1e-999"), null],
  ["a float32 denormal (1e-45)", bn("1e-45"), null],
  ["an exponent of twenty digits", bn("1e99999999999999999999"), null],
  ["400 digits of integer for a float", bn("9".repeat(400)), null],
  ["500 zeros after the point", bn(`0.${"0".repeat(500)}1`), null],
  ["nan", bn("nan"), null],
  ["-NaN", bn("-NaN"), null],
  ["inf", bn("inf"), null],
  ["-Infinity", bn("-Infinity"), null],
  ["INF", bn("INF"), null],
  ["inff is not a float", bn("inff"), "expected-double"],
  ["a hex float is refused", bn("0x10"), "expected-decimal"],
  ["int32 max", axis("2147483647"), null],
  ["int32 min", axis("-2147483648"), null],
  ["int32 min in hex", axis("-0x80000000"), null],
  ["int32 max + 1", axis("2147483648"), "integer-out-of-range"],
  ["int32 min - 1", axis("-2147483649"), "integer-out-of-range"],
  ["int32 0x80000000", axis("0x80000000"), "integer-out-of-range"],
  ["-0 for int32", axis("-0"), null],
  ["nan for an integer", axis("nan"), "expected-integer"],
  ["inf for an integer", axis("inf"), "expected-integer"],
  ["uint32 max", numOutput("4294967295"), null],
  ["uint32 max in octal", numOutput("037777777777"), null],
  ["uint32 max + 1", numOutput("4294967296"), "integer-out-of-range"],
  ["uint32 octal beyond", numOutput("040000000000"), "integer-out-of-range"],
  ["a negative uint32", numOutput("-1"), "expected-integer"],
  ["int64 max", dim("9223372036854775807"), null],
  ["int64 min", dim("-9223372036854775808"), null],
  ["int64 max + 1", dim("9223372036854775808"), "integer-out-of-range"],
  ["int64 min - 1", dim("-9223372036854775809"), "integer-out-of-range"],
  ["uint64 max in hex for int64", dim("0xFFFFFFFFFFFFFFFF"), "integer-out-of-range"],
  ["thirty digits for int64", dim("123456789012345678901234567890"), "integer-out-of-range"],
  ["a float for int64", dim("1.0"), "expected-integer"],
  ["an exponent for int64", dim("1e3"), "expected-integer"],
  ["2 for a bool", "force_backward: 2", "integer-out-of-range"],
  ["an enum number beyond int32", "state { phase: 99999999999 }", "integer-out-of-range"],
];

describe("numbers out of range", () => {
  for (const [what, text, code] of CASES) {
    it(`${what}: ${code ?? "accepted"}`, () => {
      const ours = encodeNet(text + "\n");
      const errors = ours.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
      expect(errors).toEqual(code ? [code] : []);
    });
  }

  it.skipIf(skipWithoutProtoc)("agrees with protoc on every case: same bytes, or refused on the same line", () => {
    for (const [, text, code] of CASES) {
      const protoc = runProtoc(text + "\n");
      const ours = encodeNet(text + "\n");
      expect({ text, ok: protoc.ok }).toEqual({ text, ok: code === null });
      if (ours.bytes) expect({ text, bytes: Buffer.from(ours.bytes).toString("hex") }).toEqual({ text, bytes: protoc.stdout.toString("hex") });
      else expect({ text, line: protoc.errorLine }).toEqual({ text, line: 1 });
    }
  });
});
