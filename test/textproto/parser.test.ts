import { describe, expect, it } from "vitest";
import { parseInto } from "../../src/textproto/parser.js";
import type { ParseSink, ScalarToken } from "../../src/textproto/sink.js";
import { nameRangeOf, rangeOf, valuesOf, type FieldNode, type MessageValue, type Value } from "../../src/textproto/tree.js";
import { parseTextProto } from "../../src/textproto/tree-builder.js";
import { at, pinned } from "./support.js";

/** Parses and returns the top-level fields with the errors as `line:col code`. */
function parse(text: string): { fields: FieldNode[]; errors: string[] } {
  const { document, diagnostics } = parseTextProto(text);
  return { fields: document.fields, errors: pinned(text, diagnostics) };
}

/** A compact, schema-free picture of values: scalars as their text, messages as objects of arrays. */
function shape(fields: FieldNode[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const f of fields) {
    const list = (out[f.name] ??= []);
    const values = valuesOf(f).map(valueShape);
    if (f.items) list.push(values);
    else list.push(...values);
  }
  return out;
}

function valueShape(v: Value): unknown {
  switch (v.kind) {
    case "message":
      return shape(v.fields);
    case "string":
      return v.value;
    default:
      return (v.negative ? "-" : "") + v.text;
  }
}

function message(field: FieldNode | undefined): MessageValue {
  const v = field?.value;
  if (v?.kind !== "message") throw new Error("not a message field");
  return v;
}

describe("parser: scalar fields", () => {
  it("reads field: number", () => {
    expect(parse("num_output: 64")).toEqual({ fields: expect.any(Array), errors: [] });
    expect(shape(parse("num_output: 64").fields)).toEqual({ num_output: ["64"] });
  });

  it("reads field: identifier (an enum name)", () => {
    expect(shape(parse("pool: MAX").fields)).toEqual({ pool: ["MAX"] });
  });

  it("reads field: string", () => {
    expect(shape(parse('name: "conv1"').fields)).toEqual({ name: ["conv1"] });
  });

  it("reads a negative number with its sign", () => {
    const v = parse("axis: -1").fields[0]!.value!;
    expect(v).toMatchObject({ kind: "number", text: "1", negative: true });
  });

  it("reads a sign separated from its number by a space", () => {
    expect(parse("axis: - 1").fields[0]!.value).toMatchObject({ kind: "number", text: "1", negative: true });
  });

  it("reads -inf as a negative identifier", () => {
    expect(parse("x: -inf").fields[0]!.value).toMatchObject({ kind: "identifier", text: "inf", negative: true });
  });

  it("concatenates adjacent string literals into one value", () => {
    expect(shape(parse(`name: "con" 'v' "1"`).fields)).toEqual({ name: ["conv1"] });
  });

  it("concatenates adjacent string literals across lines and comments", () => {
    expect(shape(parse('name: "a" # part one\n  "b"').fields)).toEqual({ name: ["ab"] });
  });

  it("keeps the bytes of concatenated literals when one is not UTF-8", () => {
    const v = parse('s: "a" "\\xff"').fields[0]!.value!;
    expect(v).toMatchObject({ kind: "string", bytes: new Uint8Array([0x61, 0xff]) });
  });

  it("takes a value on the same line after a missing colon, reporting the colon", () => {
    const r = parse("name 5");
    expect(r.errors).toEqual(["1:6 expected-colon"]);
    expect(shape(r.fields)).toEqual({ name: ["5"] });
  });

  it("takes a string on the next line after a missing colon, reporting the colon once", () => {
    const r = parse('name\n"x"\nb: 1');
    expect(r.errors).toEqual(["2:1 expected-colon"]);
    expect(shape(r.fields)).toEqual({ name: ["x"], b: ["1"] });
  });

  it("does not take an identifier on the next line as the value of a field missing its colon", () => {
    const r = parse("name\nlayer {}");
    expect(r.errors).toEqual(["2:1 expected-colon"]);
    expect(shape(r.fields)).toEqual({ name: [], layer: [{}] });
  });

  it("reports a field with no value before a closing brace", () => {
    expect(parse("layer { name: }").errors).toEqual(["1:15 expected-value"]);
  });

  it("reports a lone minus sign once", () => {
    expect(parse("axis: -").errors).toEqual(["1:8 expected-value"]);
  });

  it("reports a minus sign before a string once and reads on", () => {
    const r = parse('a: -"x" b: 1');
    expect(r.errors).toEqual(["1:5 expected-value"]);
    expect(shape(r.fields)).toEqual({ a: [], b: ["1"] });
  });
});

