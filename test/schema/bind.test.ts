import { describe, expect, it } from "vitest";
import { LineIndex } from "../../src/diagnostics/range.js";
import { bindText, type BindOptions, type BoundMessage } from "../../src/schema/bind.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { at, pinned, pinnedWithSeverity } from "../textproto/support.js";

const schema = loadCaffeSchema();
const NET = schema.message("caffe.NetParameter");
const FLT_MAX = 3.4028234663852886e38;

function bind(text: string, options: BindOptions = {}) {
  return bindText(text, NET, options);
}

/** Binds `text` strictly and returns the errors as `line:col code`. */
function errorsOf(text: string): string[] {
  return pinned(text, bind(text).diagnostics);
}

/** Binds `body` inside `layer { … }` and returns the first layer. */
function layer(body: string, options: BindOptions = {}): { layer: BoundMessage; errors: string[] } {
  const text = `layer { ${body} }`;
  const r = bind(text, options);
  return { layer: (r.message["layer"] as BoundMessage[])[0]!, errors: pinned(text, r.diagnostics) };
}

/** Binds `body` inside `layer { convolution_param { … } }` and returns convolution_param. */
function conv(body: string): { param: BoundMessage; errors: string[] } {
  const r = layer(`convolution_param { ${body} }`);
  return { param: r.layer["convolution_param"] as BoundMessage, errors: r.errors };
}

/** The loss_weight values bound from `value` (a float field), with the diagnostics as `severity code`. */
function floats(value: string): { values: unknown; diagnostics: string[] } {
  const r = bind(`layer { loss_weight: ${value} }`);
  const l = (r.message["layer"] as BoundMessage[])[0]!;
  return { values: l["loss_weight"], diagnostics: r.diagnostics.map((d) => `${d.severity} ${d.code}`) };
}

/** The force_backward value bound from `value` (a bool field), with the error codes. */
function bool(value: string): { value: unknown; codes: string[] } {
  const r = bind(`force_backward: ${value}`);
  return { value: r.message["force_backward"], codes: r.diagnostics.map((d) => d.code) };
}

/** The pooling_param.pool value bound from `value` (an enum field). */
function pool(value: string, options: BindOptions = {}) {
  const text = `layer { pooling_param { pool: ${value} } }`;
  const r = bind(text, options);
  const p = ((r.message["layer"] as BoundMessage[])[0]!["pooling_param"] as BoundMessage) ?? {};
  return { value: p["pool"], param: p, result: r, text };
}

describe("bind: integers", () => {
  it("binds a uint32 from a decimal", () => {
    expect(conv("num_output: 64")).toEqual({ param: { num_output: 64 }, errors: [] });
  });

  it("binds a uint32 from hex and from octal", () => {
    expect(conv("num_output: 0x40").param).toEqual({ num_output: 64 });
    expect(conv("num_output: 0100").param).toEqual({ num_output: 64 });
  });

  it("binds the largest uint32, 4294967295", () => {
    expect(conv("num_output: 4294967295").param).toEqual({ num_output: 4294967295 });
  });

  it("refuses a negative uint32 (num_output: -1) at the sign, as protoc does", () => {
    const r = conv("num_output: -1");
    expect(r.errors).toEqual(["1:41 expected-integer"]);
    expect(r.param).toEqual({});
  });

  it("refuses 4294967296 for a uint32", () => {
    expect(conv("num_output: 4294967296").errors).toEqual(["1:41 integer-out-of-range"]);
  });

  it("binds an int32 at both ends of its range", () => {
    expect(conv("axis: -2147483648").param).toEqual({ axis: -2147483648 });
    expect(conv("axis: 2147483647").param).toEqual({ axis: 2147483647 });
  });

  it("refuses int32 axis: 2147483648", () => {
    expect(conv("axis: 2147483648").errors).toEqual(["1:35 integer-out-of-range"]);
  });

  it("refuses int32 axis: -2147483649", () => {
    expect(conv("axis: -2147483649").errors).toEqual(["1:35 integer-out-of-range"]);
  });

  it("refuses a float for an integer field", () => {
    expect(conv("num_output: 1.0").errors).toEqual(["1:41 expected-integer"]);
  });

  it("refuses an identifier for an integer field", () => {
    expect(conv("num_output: many").errors).toEqual(["1:41 expected-integer"]);
  });

  it("refuses a string for an integer field", () => {
    expect(conv('num_output: "64"').errors).toEqual(["1:41 expected-integer"]);
  });

  it("binds an int64 beyond 2^53 as a bigint", () => {
    const r = bind("input_shape { dim: 9007199254740993 dim: -1 }");
    expect((r.message["input_shape"] as BoundMessage[])[0]).toEqual({ dim: [9007199254740993n, -1] });
  });

  it("binds each value of a repeated int32 list", () => {
    expect(bind("input_dim: [1, 3, 0x10, 010]").message).toEqual({ input_dim: [1, 3, 16, 8] });
  });

  it("records where protoc reports a bad negative int32 (past the sign) when the number is on a later line", () => {
    const text = "input_dim: -\n\n2147483649";
    const d = bind(text).diagnostics[0]!;
    expect(pinned(text, [d])).toEqual(["1:12 integer-out-of-range"]);
    expect(at(text, d.data["protoc_offset"] as number)).toBe("3:1");
  });
});

