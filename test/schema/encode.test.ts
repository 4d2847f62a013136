import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import protobuf from "protobufjs";
import { ALL_TYPES_PROTO } from "./all-types-proto.js";
import { describe, expect, it } from "vitest";
import type { BoundMessage } from "../../src/schema/bind.js";
import { encodeMessage } from "../../src/schema/encode.js";
import { buildSchema, loadCaffeSchema, type MessageInfo } from "../../src/schema/load.js";
import { readNet } from "../../src/schema/read.js";
import { protocAvailable, runProtoc, skipWithoutProtoc } from "../helpers/protoc.js";

const caffe = loadCaffeSchema();
const NET = caffe.message("caffe.NetParameter");

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * protoc's bytes for `text`, as hex (failing loudly when protoc refuses the fixture). protoc
 * logs, but still writes, a string field holding bytes that are not UTF-8.
 */
function protocHex(text: string, type = "caffe.NetParameter"): string {
  const run = runProtoc(text, "encode", type);
  expect(run.stderr.split("\n").filter((l) => l && !l.includes("contains invalid UTF-8 data"))).toEqual([]);
  expect(run.ok).toBe(true);
  return run.stdout.toString("hex");
}

/** Text fixtures, each checked through the text reader and against protoc. */
const FIXTURES: Record<string, string> = {
  "a field set to its default (proto2 presence)": `
    layer { name: "c" type: "Convolution" convolution_param { bias_term: true group: 1 } }
    force_backward: false`,
  "negative int32 values (ten-byte varints)": `
    layer { name: "cat" concat_param { axis: -1 } flatten_param { end_axis: -2147483648 } }`,
  "int64 dims: negative, beyond 32 bits, at the int64 limits (packed)": `
    layer { blobs { shape { dim: -1 dim: 9000000000 dim: 9223372036854775807 dim: -9223372036854775808 dim: 0 } } }`,
  "keys in a different order than the field numbers": `
    layer { top: "t" bottom: "b" type: "ReLU" name: "r" phase: TEST }
    name: "late name"`,
  "non-packed repeated fields (one tag per element)": `
    layer { loss_weight: 1 loss_weight: 0.5 propagate_down: true propagate_down: false
            convolution_param { pad: 1 pad: 4294967295 kernel_size: 3 } }
    input_dim: -5 input_dim: 7`,
  "floats rounded to float32 as protoc rounds them": `
    layer { loss_weight: 0.1 loss_weight: 1e-5 loss_weight: 0.999 loss_weight: -0 loss_weight: inf
            loss_weight: -inf loss_weight: nan loss_weight: 3.4e38 loss_weight: 1e-45 loss_weight: 2e-46
            loss_weight: 3.4028235e38 loss_weight: 3.4028235677973366e38 loss_weight: 3.4028235677973367e38
            loss_weight: -3.4028235677973366e38 loss_weight: 1e39 }`,
  "strings with escapes, non-ASCII and bytes that are not UTF-8": `
    name: "q\\"uo'te\\\\ new\\nline\\ttab é 中 😀 \\001\\177"
    layer { name: "\\377\\376 raw" type: "" }`,
  "blob data, diff and doubles (packed) with legacy dimensions": `
    layer { blobs { num: 1 channels: 2 height: 1 width: 2 data: 1 data: -2.5 data: 0.1 data: 3e-39
                    diff: 0 double_data: 0.1 double_data: -1e300 double_diff: 5e-324 } }`,
  "empty messages": `layer { } layer { include { } }`,
  "enums by name": `layer { include { phase: TRAIN } exclude { phase: TEST } pooling_param { pool: STOCHASTIC } }`,
};