describe("parser: message fields", () => {
  it("reads field { … }", () => {
    expect(shape(parse('layer { name: "a" }').fields)).toEqual({ layer: [{ name: ["a"] }] });
  });

  it("reads field: { … } with a colon", () => {
    const r = parse('layer: { name: "a" }');
    expect(r.errors).toEqual([]);
    expect(r.fields[0]!.colon).toBe(true);
    expect(shape(r.fields)).toEqual({ layer: [{ name: ["a"] }] });
  });

  it("reads field < … > with angle brackets", () => {
    expect(parse('layer < name: "a" >')).toMatchObject({ errors: [] });
    expect(shape(parse('layer < name: "a" >').fields)).toEqual({ layer: [{ name: ["a"] }] });
  });

  it("reads field: < … >", () => {
    expect(shape(parse("p: < x: 1 >").fields)).toEqual({ p: [{ x: ["1"] }] });
  });

  it("reads nested messages", () => {
    expect(shape(parse("a { b { c { d: 1 } } }").fields)).toEqual({ a: [{ b: [{ c: [{ d: ["1"] }] }] }] });
  });

  it("reads an empty message", () => {
    expect(shape(parse("layer {}").fields)).toEqual({ layer: [{}] });
  });

  it("reads }layer { on one line as two layers", () => {
    const r = parse('layer { name: "a" }layer { name: "b" }');
    expect(r.errors).toEqual([]);
    expect(shape(r.fields)).toEqual({ layer: [{ name: ["a"] }, { name: ["b"] }] });
  });

  it("reports a { closed by > at the >", () => {
    expect(parse("layer { name: 1 >").errors).toEqual(["1:17 unexpected-token"]);
  });

  it("reports a < closed by } at the }", () => {
    expect(parse('layer < name: "a" }').errors).toEqual(["1:19 unexpected-token"]);
  });
});