describe("bind: floats", () => {
  it.each([
    ["1e-5", 1e-5],
    [".5", 0.5],
    ["5.", 5],
    ["1f", 1],
    ["1.5F", 1.5],
    ["-2.5", -2.5],
    ["3", 3],
  ])("binds %s", (text, value) => {
    expect(floats(text)).toEqual({ values: [value], diagnostics: [] });
  });

  it.each([
    ["inf", Infinity],
    ["-inf", -Infinity],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["INF", Infinity],
    ["iNf", Infinity],
  ])("binds the word %s as infinity, whatever its case", (text, value) => {
    expect(floats(text)).toEqual({ values: [value], diagnostics: [] });
  });

  it.each(["nan", "NaN", "NAN", "-nan"])("binds the word %s as NaN", (text) => {
    expect(floats(text).values).toEqual([NaN]);
  });

  it("refuses a hex literal for a float (Expect a decimal number)", () => {
    const text = "layer { loss_weight: 0x10 }";
    expect(errorsOf(text)).toEqual(["1:22 expected-decimal"]);
  });

  it("refuses an octal-looking literal for a float", () => {
    expect(errorsOf("layer { loss_weight: 010 }")).toEqual(["1:22 expected-decimal"]);
  });

  it("binds 0 for a float", () => {
    expect(floats("0").values).toEqual([0]);
  });

  it("refuses another word for a float (infx)", () => {
    expect(errorsOf("layer { loss_weight: infx }")).toEqual(["1:22 expected-double"]);
  });

  it("refuses a string for a float", () => {
    expect(errorsOf('layer { loss_weight: "1" }')).toEqual(["1:22 expected-double"]);
  });

  it("accepts a float beyond float32's range as infinity, with a float-out-of-range warning", () => {
    expect(floats("1e39")).toEqual({ values: [Infinity], diagnostics: ["warning float-out-of-range"] });
    expect(floats("-1e39")).toEqual({ values: [-Infinity], diagnostics: ["warning float-out-of-range"] });
  });

  it("binds 3.4028235e38, FLT_MAX as printed, as FLT_MAX without a warning (protoc's SafeDoubleToFloat)", () => {
    expect(floats("3.4028235e38")).toEqual({ values: [FLT_MAX], diagnostics: [] });
    expect(floats("-3.4028235e38")).toEqual({ values: [-FLT_MAX], diagnostics: [] });
  });

  it("binds a double beyond float32's range as it is", () => {
    const r = bind("layer { blobs { double_data: 1e300 } }");
    const blob = ((r.message["layer"] as BoundMessage[])[0]!["blobs"] as BoundMessage[])[0]!;
    expect(blob).toEqual({ double_data: [1e300] });
    expect(r.diagnostics).toEqual([]);
  });

  it("binds a malformed number (1e) to nothing, reporting it once", () => {
    expect(floats("1e")).toEqual({ values: undefined, diagnostics: ["error invalid-number"] });
  });

  it("binds 12abc to nothing, reporting it once", () => {
    expect(floats("12abc")).toEqual({ values: undefined, diagnostics: ["error invalid-number"] });
  });

  it("records where protoc reports a bad negative float (past the sign)", () => {
    const text = "layer { loss_weight: -\n0x1 }";
    const d = bind(text).diagnostics[0]!;
    expect(d.code).toBe("expected-decimal");
    expect(at(text, d.data["protoc_offset"] as number)).toBe("2:1");
  });
});