describe("encodeMessage writes what protoc --encode writes", () => {
  it("has protoc in CI", () => {
    if (process.env["CI"] === "true") expect(protocAvailable()).toBe(true);
  });

  for (const [title, text] of Object.entries(FIXTURES)) {
    it.skipIf(skipWithoutProtoc)(`encodes ${title} byte for byte`, () => {
      const read = readNet(text);
      expect(read.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(hex(encodeMessage(NET, read.net))).toBe(protocHex(text));
    });
  }

  it.skipIf(skipWithoutProtoc)("encodes a hand-built net the same as its text", () => {
    const net: BoundMessage = {
      layer: [
        {
          convolution_param: { num_output: 64, kernel_size: [3], bias_term: false, weight_filler: { type: "msra" } },
          name: "conv1",
          type: "Convolution",
          bottom: ["data"],
          top: ["conv1"],
          blobs: [{ data: new Float32Array([0.25, -1, 1e-7]), shape: { dim: [1, 3, 9000000000, 2n ** 62n] } }],
        },
      ],
      name: "hand",
      input: ["data"],
    };
    const text = `name: "hand" input: "data" layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
      blobs { data: 0.25 data: -1 data: 1e-7 shape { dim: 1 dim: 3 dim: 9000000000 dim: 4611686018427387904 } }
      convolution_param { num_output: 64 kernel_size: 3 bias_term: false weight_filler { type: "msra" } } }`;
    expect(hex(encodeMessage(NET, net))).toBe(protocHex(text));
  });

  it.skipIf(skipWithoutProtoc)("writes a string held as bytes (not UTF-8) verbatim", () => {
    const net: BoundMessage = { name: new Uint8Array([0xff, 0x41]) };
    expect(hex(encodeMessage(NET, net))).toBe(protocHex(`name: "\\377A"`));
  });

  it.skipIf(skipWithoutProtoc)("encodes a bytes field (Datum.data)", () => {
    const datum: BoundMessage = { channels: 1, data: new Uint8Array([0, 1, 255]), float_data: [1.5], encoded: false };
    expect(hex(encodeMessage(caffe.message("caffe.Datum"), datum))).toBe(
      protocHex(`channels: 1 data: "\\000\\001\\377" float_data: 1.5 encoded: false`, "caffe.Datum"),
    );
  });
});

describe("encodeMessage accepts every form of the bound representation", () => {
  const blob = caffe.message("caffe.BlobProto");

  it("writes the same bytes for packed floats as a Float32Array or as numbers", () => {
    const values = [0.1, -2, 3.5, 1e-30];
    expect(hex(encodeMessage(blob, { data: new Float32Array(values) }))).toBe(hex(encodeMessage(blob, { data: values })));
  });

  it("writes the same bytes for packed doubles as a Float64Array or as numbers", () => {
    const values = [0.1, -2, 1e300];
    expect(hex(encodeMessage(blob, { double_data: new Float64Array(values) }))).toBe(hex(encodeMessage(blob, { double_data: values })));
  });

  it("copies a Float32Array that is a view into a larger buffer from its own offset", () => {
    const backing = new Float32Array([9, 1, 2, 9]);
    const view = new Float32Array(backing.buffer, 4, 2);
    expect(hex(encodeMessage(blob, { data: view }))).toBe("2a08" + "0000803f" + "00000040");
  });

  it("writes a Float64Array given for a float field element by element as float32", () => {
    expect(hex(encodeMessage(blob, { data: new Float64Array([0.1]) }))).toBe("2a04cdcccc3d");
  });

  it("omits empty repeated fields, packed or not, and absent or undefined fields", () => {
    expect(encodeMessage(blob, { data: new Float32Array(0), diff: [], num: undefined }).length).toBe(0);
    expect(encodeMessage(NET, { layer: [], input: [], name: undefined }).length).toBe(0);
  });

  it("ignores keys that are not fields of the message", () => {
    expect(hex(encodeMessage(blob, { num: 1, not_a_field: 7 }))).toBe("0801");
  });

  it("accepts enum values as numbers as well as names", () => {
    const rule = caffe.message("caffe.NetStateRule");
    expect(hex(encodeMessage(rule, { phase: 1 }))).toBe(hex(encodeMessage(rule, { phase: "TEST" })));
  });

  it("refuses an enum name the schema lacks (a caller bug, not user input)", () => {
    expect(() => encodeMessage(caffe.message("caffe.NetStateRule"), { phase: "VALIDATE" })).toThrow(/caffe.Phase has no value VALIDATE/);
  });

  it("encodes a 64 MB blob as one run whose payload is the array's bytes", () => {
    const data = new Float32Array(16 << 20);
    for (let i = 0; i < data.length; i += 4099) data[i] = i;
    const bytes = encodeMessage(blob, { data });
    // Tag 0x2a, a 4-byte length, then the floats as they are in memory (little-endian).
    expect(bytes.length).toBe(1 + 4 + data.byteLength);
    expect(Buffer.from(bytes.subarray(5)).equals(Buffer.from(data.buffer))).toBe(true);
  });
});


describe("encodeMessage handles every scalar type as protoc does", () => {
  const schema = buildSchema(protobuf.parse(ALL_TYPES_PROTO, { keepCase: true }).root);
  const all: MessageInfo = schema.message("t.All");
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-encode-"));
  writeFileSync(join(dir, "all.proto"), ALL_TYPES_PROTO);

  function protocAll(text: string): string {
    const r = spawnSync("protoc", [`--proto_path=${dir}`, "--encode=t.All", "all.proto"], { input: text });
    expect(r.stderr.toString()).toBe("");
    return r.stdout.toString("hex");
  }

  const cases: [string, BoundMessage, string][] = [
    [
      "minimum values",
      { i32: -2147483648, i64: -(2n ** 63n), u32: 0, u64: 0, s32: -2147483648, s64: -(2n ** 63n), f32: 0, f64: 0, sf32: -2147483648, sf64: -(2n ** 63n), b: false, e: "NEG" },
      "i32: -2147483648 i64: -9223372036854775808 u32: 0 u64: 0 s32: -2147483648 s64: -9223372036854775808 f32: 0 f64: 0 sf32: -2147483648 sf64: -9223372036854775808 b: false e: NEG",
    ],
    [
      "maximum values",
      { i32: 2147483647, i64: 2n ** 63n - 1n, u32: 4294967295, u64: 2n ** 64n - 1n, s32: 2147483647, s64: 2n ** 63n - 1n, f32: 4294967295, f64: 2n ** 64n - 1n, sf32: 2147483647, sf64: 2n ** 63n - 1n, b: true, e: "BIG" },
      "i32: 2147483647 i64: 9223372036854775807 u32: 4294967295 u64: 18446744073709551615 s32: 2147483647 s64: 9223372036854775807 f32: 4294967295 f64: 18446744073709551615 sf32: 2147483647 sf64: 9223372036854775807 b: true e: BIG",
    ],
    [
      "safe integers as numbers at the varint group boundaries",
      { i64: -9007199254740991, u64: 9007199254740991, s64: -1, s32: -1, i32: 127, u32: 16384, ri32: [0, 127, 128, -1, 268435456] },
      "i64: -9007199254740991 u64: 9007199254740991 s64: -1 s32: -1 i32: 127 u32: 16384 ri32: [0, 127, 128, -1, 268435456]",
    ],
    [
      "packed sint64, enums and fixed64, unpacked uint64, a nested message and the largest field number",
      { rs64: [-1, 1, -(2n ** 40n)], re: ["NEG", "ZERO", "BIG"], rf64: [1, 2n ** 60n], ru64: [3, 2n ** 64n - 2n], child: { fl: 0.1, db: 0.1, s: "é", by: new Uint8Array([200]) } },
      "rs64: [-1, 1, -1099511627776] re: [NEG, ZERO, BIG] rf64: [1, 1152921504606846976] ru64: [3, 18446744073709551614] child { fl: 0.1 db: 0.1 s: \"é\" by: \"\\310\" }",
    ],
  ];

  for (const [title, obj, text] of cases) {
    it.skipIf(skipWithoutProtoc)(`encodes ${title}`, () => {
      expect(hex(encodeMessage(all, obj))).toBe(protocAll(text));
    });
  }
});
