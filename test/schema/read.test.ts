import { describe, expect, it } from "vitest";
import { hasErrors } from "../../src/diagnostics/diagnostic.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import { encodeMessage } from "../../src/schema/encode.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { readNet } from "../../src/schema/read.js";
import { inCI, pinned, pinnedWithSeverity, protocAvailable, protocEncode, protocFirst, protocLineOf } from "../textproto/support.js";

const NET = loadCaffeSchema().message("caffe.NetParameter");

describe("readNet", () => {
  it("reads a current-format net", () => {
    const r = readNet('name: "n"\nlayer { name: "a" type: "Input" top: "data" }\n');
    expect(r.format).toBe("current");
    expect(r.diagnostics).toEqual([]);
    expect(r.net).toEqual({ name: "n", layer: [{ name: "a", type: "Input", top: ["data"] }] });
  });

  it("recognises a V1 net (layers with enum types)", () => {
    const r = readNet("layers { name: 'c' type: CONVOLUTION blobs_lr: 1 weight_decay: 1 }");
    expect(r.format).toBe("V1");
    expect(r.diagnostics).toEqual([]);
    expect((r.net["layers"] as BoundMessage[])[0]!["type"]).toBe("CONVOLUTION");
  });

  it("recognises a V0 net (layers wrapping layer)", () => {
    const r = readNet("layers { layer { name: 'c' type: 'conv' num_output: 8 } }");
    expect(r.format).toBe("V0");
    expect(r.diagnostics).toEqual([]);
  });

  it("recognises a file mixing layer and layers", () => {
    expect(readNet("layer { name: 'a' } layers { name: 'b' }").format).toBe("mixed");
  });

  it("recognises a net without layers", () => {
    expect(readNet("name: 'empty'").format).toBe("empty");
  });

  it("is strict by default: an unknown field is an error", () => {
    const text = "layer { bn_param { } }";
    expect(pinnedWithSeverity(text, readNet(text).diagnostics)).toEqual(["1:9 error unknown-field"]);
  });

  it("is lenient with allowUnknown: an unknown field is a warning kept in the source map", () => {
    const text = "layer { bn_param { frozen: true } name: 'x' }";
    const r = readNet(text, { allowUnknown: true });
    expect(pinnedWithSeverity(text, r.diagnostics)).toEqual(["1:9 warning unknown-field"]);
    const l = (r.net["layer"] as BoundMessage[])[0]!;
    expect(l).toEqual({ name: "x" });
    expect(r.sourceMap.unknownFields(l).map((f) => f.name)).toEqual(["bn_param"]);
  });

  it("keeps locations by default and can leave them out", () => {
    expect(readNet("name: 'x'").sourceMap.rangeOf(readNet("name: 'x'").net)).toBeUndefined();
    const r = readNet("name: 'x'");
    expect(r.sourceMap.get(r.net)).toBeDefined();
    const bare = readNet("name: 'x'", { locations: false });
    expect(bare.sourceMap.get(bare.net)).toBeUndefined();
  });

  it("returns the text, its line index and its comments", () => {
    const text = "# net\nname: 'x'\n";
    const r = readNet(text);
    expect(r.text).toBe(text);
    expect(r.lines.lineText(2)).toBe("name: 'x'");
    expect(r.comments.map((c) => text.slice(c.start, c.end))).toEqual(["# net"]);
  });

  it("never throws, whatever prefix of a net it is given", () => {
    const text =
      'name: "n"\nlayer { name: "c" type: "Convolution" bottom: "data" top: "c"\n' +
      "  param { lr_mult: 1 } convolution_param { num_output: 8 kernel_size: [3] weight_filler { type: 'xavier' } }\n" +
      "  include { phase: TEST } loss_weight: -1.5e-3f }\nlayers { type: RELU }\n";
    for (let i = 0; i <= text.length; i++) {
      expect(() => readNet(text.slice(0, i))).not.toThrow();
      expect(() => readNet(text.slice(0, i), { allowUnknown: true })).not.toThrow();
    }
  });
});