describe("bind: bools", () => {
  it.each([
    ["true", true],
    ["false", false],
    ["t", true],
    ["f", false],
    ["True", true],
    ["False", false],
    ["1", true],
    ["0", false],
    ["0x1", true],
    ["00", false],
  ])("binds %s", (text, value) => {
    expect(bool(text)).toEqual({ value, codes: [] });
  });

  it("refuses 2 as out of range", () => {
    expect(bool("2")).toEqual({ value: undefined, codes: ["integer-out-of-range"] });
  });

  it("refuses TRUE: only true, True and t are true", () => {
    expect(bool("TRUE")).toEqual({ value: undefined, codes: ["invalid-bool"] });
  });

  it("refuses yes", () => {
    expect(bool("yes").codes).toEqual(["invalid-bool"]);
  });

  it("refuses a quoted \"true\"", () => {
    expect(bool('"true"').codes).toEqual(["invalid-bool"]);
  });

  it("refuses -1", () => {
    expect(bool("-1").codes).toEqual(["invalid-bool"]);
  });

  it("refuses 1.0", () => {
    expect(bool("1.0").codes).toEqual(["invalid-bool"]);
  });

  it("points at the word, and records protoc's position after it", () => {
    const text = "force_backward: TRUE\n\nname: 'x'";
    const d = bind(text).diagnostics[0]!;
    expect(pinned(text, [d])).toEqual(["1:17 invalid-bool"]);
    expect(at(text, d.data["protoc_offset"] as number)).toBe("3:1");
  });
});

describe("bind: enums", () => {
  it("binds an enum by name", () => {
    expect(pool("AVE").value).toBe("AVE");
  });

  it("binds an enum by number, as its name", () => {
    expect(pool("1").value).toBe("AVE");
  });

  it("binds an enum by hex number", () => {
    expect(pool("0x2").value).toBe("STOCHASTIC");
  });

  it("refuses an unknown enum name in strict mode, at the value", () => {
    const r = pool("FOO");
    expect(pinnedWithSeverity(r.text, r.result.diagnostics)).toEqual(["1:31 error unknown-enum-value"]);
    expect(r.value).toBeUndefined();
  });

  it("refuses an unknown enum number", () => {
    const r = pool("7");
    expect(r.result.diagnostics.map((d) => [d.code, d.data["value"]])).toEqual([["unknown-enum-value", "7"]]);
  });

  it("names an unknown enum number in decimal, as protoc does", () => {
    expect(pool("0x7").result.diagnostics[0]!.data["value"]).toBe("7");
  });

  it("refuses a negative enum number", () => {
    expect(pool("-1").result.diagnostics[0]!.data["value"]).toBe("-1");
  });

  it("refuses an enum number beyond int32 as out of range", () => {
    expect(pool("99999999999").result.diagnostics.map((d) => d.code)).toEqual(["integer-out-of-range"]);
  });

  it("refuses a string for an enum", () => {
    expect(pool('"MAX"').result.diagnostics.map((d) => d.code)).toEqual(["expected-identifier"]);
  });

  it("refuses a float for an enum", () => {
    expect(pool("1.0").result.diagnostics.map((d) => d.code)).toEqual(["expected-identifier"]);
  });

  it("suggests the closest enum name for a misspelt one", () => {
    expect(pool("MAXX").result.diagnostics[0]!.data["suggestion"]).toBe("MAX");
  });

  it("names the fork of a known fork enum value (V1 type INTERP)", () => {
    const d = bind("layers { type: INTERP }").diagnostics[0]!;
    expect(d.code).toBe("unknown-enum-value");
    expect(String(d.data["fork"])).toMatch(/DeepLab/);
  });

  it("warns of an unknown enum value in lenient mode and keeps the value aside", () => {
    const r = pool("DEF", { allowUnknown: true, locations: true });
    expect(pinnedWithSeverity(r.text, r.result.diagnostics)).toEqual(["1:31 warning unknown-enum-value"]);
    expect(r.param).toEqual({});
    const kept = r.result.sourceMap.unknownFields(r.param);
    expect(kept.map((f) => [f.name, r.text.slice(f.start, f.end)])).toEqual([["pool", "pool: DEF"]]);
    expect(kept[0]!.value).toMatchObject({ kind: "identifier", text: "DEF" });
  });

  it("keeps an unknown enum value of a list aside in lenient mode, binding the known ones", () => {
    const text = "layers { blob_share_mode: [STRICT, LOOSE, PERMISSIVE] }";
    const r = bind(text, { allowUnknown: true, locations: true });
    const l = (r.message["layers"] as BoundMessage[])[0]!;
    expect(l).toEqual({ blob_share_mode: ["STRICT", "PERMISSIVE"] });
    expect(pinnedWithSeverity(text, r.diagnostics)).toEqual(["1:36 warning unknown-enum-value"]);
    const kept = r.sourceMap.unknownFields(l);
    expect(kept.map((f) => [f.name, f.value?.kind === "identifier" ? f.value.text : null])).toEqual([["blob_share_mode", "LOOSE"]]);
  });

  it("records protoc's position for an unknown enum value: the token after it", () => {
    const r = pool("FOO\n\n");
    const d = r.result.diagnostics[0]!;
    expect(at(r.text, d.data["protoc_offset"] as number)).toBe("3:2");
  });
});