describe("parser: lists", () => {
  it("reads field: [a, b]", () => {
    const r = parse("dim: [1, 2, 3]");
    expect(r.errors).toEqual([]);
    expect(shape(r.fields)).toEqual({ dim: [["1", "2", "3"]] });
  });

  it("reads an empty list []", () => {
    const r = parse("top: []");
    expect(r.errors).toEqual([]);
    expect(r.fields[0]!.items).toEqual([]);
  });

  it("reads a list of strings, concatenating adjacent literals in an item", () => {
    expect(shape(parse('top: ["a" "b", "c"]').fields)).toEqual({ top: [["ab", "c"]] });
  });

  it("reads a list of negative numbers", () => {
    expect(shape(parse("v: [-1, - 2]").fields)).toEqual({ v: [["-1", "-2"]] });
  });

  it("reads a list of messages [{…}, {…}]", () => {
    const r = parse('layer: [{ name: "a" }, { name: "b" }]');
    expect(r.errors).toEqual([]);
    expect(shape(r.fields)).toEqual({ layer: [[{ name: ["a"] }, { name: ["b"] }]] });
  });

  it("reads a list mixing {…} and <…> messages", () => {
    expect(shape(parse("p: [<x: 1>, {x: 2}]").fields)).toEqual({ p: [[{ x: ["1"] }, { x: ["2"] }]] });
  });

  it("reads a list spread over lines with comments", () => {
    expect(shape(parse("dim: [\n  1, # batch\n  3\n]").fields)).toEqual({ dim: [["1", "3"]] });
  });

  it("refuses a trailing comma in a list, at the ]", () => {
    const r = parse("dim: [1,] x: 2");
    expect(r.errors).toEqual(["1:9 expected-value"]);
    expect(shape(r.fields)).toEqual({ dim: [["1"]], x: ["2"] });
  });

  it("refuses [,] at the comma", () => {
    expect(parse("dim: [,]").errors).toEqual(["1:7 expected-value"]);
  });

  it("reports a missing comma between items on one line once and reads both", () => {
    const r = parse("dim: [1 2] x: 3");
    expect(r.errors).toEqual(["1:9 unexpected-token"]);
    expect(shape(r.fields)).toEqual({ dim: [["1", "2"]], x: ["3"] });
  });

  it("refuses ; as a list separator, at the ;", () => {
    expect(parse("dim: [1; 2]").errors[0]).toBe("1:8 unexpected-token");
  });

  it("ends an unclosed list at the next line's field, reporting it there", () => {
    const r = parse("dim: [1, 2\nx: 3");
    expect(r.errors).toEqual(["2:1 unexpected-token"]);
    expect(shape(r.fields)).toEqual({ dim: [["1", "2"]], x: ["3"] });
  });

  it("reports a list unclosed at the end of input", () => {
    expect(parse("dim: [1, 2").errors).toEqual(["1:11 unexpected-token"]);
  });

  it("reads name [ … ] without a colon as a list (protoc allows it for messages; the binder decides)", () => {
    const r = parse("layer [{ a: 1 }, { a: 2 }]\nx: 3");
    expect(r.errors).toEqual([]);
    expect(r.fields[0]!.colon).toBe(false);
    expect(shape(r.fields)).toEqual({ layer: [[{ a: ["1"] }, { a: ["2"] }]], x: ["3"] });
  });
});

describe("parser: separators", () => {
  it("accepts a , after a field", () => {
    const r = parse("a: 1, b: 2,");
    expect(r.errors).toEqual([]);
    expect(shape(r.fields)).toEqual({ a: ["1"], b: ["2"] });
  });

  it("accepts a ; after a field", () => {
    expect(parse("a: 1; b: 2;").errors).toEqual([]);
  });

  it("accepts a separator after a message", () => {
    expect(parse("layer { a: 1 }; layer { a: 2 },").errors).toEqual([]);
  });

  it('refuses a double ";;" as protoc does ("Expected identifier, got: ;"), at the second ;', () => {
    const text = "layer { name: 1;; }";
    const { diagnostics } = parseTextProto(text);
    expect(pinned(text, diagnostics)).toEqual(["1:17 expected-field-name"]);
    expect(diagnostics[0]!.data["found"]).toBe(";");
  });

  it("refuses a double ,, at the second comma and reads the next field", () => {
    const r = parse("a: 1,, b: 2");
    expect(r.errors).toEqual(["1:6 expected-field-name"]);
    expect(shape(r.fields)).toEqual({ a: ["1"], b: ["2"] });
  });

  it("refuses a separator at the start of a message", () => {
    expect(parse("layer { ; a: 1 }").errors).toEqual(["1:9 expected-field-name"]);
  });
});

describe("parser: layout", () => {
  it("pins errors to the right line and column with CRLF line endings", () => {
    const text = "layer {\r\n  name: 1;;\r\n}\r\n";
    expect(parse(text).errors).toEqual(["2:11 expected-field-name"]);
  });

  it("gives CRLF fields ranges without the \\r", () => {
    const text = 'name: "a"\r\nlayer {}\r\n';
    const f = parse(text).fields;
    expect(f.map((x) => text.slice(x.start, x.end))).toEqual(['name: "a"', "layer {}"]);
  });

  it("reads a file that starts with a UTF-8 byte-order mark", () => {
    const text = '\ufeffname: "net"\nlayer {}';
    const r = parse(text);
    expect(r.errors).toEqual([]);
    expect(shape(r.fields)).toEqual({ name: ["net"], layer: [{}] });
  });

  it("pins an error on the line after a byte-order mark", () => {
    expect(parse("\ufeffname: 1\n}").errors).toEqual(["2:1 expected-field-name"]);
  });

  it("reads a file without a trailing newline", () => {
    expect(shape(parse("layer { top: 'x' }").fields)).toEqual({ layer: [{ top: ["x"] }] });
  });

  it("reads an empty file as no fields", () => {
    expect(parse("")).toEqual({ fields: [], errors: [] });
  });

  it("reads a file of comments only as no fields, keeping the comments", () => {
    const { document, diagnostics } = parseTextProto("# a\n# b\n");
    expect(document.fields).toEqual([]);
    expect(document.comments).toHaveLength(2);
    expect(diagnostics).toEqual([]);
  });
});