/**
 * Inputs protoc refuses. For each: the code and line:col we report (first error), and the line
 * protoc names. protoc reports some errors having consumed a token (an unknown field or enum
 * value, a duplicate field, a bad bool word, an unclosed block), so its line may be a later one;
 * we point at the culprit and record protoc's position as data.protoc_offset.
 */
const REFUSED: { name: string; text: string; first: string; protocLine: number }[] = [
  { name: "a negative uint32", text: "layer {\n  convolution_param {\n    num_output: -1\n  }\n}\n", first: "3:17 expected-integer", protocLine: 3 },
  { name: "a uint32 past 2^32-1", text: "layer { convolution_param {\n  num_output: 4294967296 } }\n", first: "2:15 integer-out-of-range", protocLine: 2 },
  { name: "an int32 past 2^31-1", text: "layer { convolution_param {\n  axis: 2147483648 } }\n", first: "2:9 integer-out-of-range", protocLine: 2 },
  { name: "a negative int32 whose digits are two lines below the sign", text: "input_dim: -\n\n2147483649\n", first: "1:12 integer-out-of-range", protocLine: 3 },
  { name: "a float from hex", text: "layer {\n  loss_weight: 0x10\n}\n", first: "2:16 expected-decimal", protocLine: 2 },
  { name: "a float from octal", text: "layer {\n  loss_weight: 010\n}\n", first: "2:16 expected-decimal", protocLine: 2 },
  { name: "bool 2", text: "force_backward: 2\n", first: "1:17 integer-out-of-range", protocLine: 1 },
  { name: "bool TRUE before a blank line", text: 'force_backward: TRUE\n\nname: "x"\n', first: "1:17 invalid-bool", protocLine: 3 },
  { name: "an unknown enum name before a blank line", text: "layer { pooling_param {\n  pool: FOO\n\n} }\n", first: "2:9 unknown-enum-value", protocLine: 4 },
  { name: "an unknown enum number", text: "layer { pooling_param {\n  pool: 7\n} }\n", first: "2:9 unknown-enum-value", protocLine: 3 },
  { name: "an enum number past int32", text: "layer { pooling_param { pool:\n 99999999999 } }\n", first: "2:2 integer-out-of-range", protocLine: 2 },
  { name: "an unknown V1 layer type number", text: "layers {\n  type: 999\n}\n", first: "2:9 unknown-enum-value", protocLine: 3 },
  { name: "a duplicate scalar whose colon is two lines down", text: 'name: "a"\nname\n\n: "b"\n', first: "2:1 duplicate-field", protocLine: 4 },
  { name: "a duplicate message whose brace is on the next line", text: "layer {\n  pooling_param { }\n  pooling_param\n  { }\n}\n", first: "3:3 duplicate-field", protocLine: 4 },
  { name: "a list on a singular field", text: 'name:\n  ["a"]\n', first: "1:1 list-for-singular-field", protocLine: 2 },
  { name: "a scalar for a message field", text: 'layer:\n  "x"\n', first: "2:3 expected-message", protocLine: 2 },
  { name: "a message for a scalar field, without colon", text: "name\n{ }\n", first: "2:1 expected-colon", protocLine: 2 },
  { name: "a message for a scalar field, with colon", text: "name:\n{ }\n", first: "2:1 expected-scalar", protocLine: 2 },
  { name: "an unknown field whose colon is on the next line", text: "layer {\n  num_ouput\n  : 3\n}\n", first: "2:3 unknown-field", protocLine: 3 },
  { name: "a fork field (bn_param)", text: "layer {\n  bn_param { frozen: true }\n}\n", first: "2:3 unknown-field", protocLine: 2 },
  { name: "an unknown field in a CRLF file", text: 'name: "x"\r\nlayer {\r\n  bogus: 1\r\n}\r\n', first: "3:3 unknown-field", protocLine: 3 },
  { name: "a double ;;", text: 'layer {\n  name: "x";;\n}\n', first: "2:13 expected-field-name", protocLine: 2 },
  { name: "a stray }", text: "layer { }\n}\n", first: "2:1 expected-field-name", protocLine: 2 },
  { name: "an unclosed { at the end of input", text: 'layer {\n  name: "x"\n', first: "1:7 unclosed-message", protocLine: 3 },
  { name: "an unclosed { without a trailing newline", text: 'layer {\n  name: "x"', first: "1:7 unclosed-message", protocLine: 2 },
  { name: "a { closed by >", text: 'layer <\n  name: "a"\n}\n', first: "3:1 unexpected-token", protocLine: 3 },
  { name: "a decimal with a leading zero (08)", text: "input_dim: 1\ninput_dim: 08\n", first: "2:12 invalid-number", protocLine: 2 },
  { name: "an exponent without digits (1e)", text: "layer {\n  loss_weight: 1e\n}\n", first: "2:16 invalid-number", protocLine: 2 },
  { name: "a number glued to a word (12abc)", text: "layer {\n  loss_weight: 12abc\n}\n", first: "2:16 invalid-number", protocLine: 2 },
  { name: "an invalid escape", text: 'name: "a\\qb"\n', first: "1:9 invalid-escape", protocLine: 1 },
  { name: "an upper-case hex escape", text: 'name: "\\X41"\n', first: "1:8 invalid-escape", protocLine: 1 },
  { name: "an unterminated string", text: 'name: "abc\nlayer {}\n', first: "1:7 unterminated-string", protocLine: 1 },
  { name: "an extension field", text: 'name: "x"\n[ext]: 1\n', first: "2:1 unsupported-extension", protocLine: 2 },
  { name: "an extension name broken over lines", text: 'name: "a" [\n  top: "b"\n]\n', first: "1:11 unsupported-extension", protocLine: 2 },
  { name: "an extension name ending in a dot", text: "[ext.\n]: 1\n", first: "1:1 unsupported-extension", protocLine: 2 },
  { name: "a list of scalars without a colon", text: "input_dim\n[1]\n", first: "2:1 expected-colon", protocLine: 2 },
  { name: "a list without a colon on a singular message field", text: "layer { pooling_param\n[{}] }\n", first: "1:9 list-for-singular-field", protocLine: 2 },
  { name: "a lost } that nests the next layer (unknown field layer, then unclosed)", text: 'layer {\n  name: "a"\nlayer {\n  name: "b"\n}\n', first: "1:7 unclosed-message", protocLine: 3 },
  { name: "a trailing comma in a list", text: 'layer { top: ["a",\n] }\n', first: "2:1 expected-value", protocLine: 2 },
  { name: "a ; in a list", text: "input_dim: [1; 2]\n", first: "1:14 unexpected-token", protocLine: 1 },
  { name: "a missing colon before a scalar", text: 'name "x"\n', first: "1:6 expected-colon", protocLine: 1 },
  { name: "a word for a float", text: "layer {\n  loss_weight: infx\n}\n", first: "2:16 expected-double", protocLine: 2 },
  { name: "an identifier for a string", text: "name: conv1\n", first: "1:7 expected-string", protocLine: 1 },
  { name: "a float for an int", text: "input_dim: 1.5\n", first: "1:12 expected-integer", protocLine: 1 },
  { name: "an error after comments", text: "# a comment\n# another\nlayer {\n  top: 1\n}\n", first: "4:8 expected-string", protocLine: 4 },
  { name: "three errors, of which protoc names the first", text: "layer {\n  bogus: 1\n}\nname: 08\nforce_backward: 2\n", first: "2:3 unknown-field", protocLine: 2 },
];