describe("bind: strings", () => {
  it("binds a string with escapes and concatenation", () => {
    expect(bind(`name: "a\\tb" 'c'`).message).toEqual({ name: "a\tbc" });
  });

  it("refuses an identifier for a string field", () => {
    expect(errorsOf("name: conv1")).toEqual(["1:7 expected-string"]);
  });

  it("refuses a number for a string field", () => {
    expect(errorsOf("name: 1")).toEqual(["1:7 expected-string"]);
  });

  it("binds a bytes field as bytes", () => {
    const r = bindText('data: "\\x00\\xffA"', schema.message("caffe.Datum"));
    expect(r.message["data"]).toEqual(new Uint8Array([0, 255, 65]));
  });

  it("keeps the exact bytes of a string field that is not UTF-8", () => {
    expect(bind('name: "\\xff"').message["name"]).toEqual(new Uint8Array([255]));
  });

  it("binds nothing for a string with a bad escape, reporting it once", () => {
    const r = bind('name: "\\q"');
    expect(r.message).toEqual({});
    expect(r.diagnostics.map((d) => d.code)).toEqual(["invalid-escape"]);
  });
});

describe("bind: unknown fields", () => {
  it("refuses an unknown field in strict mode, at its name", () => {
    expect(pinnedWithSeverity("layer { bogus: 1 }", bind("layer { bogus: 1 }").diagnostics)).toEqual(["1:9 error unknown-field"]);
  });

  it("names the message that lacks the field", () => {
    expect(bind("layer { bogus: 1 }").diagnostics[0]!.data["message"]).toBe("caffe.LayerParameter");
  });

  it("records protoc's position for an unknown field: the token after the name", () => {
    const text = "layer { bogus\n\n: 1 }";
    expect(at(text, bind(text).diagnostics[0]!.data["protoc_offset"] as number)).toBe("3:1");
  });

  it("suggests num_output for num_ouput", () => {
    const d = bind("layer { convolution_param { num_ouput: 3 } }").diagnostics[0]!;
    expect([d.code, d.data["suggestion"]]).toEqual(["unknown-field", "num_output"]);
  });

  it("suggests lr_mult for lr_mlut (two letters swapped count as one edit)", () => {
    expect(bind("layer { param { lr_mlut: 1 } }").diagnostics[0]!.data["suggestion"]).toBe("lr_mult");
  });

  it("suggests top for tpo", () => {
    expect(bind("layer { tpo: 'a' }").diagnostics[0]!.data["suggestion"]).toBe("top");
  });

  it("suggests a field whatever the case of the misspelt name", () => {
    expect(bind("layer { Top: 'a' }").diagnostics[0]!.data["suggestion"]).toBe("top");
  });

  it("suggests nothing for a name far from every field", () => {
    expect(bind("layer { zzzzzz: 3 }").diagnostics[0]!.data["suggestion"]).toBeNull();
  });

  it.each([
    ["bn_param", "layer { bn_param { frozen: true } }", /PSPNet/],
    ["bn_param", "layer { bn_param { bn_mode: INFERENCE } }", /SegNet/],
    ["scale_bias", "layer { batch_norm_param { scale_bias: true } }", /NVIDIA/],
    ["cache", "layer { data_param { cache: true } }", /NVIDIA/],
    ["ceil_mode", "layer { pooling_param { ceil_mode: false } }", /ceil_mode/],
    ["permute_param", "layer { permute_param { order: 0 } }", /SSD/],
    ["prior_box_param", "layer { prior_box_param { min_size: 30 } }", /SSD/],
    ["resize_param", "layer { resize_param { prob: 1 } }", /SSD/],
    ["roi_pooling_param", "layer { roi_pooling_param { pooled_h: 7 } }", /faster-rcnn/],
    ["psroi_pooling_param", "layer { psroi_pooling_param { group_size: 7 } }", /R-FCN/],
    ["shuffle_channel_param", "layer { shuffle_channel_param { group: 2 } }", /ShuffleNet/],
    ["interp_param", "layer { interp_param { zoom_factor: 8 } }", /PSPNet|DeepLab/],
  ])("names the fork that defines %s", (field, text, fork) => {
    const d = bind(text).diagnostics[0]!;
    expect([d.code, d.data["field"]]).toEqual(["unknown-field", field]);
    expect(String(d.data["fork"])).toMatch(fork);
  });

  it("warns of an unknown field in lenient mode and reads the rest of the file", () => {
    const text = 'layer { name: "a" bn_param { frozen: true } top: "b" }\nname: "net"';
    const r = bind(text, { allowUnknown: true });
    expect(pinnedWithSeverity(text, r.diagnostics)).toEqual(["1:19 warning unknown-field"]);
    expect(r.message).toEqual({ layer: [{ name: "a", top: ["b"] }], name: "net" });
  });

  it("keeps an unknown scalar field's syntax in lenient mode", () => {
    const text = "layer { ceil_mode: false }";
    const r = bind(text, { allowUnknown: true, locations: true });
    const l = (r.message["layer"] as BoundMessage[])[0]!;
    const kept = r.sourceMap.unknownFields(l);
    expect(kept.map((f) => text.slice(f.start, f.end))).toEqual(["ceil_mode: false"]);
  });

  it("keeps an unknown message field's syntax in lenient mode, nested fields included", () => {
    const text = "layer { bn_param { slope_filler { type: 'constant' } frozen: true } }";
    const r = bind(text, { allowUnknown: true, locations: true });
    const l = (r.message["layer"] as BoundMessage[])[0]!;
    const [kept] = r.sourceMap.unknownFields(l);
    expect(kept!.name).toBe("bn_param");
    expect(text.slice(kept!.start, kept!.end)).toBe("bn_param { slope_filler { type: 'constant' } frozen: true }");
    const inner = kept!.value!.kind === "message" ? kept!.value!.fields.map((f) => f.name) : [];
    expect(inner).toEqual(["slope_filler", "frozen"]);
  });

  it("keeps every item of an unknown list of messages in lenient mode", () => {
    const text = 'layer { extra: [{ a: 1 }, { b: 2 }] name: "x" }';
    const r = bind(text, { allowUnknown: true, locations: true });
    const l = (r.message["layer"] as BoundMessage[])[0]!;
    const kept = r.sourceMap.unknownFields(l);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.items).toHaveLength(2);
    expect(text.slice(kept[0]!.start, kept[0]!.end)).toBe("extra: [{ a: 1 }, { b: 2 }]");
    expect(l).toEqual({ name: "x" });
  });

  it("keeps an unknown list of scalars in lenient mode", () => {
    const text = "layer { extra: [1, 2] }";
    const r = bind(text, { allowUnknown: true, locations: true });
    const kept = r.sourceMap.unknownFields((r.message["layer"] as BoundMessage[])[0]!);
    expect(kept.map((f) => f.items?.length)).toEqual([2]);
  });

  it("keeps nothing aside in strict mode", () => {
    const text = "layer { ceil_mode: false }";
    const r = bind(text, { locations: true });
    expect(r.sourceMap.unknownFields((r.message["layer"] as BoundMessage[])[0]!)).toEqual([]);
  });
});