describe("parser: errors and recovery", () => {
  it("reports an unclosed { at end of input at its opening brace", () => {
    const text = 'name: "x"\nlayer {\n  name: "a"\n';
    expect(parse(text).errors).toEqual(["2:7 unclosed-message"]);
  });

  it("records where protoc reports an unclosed { (the end of input)", () => {
    const text = "layer {\n  name: 1\n";
    const d = parseTextProto(text).diagnostics[0]!;
    expect(d.data["protoc_offset"]).toBe(text.length);
  });

  it("reports each unclosed block of a nest at its own opener", () => {
    expect(parse("a {\n  b {\n").errors).toEqual(["2:5 unclosed-message", "1:3 unclosed-message"]);
  });

  it("keeps the fields of an unclosed message", () => {
    expect(shape(parse("layer { name: 1").fields)).toEqual({ layer: [{ name: ["1"] }] });
  });

  it("reports a stray } at top level and reads on", () => {
    const r = parse("layer { }\n}\nname: 1");
    expect(r.errors).toEqual(["2:1 expected-field-name"]);
    expect(shape(r.fields)).toEqual({ layer: [{}], name: ["1"] });
  });

  it("reports a number where a field name should be once, skipping its value", () => {
    const r = parse("1: 2\nb: 3");
    expect(r.errors).toEqual(["1:1 expected-field-name"]);
    expect(shape(r.fields)).toEqual({ b: ["3"] });
  });

  it("reports a stray block once and skips all of it", () => {
    const r = parse("{ a: 1 { b: 2 } }\nc: 3");
    expect(r.errors).toEqual(["1:1 expected-field-name"]);
    expect(shape(r.fields)).toEqual({ c: ["3"] });
  });

  it("reports an extension field [name] once and skips its value", () => {
    const r = parse("[my.ext]: 1\n[x.y/z] { a: 1 }\nb: 2");
    expect(r.errors).toEqual(["1:1 unsupported-extension", "2:1 unsupported-extension"]);
    expect(shape(r.fields)).toEqual({ b: ["2"] });
  });

  it("reports a bad number in the value and still reads the field", () => {
    const r = parse("a: 08\nb: 1");
    expect(r.errors).toEqual(["1:4 invalid-number"]);
    expect(r.fields.map((f) => f.name)).toEqual(["a", "b"]);
  });

  it("reports three independent errors, each at its position", () => {
    const text = [
      "layer {",
      '  name: "conv1";;', // a double separator
      "  top: 08", // not octal
      "}",
      'layer { name: "ab\\q" }', // a bad escape
      "layer { name: 2 }",
    ].join("\n");
    const r = parse(text);
    expect(r.errors).toEqual(["2:17 expected-field-name", "3:8 invalid-number", "5:18 invalid-escape"]);
    expect(r.fields.map((f) => f.name)).toEqual(["layer", "layer", "layer"]);
  });

  it("never throws, whatever prefix of a file it is given", () => {
    const text = 'name: "n" # c\nlayer {\n  top: ["a", \'b\']\n  p < x: -1.5e3f y: 0x1F >\n  s: "\\x41\\u00e9"\n}\n';
    for (let i = 0; i <= text.length; i++) {
      expect(() => parseTextProto(text.slice(0, i))).not.toThrow();
    }
  });

  it("never throws on punctuation soup", () => {
    const soup = "}{][<>:;,-.#\"'\\0x1e";
    for (let i = 0; i < soup.length; i++) {
      const text = soup.slice(i) + soup.slice(0, i);
      expect(() => parseTextProto(text)).not.toThrow();
    }
  });
});