/** Inputs protoc accepts: we must accept them too (and encode them to protoc's bytes). */
const ACCEPTED: { name: string; text: string }[] = [
  { name: "comments and # inside strings", text: '# net\nname: "a # b" # trailing\nlayer { name: \'c#d\' }\n' },
  { name: "every simple escape", text: 'name: "\\n\\t\\r\\\\\\\'\\"\\a\\b\\f\\v\\?"\n' },
  { name: "octal, hex and \\u escapes", text: 'name: "\\101\\x42\\u00e9\\0\\400"\n' },
  { name: "a \\u surrogate pair", text: 'name: "\\ud83d\\ude00"\n' },
  { name: "a \\U escape past U+10FFFF (kept as text)", text: 'name: "\\U00110000"\n' },
  { name: "adjacent literals, mixed quotes", text: "name: \"a\" 'b'\n  \"c\"\n" },
  { name: "}layer { on one line, no trailing newline", text: 'layer { name: "a" }layer { name: "b" }' },
  { name: "separators , and ;", text: 'name: "n"; force_backward: true,\nlayer { name: "a"; top: "b", };\n' },
  { name: "a list of messages without a colon", text: 'layer [{ name: "a" }, < name: "b" >]\n' },
  { name: "field: { }, field < >, field: < >", text: 'layer: { name: "a" } layer < name: "b" > layer: < name: "c" >\n' },
  { name: "lists of scalars, empty lists, lists of messages", text: 'input_dim: [1, 3, 224, 224] input: [] layer: [{ name: "a" top: ["x", "y"] }, < name: "b" >]\n' },
  { name: "integers in decimal, hex and octal, signed", text: "input_dim: 10 input_dim: 0x1F input_dim: 017 input_dim: -2147483648 input_dim: - 5\n" },
  { name: "every float form", text: "layer { loss_weight: [1e-5, .5, 5., 1f, 1.5F, 0, -2, 1E+3, 3.4028235e38, 1e39, -1e39, 1e-50] }\n" },
  { name: "inf and nan words in any case", text: "layer { loss_weight: [inf, -inf, Infinity, -INFINITY, nan, NaN, -nan, INF] }\n" },
  { name: "every bool form", text: "layer { propagate_down: [true, false, t, f, True, False, 1, 0, 0x1, 00] }\n" },
  { name: "enums by name and by number", text: "layer { pooling_param { pool: 1 } include { phase: TEST } } layers { type: 4 } layers { type: RELU }\n" },
  { name: "a CRLF file", text: 'name: "x"\r\nlayer {\r\n  name: "y" # c\r\n}\r\n' },
  { name: "int64 extremes", text: "input_shape { dim: 9223372036854775807 dim: -9223372036854775808 }\n" },
  { name: "uint32 extremes", text: "layer { convolution_param { num_output: 4294967295 group: 0 } }\n" },
];