describe("bind: field cardinality and kinds", () => {
  it("refuses a singular field given twice (duplicate-field), at the second name", () => {
    expect(errorsOf('name: "a"\nname: "b"')).toEqual(["2:1 duplicate-field"]);
  });

  it("keeps the first value of a singular field given twice", () => {
    expect(bind('name: "a" name: "b"').message).toEqual({ name: "a" });
  });

  it("records protoc's position for a duplicate field: the token after the name", () => {
    const text = 'name: "a"\nname\n\n: "b"';
    const d = bind(text).diagnostics[0]!;
    expect(at(text, d.data["protoc_offset"] as number)).toBe("4:1");
  });

  it("refuses a singular message given twice", () => {
    expect(errorsOf("layer { pooling_param { pool: MAX }\n  pooling_param { pool: AVE } }")).toEqual(["2:3 duplicate-field"]);
  });

  it("keeps the first of a singular message given twice", () => {
    const l = layer("pooling_param { pool: MAX } pooling_param { pool: AVE }").layer;
    expect(l["pooling_param"]).toEqual({ pool: "MAX" });
  });

  it("appends each occurrence of a repeated field", () => {
    expect(layer('top: "a" top: "b" top: ["c", "d"]').layer).toEqual({ top: ["a", "b", "c", "d"] });
  });

  it("appends each occurrence of a repeated message", () => {
    expect(layer("include { phase: TRAIN } include: { phase: TEST }").layer).toEqual({
      include: [{ phase: "TRAIN" }, { phase: "TEST" }],
    });
  });

  it("binds a list of messages for a repeated message field", () => {
    expect(bind('layer: [{ name: "a" }, { name: "b" }]').message).toEqual({ layer: [{ name: "a" }, { name: "b" }] });
  });

  it("binds an empty list as an empty repeated field", () => {
    expect(layer("top: []").layer).toEqual({ top: [] });
  });

  it("refuses list syntax on a singular field, at the field's name", () => {
    expect(errorsOf('name: ["a"]')).toEqual(["1:1 list-for-singular-field"]);
  });

  it("records protoc's position for list syntax on a singular field: the [", () => {
    const text = 'name:\n  ["a"]';
    expect(at(text, bind(text).diagnostics[0]!.data["protoc_offset"] as number)).toBe("2:3");
  });

  it("binds a list of messages without a colon, as protoc allows for message fields", () => {
    const r = bind('layer [{ name: "a" }, { name: "b" }]');
    expect(r.diagnostics).toEqual([]);
    expect(r.message).toEqual({ layer: [{ name: "a" }, { name: "b" }] });
  });

  it("refuses a list of scalars without a colon, at the [", () => {
    expect(errorsOf("input_dim [1, 2]")).toEqual(["1:11 expected-colon"]);
  });

  it("refuses a list without a colon on a singular message field, recording protoc's position (the [)", () => {
    const text = "layer { pooling_param [{}] }";
    const d = bind(text).diagnostics[0]!;
    expect(pinned(text, [d])).toEqual(["1:9 list-for-singular-field"]);
    expect(at(text, d.data["protoc_offset"] as number)).toBe("1:23");
  });

  it("refuses a list of messages on a singular message field", () => {
    expect(errorsOf("layer { pooling_param: [{ pool: MAX }] }")).toEqual(["1:9 list-for-singular-field"]);
  });

  it("refuses a message value for a scalar field (name: { })", () => {
    expect(errorsOf("name: { }")).toEqual(["1:7 expected-scalar"]);
  });

  it("refuses name { } without a colon for a scalar field, at the {", () => {
    expect(errorsOf("name { }")).toEqual(["1:6 expected-colon"]);
  });

  it("refuses a scalar value for a message field (layer: \"x\")", () => {
    expect(errorsOf('layer: "x"')).toEqual(["1:8 expected-message"]);
  });

  it("refuses a message item in a list of scalars", () => {
    expect(errorsOf("layer { top: [{ }] }")).toEqual(["1:15 expected-scalar"]);
  });

  it("reads on after a field of the wrong kind", () => {
    expect(bind("name { x: 1 } force_backward: true").message).toEqual({ force_backward: true });
  });

  it("reports all binding errors of a file, in reading order", () => {
    const text = [
      "layer {",
      "  convolution_param { num_output: -1 }",
      "  bogus: 1",
      "}",
      'name: "a"',
      'name: "b"',
    ].join("\n");
    expect(errorsOf(text)).toEqual(["2:35 expected-integer", "3:3 unknown-field", "6:1 duplicate-field"]);
  });

  it("sorts syntax and binding errors together by position", () => {
    const text = "layer { bogus: 1 };;\nname: 08";
    expect(errorsOf(text)).toEqual(["1:9 unknown-field", "1:20 expected-field-name", "2:7 invalid-number"]);
  });
});

