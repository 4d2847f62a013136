import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";
import { ALL_TYPES_PROTO } from "./all-types-proto.js";
import { describe, expect, it } from "vitest";
import { hasErrors } from "../../src/diagnostics/diagnostic.js";
import { bindText } from "../../src/schema/bind.js";
import { encodeMessage } from "../../src/schema/encode.js";
import { encodeText } from "../../src/schema/encode-sink.js";
import { buildSchema, loadCaffeSchema, type MessageInfo } from "../../src/schema/load.js";
import { CORPUS_DIR, ROOT, corpusFiles } from "../helpers/paths.js";

const net = loadCaffeSchema().message("caffe.NetParameter");

/** What bindText + encodeMessage give: the path encode-sink.ts must agree with byte for byte. */
function viaObjects(text: string, info: MessageInfo, allowUnknown: boolean) {
  const bound = bindText(text, info, { allowUnknown, locations: false });
  const bytes = hasErrors(bound.diagnostics) ? null : encodeMessage(info, bound.message);
  return { bytes: bytes && Buffer.from(bytes).toString("hex"), diagnostics: bound.diagnostics };
}

function streamed(text: string, info: MessageInfo, allowUnknown: boolean) {
  const r = encodeText(text, info, { allowUnknown });
  return { bytes: r.bytes && Buffer.from(r.bytes).toString("hex"), diagnostics: r.diagnostics };
}

function expectSame(text: string, info: MessageInfo = net): void {
  for (const allowUnknown of [false, true]) expect(streamed(text, info, allowUnknown)).toEqual(viaObjects(text, info, allowUnknown));
}

const fixtureDirs = ["fixtures/textproto", "fixtures/legacy", "fixtures/lint", "fixtures/convert"];
function prototxtsUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".prototxt"))
    .sort()
    .map((f) => join(ROOT, dir, f));
}

describe("encodeText gives the bytes and diagnostics of bindText + encodeMessage", () => {
  for (const file of corpusFiles()) {
    it(`for corpus file ${file}, strict and lenient`, () => expectSame(readFileSync(join(CORPUS_DIR, file), "utf8")));
  }
  for (const dir of fixtureDirs) {
    for (const path of prototxtsUnder(dir)) {
      it(`for fixture ${path.slice(ROOT.length + 1)}, strict and lenient`, () => expectSame(readFileSync(path, "utf8")));
    }
  }
});