describe("readNet reports protoc's refusals", () => {
  it.each(REFUSED)("refuses $name: first error $first; the error protoc meets first is on line $protocLine", ({ text, first, protocLine }) => {
    const r = readNet(text);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(pinned(text, errors)[0]).toBe(first);
    expect(protocLineOf(text, protocFirst(r.diagnostics)!)).toBe(protocLine);
  });

  it.each(ACCEPTED)("accepts $name", ({ text }) => {
    expect(readNet(text).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("readNet against the real protoc", () => {
  if (inCI) {
    it("has protoc available in CI", () => {
      expect(protocAvailable).toBe(true);
    });
  }

  it.skipIf(!protocAvailable && !inCI).each(REFUSED)("errs on protoc's line for $name", ({ text }) => {
    const verdict = protocEncode(text);
    expect(verdict.accepted).toBe(false);
    const first = protocFirst(readNet(text).diagnostics);
    expect(first).toBeDefined();
    expect(protocLineOf(text, first!)).toBe(verdict.line);
  });

  it.skipIf(!protocAvailable && !inCI).each(ACCEPTED)("accepts $name as protoc does, to the same bytes", ({ text }) => {
    const verdict = protocEncode(text);
    expect(verdict.accepted).toBe(true);
    const r = readNet(text, { locations: false });
    expect(hasErrors(r.diagnostics)).toBe(false);
    expect(Buffer.from(encodeMessage(NET, r.net)).toString("hex")).toBe(verdict.stdout.toString("hex"));
  });
});