describe("parser: ranges", () => {
  const text = 'name: "net"\nlayer {\n  name: "conv1"\n  top: ["a", "b"]\n  p { x: -1 }\n}\n';
  const { document } = parseTextProto(text);
  const layer = document.fields[1]!;
  const inner = message(layer).fields;

  it("spans a scalar field from its name to the end of its value", () => {
    expect(text.slice(document.fields[0]!.start, document.fields[0]!.end)).toBe('name: "net"');
  });

  it("spans a message field from its name to its closing brace", () => {
    expect(text.slice(layer.start, layer.end)).toBe(text.slice(text.indexOf("layer"), text.lastIndexOf("}") + 1));
  });

  it("spans a message value from its opening to its closing brace", () => {
    const m = message(layer);
    expect(text[m.start]).toBe("{");
    expect(text[m.end - 1]).toBe("}");
  });

  it("spans a list field from its name to its ]", () => {
    expect(text.slice(inner[1]!.start, inner[1]!.end)).toBe('top: ["a", "b"]');
  });

  it("spans a negative value from its sign", () => {
    const x = message(inner[2]).fields[0]!;
    expect(text.slice(x.value!.start, x.value!.end)).toBe("-1");
  });

  it("gives the name range of a field", () => {
    const r = nameRangeOf(inner[0]!);
    expect(text.substr(r.offset, r.length)).toBe("name");
    expect(at(text, r.offset)).toBe("3:3");
  });

  it("gives the range of a field with rangeOf", () => {
    const r = rangeOf(inner[2]!);
    expect(text.substr(r.offset, r.length)).toBe("p { x: -1 }");
  });

  it("spans list items individually", () => {
    expect(inner[1]!.items!.map((v) => text.slice(v.start, v.end))).toEqual(['"a"', '"b"']);
  });

  it("spans adjacent literals as one value", () => {
    const t = 's: "a"  "b"';
    const v = parseTextProto(t).document.fields[0]!.value!;
    expect(t.slice(v.start, v.end)).toBe('"a"  "b"');
  });
});

describe("parseInto", () => {
  it("tells the sink where the token after a value starts", () => {
    const starts: number[] = [];
    const sink = recordingSink((t) => starts.push(t.nextStart));
    const text = "pool: MAX\n\n  }";
    parseInto(text, sink);
    expect(at(text, starts[0]!)).toBe("3:3");
  });

  it("gives the end of input as the next token's start after the last value", () => {
    const starts: number[] = [];
    parseInto("a: 1  ", recordingSink((t) => starts.push(t.nextStart)));
    expect(starts).toEqual([6]);
  });

  it("tells the sink when a token is malformed", () => {
    const flags: boolean[] = [];
    parseInto('a: 08 b: 7 c: "\\q" d: "ok"', recordingSink((t) => flags.push(t.malformed)));
    expect(flags).toEqual([true, false, true, false]);
  });

  it("sends no events for an extension field's value", () => {
    const names: string[] = [];
    const sink = recordingSink(() => undefined, (n) => names.push(n));
    parseInto("[ext] { a: 1 } b: 2", sink);
    expect(names).toEqual(["b"]);
  });

  it("collects comments and diagnostics it is given", () => {
    const out = parseInto("# hi\n;", recordingSink(() => undefined));
    expect(out.comments).toHaveLength(1);
    expect(out.diagnostics.map((d) => d.code)).toEqual(["expected-field-name"]);
  });
});

function recordingSink(onScalar: (t: ScalarToken) => void, onName: (name: string) => void = () => undefined): ParseSink {
  return {
    openMessage: (name) => onName(name),
    closeMessage: () => undefined,
    scalar: (name, _s, _c, t) => {
      onName(name);
      onScalar(t);
    },
    openList: (name) => onName(name),
    listScalar: (t) => onScalar(t),
    listOpenMessage: () => undefined,
    closeList: () => undefined,
    missingValue: (name) => onName(name),
  };
}