describe("encodeText writes protoc's field order", () => {
  const cases: [string, string][] = [
    ["fields given out of number order", 'layer { top: "b" name: "n" bottom: "a" type: "ReLU" bottom: "c" }'],
    ["repeated elements split by other fields, kept in text order", 'layer { bottom: "a" top: "t" bottom: "b" name: "x" bottom: "c" }'],
    ["packed dims from single values and lists, split by other fields", "input_shape { dim: 1 dim: [3, 224] } input_shape { dim: [] } input: \"d\" input_shape { dim: 7 }"],
    ["packed dims out of order with a later field", "layer { input_param { shape { dim: 2 } shape { dim: [1, 2] dim: 3 } } name: \"i\" }"],
    ["packed blob data after another field", "layer { blobs { shape { dim: 2 } data: [1.5, -2] num: 1 data: 3 double_data: [0.1] } }"],
    ["a packed run whose payload needs a two-byte length", `layer { blobs { data: [${Array.from({ length: 40 }, (_, i) => i / 8).join(", ")}] } }`],
    ["a nested message of more than 127 and more than 16383 bytes", `layer { name: "${"n".repeat(200)}" } layer { name: "${"m".repeat(20000)}" } layer { name: "s" }`],
    ["messages whose size changes the reserved prefix back and forth", Array.from({ length: 30 }, (_, i) => `layer { name: "${"x".repeat((i * 37) % 300)}" type: "T" }`).join("\n")],
    ["an empty message and an empty list", "layer { } layer { bottom: [] name: \"e\" }"],
    ["list of messages", "layer [ { name: \"a\" }, { name: \"b\" top: \"t\" } ] layer: { name: \"c\" }"],
    ["strings with escapes, non-ASCII and invalid UTF-8", "name: \"a\\n\\x41\\101é\" 'ü' layer { name: \"\\377\\376\" type: \"\\u00e9\" }"],
    ["numbers of every form", "layer { param { lr_mult: 1e-5 decay_mult: -.5 } convolution_param { num_output: 0x10 pad: 010 kernel_size: 3 stride: [1, 2] axis: -1 } batch_norm_param { eps: 1.5f moving_average_fraction: inf } }"],
    ["floats beyond float range", "layer { batch_norm_param { eps: 1e39 moving_average_fraction: -3.4028235e38 } }"],
    ["enums by name and number, bools by word and number", "state { phase: 1 level: -2 } layer { include { phase: TRAIN } propagate_down: [true, 0, t, False, 1] }"],
    ["an int64 beyond 2^53", "layer { input_param { shape { dim: 9007199254740993 dim: -1 } } }"],
    ["a duplicate singular field, after a failed first value", "layer { name: 1 name: \"ok\" name: \"again\" }"],
    ["duplicate singular fields at the top level and in sibling messages", "name: \"a\" layer { name: \"x\" } layer { name: \"y\" phase: TEST phase: TRAIN } state { level: 1 } name: \"b\" state { }"],
    ["unknown fields, unknown enum values and fork fields", "layer { bn_param { x: 1 } pooling_param { pool: MAXX } nme: \"a\" } foo [1, 2] bar { baz { } }"],
    ["extensions, syntax errors and recovery", "[ext.x] { a: 1 } layer { name: \"a\" ; } } layer { name \"b\" top: } layer { name: [\"x\"] }"],
    ["V1 layers with blobs_lr and enums", "layers { type: CONVOLUTION blobs_lr: 1 blobs_lr: 2 weight_decay: [1, 0] name: \"c\" }"],
  ];
  for (const [title, text] of cases) it(`for ${title}`, () => expectSame(text));

  it("for a 30000-element packed list given in pieces", () => {
    const pieces = Array.from({ length: 300 }, (_, k) => `data: [${Array.from({ length: 100 }, (_, i) => k * 100 + i).join(", ")}] num: ${k % 3 === 0 ? 1 : 2}`);
    // num is singular: its duplicates are errors, so also check a variant without them.
    expectSame(`layer { blobs { ${pieces.join(" ")} } }`);
    expectSame(`layer { blobs { ${pieces.map((p) => p.replace(/ num: \d/, "")).join(" ")} channels: 3 } }`);
  });
});


describe("encodeText agrees with the object path on every scalar type", () => {
  const all = buildSchema(protobuf.parse(ALL_TYPES_PROTO, { keepCase: true }).root).message("t.All");
  const values = ["0", "1", "-1", "7", "-7", "123456789", "-123456789", "1234567890", "2147483647", "-2147483648", "2147483648", "4294967295",
    "4294967296", "-4294967296", "9007199254740993", "18446744073709551615", "-9223372036854775808", "0x7f", "-0x10", "017", "08", "1.5", "-0.0",
    ".25", "5.", "1e3", "1E-3", "2.5f", "-1e-45", "3.4028235e38", "1e39", "inf", "-Infinity", "nan", "true", "t", "False", "f", "TRUE",
    "NEG", "BIG", "ZERO", "nope", "\"s\"", "'é'", "\"\\xff\"", "0.1", "123456789012345678", "1.00000000000000000000001", "4e22", "4e23"];
  const fields = ["i32", "i64", "u32", "u64", "s32", "s64", "f32", "f64", "sf32", "sf64", "b", "e", "fl", "db", "s", "by"];
  for (const field of fields) {
    it(`for field ${field}, every kind of value`, () => {
      for (const v of values) expectSame(`${field}: ${v}`, all);
      expectSame(fields.filter((f) => f !== field).map((f, i) => `${f}: ${values[i % 8]}`).join(" ") + ` ${field}: 1`, all);
    });
  }
  it("for packed and unpacked repeated fields and nested messages", () => {
    expectSame("ri32: [1, -1] rs64: [-5, 5] child { re: [NEG, BIG] fl: 0.5 } ri32: 3 rs64: 7 rf64: [1, 2] ru64: 3 ru64: [4, 5] re: ZERO", all);
    expectSame("kids { i32: 1 kids { s: \"x\" } } i32: 2 kids { b: true } child { child { child { db: 1e-300 } } }", all);
  });
});