describe("bind: source map", () => {
  const text = [
    'name: "net"',
    "layer {",
    '  name: "conv1"',
    '  top: ["a", "b"]',
    "  convolution_param {",
    "    num_output: 8",
    "  }",
    "}",
    'layer: [{ name: "x" }, { name: "y" }]',
    "",
  ].join("\n");
  const r = bind(text, { locations: true });
  const layers = r.message["layer"] as BoundMessage[];
  const first = layers[0]!;
  const slice = (range: { offset: number; length: number } | undefined): string =>
    range ? text.substr(range.offset, range.length) : "<none>";

  it("maps the root to the whole text", () => {
    expect(r.sourceMap.get(r.message)!.range).toEqual({ offset: 0, length: text.length });
  });

  it("maps a scalar field to its name and value", () => {
    expect(slice(r.sourceMap.rangeOf(r.message, "name"))).toBe('name: "net"');
  });

  it("maps a message to its field name", () => {
    expect(slice(r.sourceMap.rangeOf(first))).toBe("layer");
  });

  it("maps a message's whole field, from name to closing brace", () => {
    const range = r.sourceMap.get(first)!.range;
    expect(slice(range)).toMatch(/^layer \{\n[\s\S]*\n\}$/);
    expect(at(text, range.offset + range.length - 1)).toBe("8:1");
  });

  it("maps a nested message field", () => {
    expect(slice(r.sourceMap.rangeOf(first, "convolution_param"))).toBe("convolution_param {\n    num_output: 8\n  }");
  });

  it("maps a field inside a nested message", () => {
    const param = first["convolution_param"] as BoundMessage;
    const range = r.sourceMap.rangeOf(param, "num_output")!;
    expect(slice(range)).toBe("num_output: 8");
    expect(at(text, range.offset)).toBe("6:5");
  });

  it("maps a list field from its name to its ]", () => {
    expect(slice(r.sourceMap.rangeOf(first, "top"))).toBe('top: ["a", "b"]');
  });

  it("maps each occurrence of a repeated message field", () => {
    expect(r.sourceMap.get(r.message)!.fields.get("layer")!.map(slice)).toEqual([
      slice(r.sourceMap.get(first)!.range),
      'layer: [{ name: "x" }, { name: "y" }]',
    ]);
  });

  it("maps a list item message to its own braces", () => {
    expect(slice(r.sourceMap.get(layers[1]!)!.range)).toBe('{ name: "x" }');
    expect(slice(r.sourceMap.get(layers[2]!)!.range)).toBe('{ name: "y" }');
  });

  it("maps a field of a list item message", () => {
    expect(slice(r.sourceMap.rangeOf(layers[2]!, "name"))).toBe('name: "y"');
  });

  it("gives nothing for a field that is not set", () => {
    expect(r.sourceMap.rangeOf(first, "bottom")).toBeUndefined();
  });

  it("records no locations unless asked", () => {
    const plain = bind(text);
    expect(plain.sourceMap.get(plain.message)).toBeUndefined();
  });

  it("returns the comments of the text", () => {
    const t = "# a\nname: 'x' # b\n";
    expect(bind(t).comments.map((c) => t.slice(c.start, c.end))).toEqual(["# a", "# b"]);
  });

  it("maps fields right in a CRLF file", () => {
    const t = 'name: "a"\r\nlayer {\r\n  top: "b"\r\n}\r\n';
    const b = bind(t, { locations: true });
    const l = (b.message["layer"] as BoundMessage[])[0]!;
    const range = b.sourceMap.rangeOf(l, "top")!;
    expect(t.substr(range.offset, range.length)).toBe('top: "b"');
    const p = new LineIndex(t).position(range.offset);
    expect([p.line, p.column]).toEqual([3, 3]);
  });
});
