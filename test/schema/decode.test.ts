import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BoundMessage } from "../../src/schema/bind.js";
import { decodeMessage } from "../../src/schema/decode.js";
import { encodeMessage } from "../../src/schema/encode.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { protocAvailable, runProtoc, skipWithoutProtoc } from "../helpers/protoc.js";

const caffe = loadCaffeSchema();
const NET = caffe.message("caffe.NetParameter");
const BLOB = caffe.message("caffe.BlobProto");
const LAYER = caffe.message("caffe.LayerParameter");
const TRAINED = join(GOLDEN_DIR, "trained_small", "trained_small.caffemodel");

/** Builds wire bytes from numbers (single bytes) and byte arrays. */
function bytes(...parts: (number | Uint8Array | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

function varint(n: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function f32(...values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function codes(diagnostics: { code: string }[]): string[] {
  return diagnostics.map((d) => d.code);
}

describe("decodeMessage reads what protoc writes", () => {
  it("has protoc in CI", () => {
    if (process.env["CI"] === "true") expect(protocAvailable()).toBe(true);
  });

  const texts: Record<string, string> = {
    "a net with every common field kind": `name: "n" input: "data" input_dim: -1 input_dim: 3 force_backward: false
      layer { name: "c" type: "Convolution" bottom: "data" top: "c" loss_weight: 0.5 propagate_down: true
              param { lr_mult: 1 decay_mult: 0 } include { phase: TEST stage: "s" }
              convolution_param { num_output: 4294967295 pad: 1 pad: 2 engine: CUDNN bias_term: true }
              concat_param { axis: -1 } }`,
    "blobs with data, diff, doubles, int64 dims and legacy dimensions": `layer { blobs {
      shape { dim: 2 dim: -1 dim: 9000000000 dim: 9223372036854775807 }
      data: 0.1 data: -0 data: inf data: nan diff: 1e-45 double_data: 0.1 double_diff: -1e300 num: 2 channels: 1 } }`,
    "strings that are not plain ASCII": `name: "é 中 \\"\\n\\377" layer { name: "\\001" }`,
  };

  for (const [title, text] of Object.entries(texts)) {
    it.skipIf(skipWithoutProtoc)(`decodes ${title} and encodes it back to the same bytes`, () => {
      const original = new Uint8Array(runProtoc(text).stdout);
      const { message, diagnostics } = decodeMessage(NET, original);
      expect(diagnostics).toEqual([]);
      expect(Buffer.from(encodeMessage(NET, message)).equals(Buffer.from(original))).toBe(true);
    });
  }

  it.skipIf(skipWithoutProtoc)("gives the bound form: enum names, numbers, bigints beyond 2^53, typed arrays", () => {
    const text = texts["blobs with data, diff, doubles, int64 dims and legacy dimensions"]!;
    const { message } = decodeMessage(NET, new Uint8Array(runProtoc(text).stdout));
    const blob = ((message["layer"] as BoundMessage[])[0]!["blobs"] as BoundMessage[])[0]!;
    expect((blob["shape"] as BoundMessage)["dim"]).toEqual([2, -1, 9000000000, 9223372036854775807n]);
    expect(blob["data"]).toBeInstanceOf(Float32Array);
    expect(Array.from(blob["data"] as Float32Array)).toEqual([Math.fround(0.1), -0, Infinity, NaN]);
    expect(Object.is((blob["data"] as Float32Array)[1], -0)).toBe(true);
    expect(blob["double_data"]).toBeInstanceOf(Float64Array);
    expect(Array.from(blob["double_data"] as Float64Array)).toEqual([0.1]);
    expect([blob["num"], blob["channels"]]).toEqual([2, 1]);
  });
});

describe("decodeMessage keeps blob data as typed arrays over the input", () => {
  it("makes packed floats a Float32Array view of the input when the payload is 4-byte aligned", () => {
    const input = bytes(0x2a, 8, f32(1.5, -2));
    const buffer = new Uint8Array(64);
    buffer.set(input, 2); // payload at offset 4: aligned
    const { message } = decodeMessage(BLOB, buffer.subarray(2, 2 + input.length));
    const data = message["data"] as Float32Array;
    expect(data.buffer).toBe(buffer.buffer);
    expect(Array.from(data)).toEqual([1.5, -2]);
  });

  it("copies packed floats once when the payload is not aligned", () => {
    const input = bytes(0x2a, 8, f32(1.5, -2));
    const buffer = new Uint8Array(64);
    buffer.set(input, 1);
    const { message } = decodeMessage(BLOB, buffer.subarray(1, 1 + input.length));
    const data = message["data"] as Float32Array;
    expect(data).toBeInstanceOf(Float32Array);
    expect(data.buffer).not.toBe(buffer.buffer);
    expect(Array.from(data)).toEqual([1.5, -2]);
  });

  it("with alignFloatsInPlace, moves an unaligned float payload back over its tag and length and views it", () => {
    const values = Array.from({ length: 40 }, (_, i) => i - 17.25);
    const input = bytes(0x2a, varint(160), f32(...values)); // tag, 2-byte length, 160 bytes
    const buffer = new Uint8Array(256);
    const at = 2; // tag at 2, length at 3–4, payload at 5: one byte past alignment
    buffer.set(input, at);
    const { message, diagnostics } = decodeMessage(BLOB, buffer.subarray(at, at + input.length), { alignFloatsInPlace: true });
    expect(diagnostics).toEqual([]);
    const data = message["data"] as Float32Array;
    expect(data.buffer).toBe(buffer.buffer);
    expect(data.byteOffset).toBe(4);
    expect(Array.from(data)).toEqual(values.map(Math.fround));
  });

  it("with alignFloatsInPlace, still copies when the tag and length are shorter than the shift", () => {
    const input = bytes(0x2a, 8, f32(1.5, -2)); // tag and length: 2 bytes; the payload is 3 bytes past alignment
    const buffer = new Uint8Array(64);
    buffer.set(input, 1);
    const before = buffer.slice();
    const { message } = decodeMessage(BLOB, buffer.subarray(1, 1 + input.length), { alignFloatsInPlace: true });
    expect((message["data"] as Float32Array).buffer).not.toBe(buffer.buffer);
    expect(Array.from(message["data"] as Float32Array)).toEqual([1.5, -2]);
    expect(buffer).toEqual(before); // nothing moved
  });

  it("makes packed doubles a Float64Array view when 8-byte aligned", () => {
    const payload = new Uint8Array(new Float64Array([0.1, 2]).buffer);
    const input = bytes(0x42, 16, payload);
    const buffer = new Uint8Array(64);
    buffer.set(input, 6);
    const { message } = decodeMessage(BLOB, buffer.subarray(6, 6 + input.length));
    expect((message["double_data"] as Float64Array).buffer).toBe(buffer.buffer);
    expect(Array.from(message["double_data"] as Float64Array)).toEqual([0.1, 2]);
  });

  it("accepts packed floats sent one tag per element and still gives a Float32Array", () => {
    const { message, diagnostics } = decodeMessage(BLOB, bytes(0x2d, f32(1), 0x2d, f32(2)));
    expect(diagnostics).toEqual([]);
    expect(message["data"]).toBeInstanceOf(Float32Array);
    expect(Array.from(message["data"] as Float32Array)).toEqual([1, 2]);
  });

  it("joins several packed runs and single elements of one field in order", () => {
    const { message } = decodeMessage(BLOB, bytes(0x2a, 4, f32(1), 0x2d, f32(2), 0x2a, 8, f32(3, 4)));
    expect(Array.from(message["data"] as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it("accepts a packed run for a repeated field declared unpacked, giving plain numbers", () => {
    // LayerParameter.loss_weight = 5 (repeated float) and propagate_down = 11 (repeated bool).
    const { message } = decodeMessage(LAYER, bytes(0x2a, 8, f32(0.5, 1), 0x5a, 2, 1, 0));
    expect(message["loss_weight"]).toEqual([0.5, 1]);
    expect(message["propagate_down"]).toEqual([true, false]);
  });

  it("accepts unpacked int64 dims", () => {
    const { message } = decodeMessage(caffe.message("caffe.BlobShape"), bytes(0x08, varint(-1), 0x08, varint(2n ** 60n)));
    expect(message["dim"]).toEqual([-1, 2n ** 60n]);
  });
});

describe("decodeMessage follows protobuf's merging rules", () => {
  it("merges a singular message given twice and keeps the last singular scalar", () => {
    // LayerParameter.convolution_param = 106: {num_output: 1} then {pad: 2}; name given twice.
    const input = bytes(0x0a, 1, 0x61, 0xd2, 0x06, 2, 0x08, 1, 0x0a, 1, 0x62, 0xd2, 0x06, 2, 0x18, 2);
    const { message } = decodeMessage(LAYER, input);
    expect(message["name"]).toBe("b");
    expect(message["convolution_param"]).toEqual({ num_output: 1, pad: [2] });
  });

  it("reads a negative int32 written as a ten-byte varint", () => {
    // ConcatParameter.axis = 2
    const { message } = decodeMessage(caffe.message("caffe.ConcatParameter"), bytes(0x10, varint(-1)));
    expect(message["axis"]).toBe(-1);
  });

  it("keeps a leading byte order mark in a string", () => {
    const input = bytes(0x0a, 4, 0xef, 0xbb, 0xbf, 0x41);
    const { message } = decodeMessage(NET, input);
    expect(message["name"]).toBe("\ufeffA");
    expect(encodeMessage(NET, message)).toEqual(input);
  });

  it("copies bytes fields and non-UTF-8 strings out of a Buffer input into plain Uint8Arrays", () => {
    const input = Buffer.from([0x0a, 2, 0xff, 0x41]);
    const name = decodeMessage(NET, input).message["name"] as Uint8Array;
    expect(name.constructor).toBe(Uint8Array);
    input[2] = 0;
    expect(Array.from(name)).toEqual([0xff, 0x41]);
    const datum = decodeMessage(caffe.message("caffe.Datum"), Buffer.from([0x22, 1, 7])).message;
    expect((datum["data"] as Uint8Array).constructor).toBe(Uint8Array);
  });

  it("keeps a string that is not UTF-8 as its bytes", () => {
    const { message } = decodeMessage(NET, bytes(0x0a, 2, 0xff, 0x41));
    expect(message["name"]).toEqual(new Uint8Array([0xff, 0x41]));
  });
});

describe("decodeMessage sets unknown fields aside", () => {
  it("skips unknown field numbers of every wire type, listing them with their offsets", () => {
    const input = bytes(0xc0, 0x3e, 5, 0x0a, 1, 0x78, 0xc1, 0x3e, f32(1, 2), 0xc2, 0x3e, 1, 0x00, 0xc5, 0x3e, f32(3), 0xc3, 0x3e, 0x08, 1, 0xc4, 0x3e);
    const { message, diagnostics, unknownFields } = decodeMessage(NET, input);
    expect(message).toEqual({ name: "x" });
    expect(unknownFields.map((u) => [u.fieldNumber, u.wireType, u.offset, u.length])).toEqual([
      [1000, 0, 0, 3],
      [1000, 1, 6, 10],
      [1000, 2, 16, 4],
      [1000, 5, 20, 6],
      [1000, 3, 26, 6],
    ]);
    expect(new Set(codes(diagnostics))).toEqual(new Set(["unknown-field"]));
    expect(diagnostics.every((d) => d.severity === "warning")).toBe(true);
    expect(diagnostics[1]!.data).toMatchObject({ offset: 6, fieldNumber: 1000, wireType: "fixed64", message: "caffe.NetParameter" });
  });

  it("treats a known field with the wrong wire type as unknown, as protoc does", () => {
    // NetParameter.name = 1 sent as a varint.
    const { message, unknownFields } = decodeMessage(NET, bytes(0x08, 5));
    expect(message).toEqual({});
    expect(unknownFields[0]).toMatchObject({ fieldNumber: 1, wireType: 0, messageType: "caffe.NetParameter" });
  });

  it("keeps an enum number the enum lacks aside (proto2) and warns", () => {
    // NetStateRule.phase = 1 with value 7.
    const rule = caffe.message("caffe.NetStateRule");
    const { message, diagnostics, unknownFields } = decodeMessage(rule, bytes(0x08, 7, 0x10, 3));
    expect(message).toEqual({ min_level: 3 });
    expect(codes(diagnostics)).toEqual(["unknown-enum-value"]);
    expect(unknownFields[0]).toMatchObject({ fieldNumber: 1, offset: 0, length: 2 });
  });
});

describe("decodeMessage reports malformed input instead of throwing", () => {
  const cases: [string, Uint8Array, string, number][] = [
    ["a truncated varint", bytes(0x08, 0x80), "truncated-message", 1],
    ["a length running past the end", bytes(0x0a, 5, 0x61), "truncated-message", 1],
    ["a nested length running past its parent", bytes(0xa2, 0x06, 3, 0x0a, 5, 0x61, 0x62), "truncated-message", 4],
    ["a truncated fixed32", bytes(0xc5, 0x3e, 1, 2), "truncated-message", 2],
    ["wire type 6", bytes(0x0e), "invalid-wire-type", 0],
    ["wire type 7 after a good field", bytes(0x0a, 1, 0x61, 0x0f), "invalid-wire-type", 3],
    ["field number 0", bytes(0x02, 0), "invalid-field-number", 0],
    ["a varint longer than ten bytes", bytes(0x08, ...new Array(10).fill(0xff), 1), "malformed-varint", 1],
    ["a packed float run whose length is not a multiple of 4", bytes(0xa2, 0x06, 5, 0x3a, 3, 0x2a, 1, 0), "invalid-packed-length", 5],
    ["an end-group tag with no group", bytes(0x0c), "unexpected-end-group", 0],
    ["an unterminated unknown group", bytes(0xc3, 0x3e, 0x08, 1), "truncated-message", 4],
  ];
  for (const [title, input, code, offset] of cases) {
    it(`reports ${title} as ${code} at offset ${offset}`, () => {
      const result = decodeMessage(NET, input);
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]!.code).toBe(code);
      expect(errors[0]!.data["offset"]).toBe(offset);
      expect(errors[0]!.range!.offset).toBe(offset);
    });
  }

  it("keeps what was read before the fault", () => {
    const { message } = decodeMessage(NET, bytes(0x0a, 1, 0x61, 0xa2, 0x06, 4, 0x0a, 1, 0x62, 0x0a));
    expect(message).toEqual({ name: "a", layer: [{ name: "b" }] });
  });

  it("refuses unknown groups nested deeper than the recursion limit", () => {
    const deep = bytes(...new Array(101).fill([0xc3, 0x3e]).flat(), ...new Array(101).fill([0xc4, 0x3e]).flat());
    expect(codes(decodeMessage(NET, deep).diagnostics)).toEqual(["nesting-too-deep"]);
    const ok = bytes(...new Array(100).fill([0xc3, 0x3e]).flat(), ...new Array(100).fill([0xc4, 0x3e]).flat());
    expect(codes(decodeMessage(NET, ok).diagnostics)).toEqual(["unknown-field"]);
  });

  it("honours a smaller maxDepth for messages", () => {
    // NetParameter > layer > blobs > shape is three levels below the root.
    const input = bytes(0xa2, 0x06, 6, 0x3a, 4, 0x3a, 2, 0x08, 1);
    expect(codes(decodeMessage(NET, input, { maxDepth: 2 }).diagnostics)).toEqual(["nesting-too-deep"]);
    expect(decodeMessage(NET, input, { maxDepth: 3 }).diagnostics).toEqual([]);
  });

  it("never throws on any truncation or corruption of a real caffemodel", () => {
    const model = new Uint8Array(readFileSync(TRAINED));
    for (let end = 0; end < model.length; end += 7) expect(() => decodeMessage(NET, model.subarray(0, end))).not.toThrow();
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let round = 0; round < 300; round++) {
      const copy = model.slice();
      for (let k = 0; k < 4; k++) copy[Math.floor(rnd() * copy.length)] = Math.floor(rnd() * 256);
      expect(() => decodeMessage(NET, copy)).not.toThrow();
    }
  });
});

describe("decodeMessage on the trained caffemodel recorded by Caffe", () => {
  const model = new Uint8Array(readFileSync(TRAINED));
  const trace = JSON.parse(readFileSync(join(GOLDEN_DIR, "trained_small", "trace.json"), "utf8")) as {
    caffemodel_layers: { name: string; type: string; blob_shapes: number[][] }[];
    caffemodel_blobs: Record<string, Record<string, { shape: number[]; data: number[] } | string>>;
  };
  const { message, diagnostics } = decodeMessage(NET, model);
  const layers = message["layer"] as BoundMessage[];

  it("reads without findings and encodes back to the same bytes", () => {
    expect(diagnostics).toEqual([]);
    expect(Buffer.from(encodeMessage(NET, message)).equals(Buffer.from(model))).toBe(true);
  });

  it("has every layer with the blob shapes pycaffe reported", () => {
    const shapes = layers.map((l) => ({
      name: l["name"],
      type: l["type"],
      blob_shapes: ((l["blobs"] as BoundMessage[] | undefined) ?? []).map((b) => (b["shape"] as BoundMessage)["dim"]),
    }));
    expect(shapes).toEqual(trace.caffemodel_layers.map(({ name, type, blob_shapes }) => ({ name, type, blob_shapes })));
  });

  it("has the stored BatchNorm and Scale blobs value for value", () => {
    for (const [name, recorded] of Object.entries(trace.caffemodel_blobs)) {
      const layer = layers.find((l) => l["name"] === name)!;
      const blobs = layer["blobs"] as BoundMessage[];
      const expected = Object.values(recorded).filter((v) => typeof v !== "string") as { shape: number[]; data: number[] }[];
      expect(blobs.map((b) => Array.from(b["data"] as Float32Array))).toEqual(expected.map((e) => e.data));
      expect(blobs.map((b) => (b["shape"] as BoundMessage)["dim"])).toEqual(expected.map((e) => e.shape));
    }
  });
});
