import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BoundMessage } from "../../src/schema/bind.js";
import { cEscape } from "../../src/schema/c-escape.js";
import { decodeMessage } from "../../src/schema/decode.js";
import { encodeMessage } from "../../src/schema/encode.js";
import { formatDouble, formatFloat, formatFloatExact } from "../../src/schema/float-format.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { printMessage, printToString } from "../../src/schema/print.js";
import { readNet } from "../../src/schema/read.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { protocAvailable, runProtoc, skipWithoutProtoc } from "../helpers/protoc.js";

const NET = loadCaffeSchema().message("caffe.NetParameter");
const TRAINED = join(GOLDEN_DIR, "trained_small", "trained_small.caffemodel");

/** What `protoc --decode=caffe.NetParameter` prints for `bytes`. */
function protocText(bytes: Uint8Array): string {
  const run = runProtoc(bytes, "decode");
  expect(run.ok).toBe(true);
  return run.stdout.toString("latin1");
}

/** Our text for `bytes`, read back as protoc's bytes would be (all text here is ASCII). */
function ourText(bytes: Uint8Array, full = true): string {
  const { message, diagnostics } = decodeMessage(NET, bytes);
  expect(diagnostics).toEqual([]);
  return printToString(NET, message, { full });
}

/** A net holding one blob with `data` (float32 bit patterns) and `double_data`. */
function blobNet(data: Float32Array, doubles: Float64Array = new Float64Array(0)): Uint8Array {
  return encodeMessage(NET, { layer: [{ blobs: [{ data, double_data: doubles }] }] });
}

describe("printMessage prints what protoc --decode prints", () => {
  it("has protoc in CI", () => {
    if (process.env["CI"] === "true") expect(protocAvailable()).toBe(true);
  });

  const texts: Record<string, string> = {
    "fields out of number order, nesting and empty messages": `layer { top: "t" name: "n" phase: TEST
      convolution_param { engine: CUDNN pad: 1 pad: 2 bias_term: false } } name: "net" layer { } force_backward: true`,
    "floats as SimpleFtoa and doubles as SimpleDtoa": `layer { loss_weight: 0.1 loss_weight: 1e-5 loss_weight: 0.999
      loss_weight: 3.4e38 loss_weight: -0 loss_weight: inf loss_weight: -inf loss_weight: nan loss_weight: 100000
      loss_weight: 1000000 loss_weight: 123456789 loss_weight: 0.0001 loss_weight: 0.00001234 loss_weight: 1e-45
      blobs { double_data: 0.1 double_data: 1e300 double_data: 1234567890123445 double_data: -0 double_data: 1e-320 } }`,
    "strings with quotes, control characters and non-ASCII": `name: "q\\"uo'te\\\\ new\\nline\\r\\ttab é 中 😀 \\001\\177 \\377"`,
    "negative and 64-bit integers": `input_dim: -1 input_dim: -2147483648 layer { concat_param { axis: -1 }
      blobs { shape { dim: -1 dim: 9000000000 dim: 9223372036854775807 dim: -9223372036854775808 } num: -3 } }`,
    "a blob with data and diff": `layer { name: "ip" blobs { shape { dim: 2 dim: 2 } data: 0.5 data: -1.25 data: 3 data: 7e-8 diff: 1 } }`,
  };
  for (const [title, text] of Object.entries(texts)) {
    it.skipIf(skipWithoutProtoc)(`prints ${title} byte for byte`, () => {
      const bytes = new Uint8Array(runProtoc(text).stdout);
      expect(ourText(bytes)).toBe(protocText(bytes));
    });
  }

  it.skipIf(skipWithoutProtoc)("formats 60,000 float32 values exactly as protoc (random bits and edge cases)", () => {
    const bits: number[] = [0x00000001, 0x00000002, 0x007fffff, 0x00800000, 0x00800001, 0x7f7fffff, 0x7f800000, 0xff800000];
    bits.push(0x7fc00000, 0xffc00000, 0x7f800001, 0x80000000, 0x80000001, 0x49969b39 /* 1234567.125 */);
    const view = new DataView(new ArrayBuffer(4));
    for (let k = -45; k <= 38; k++) {
      for (const d of [1, 2, 5, 9.999999]) {
        view.setFloat32(0, Number(`${d}e${k}`), true);
        const b = view.getUint32(0, true);
        bits.push(b - 1, b, b + 1);
      }
    }
    let seed = 2024;
    while (bits.length < 60000) bits.push((seed = (seed * 1103515245 + 12345) >>> 0) ^ (seed << 13));
    const data = new Float32Array(new Uint32Array(bits.map((b) => b >>> 0)).buffer);
    const bytes = blobNet(data);
    expect(ourText(bytes)).toBe(protocText(bytes));
  });

  it.skipIf(skipWithoutProtoc)("formats 20,000 doubles exactly as protoc, ties at 17 digits included", () => {
    const values = [0.1, 1e300, 5e-324, 1.7976931348623157e308, 2 ** 53 + 2, 1234.00006103515625, 0.3, -1 / 3];
    for (let k = 0; k < 2000; k++) values.push(1234 + k / 16384);
    const words = new Uint32Array(2);
    const dv = new Float64Array(words.buffer);
    let seed = 99;
    while (values.length < 20000) {
      words[0] = seed = (seed * 1103515245 + 12345) >>> 0;
      words[1] = (seed = (seed * 1103515245 + 12345) >>> 0) & 0x7fefffff;
      values.push(dv[0]!);
    }
    const bytes = blobNet(new Float32Array(0), Float64Array.from(values));
    expect(ourText(bytes)).toBe(protocText(bytes));
  });

  it.skipIf(skipWithoutProtoc)("prints the trained caffemodel in full exactly as protoc does", () => {
    const bytes = new Uint8Array(readFileSync(TRAINED));
    expect(ourText(bytes)).toBe(protocText(bytes));
  });
});

describe("printMessage with full: false summarises blob data", () => {
  const bytes = new Uint8Array(readFileSync(TRAINED));
  const { message } = decodeMessage(NET, bytes);
  const summary = printToString(NET, message, { full: false });

  it("replaces each packed data run with one comment naming its length and shape", () => {
    expect(summary).toContain("  blobs {\n    # data: 216 floats (shape 8x3x3x3)\n    shape {\n");
    expect(summary).toContain("    # data: 1 float (shape 1)\n");
    expect(summary).not.toMatch(/^\s*data:/m);
  });

  it("names legacy 4-D shapes and doubles", () => {
    const text = printToString(NET, { layer: [{ blobs: [{ num: 2, channels: 3, double_data: new Float64Array(6) }] }] }, { full: false });
    expect(text).toContain("    # double_data: 6 doubles (shape 2x3x0x0)\n");
  });

  it.skipIf(skipWithoutProtoc)("stays valid text format, which encodes to the net without its blob data", () => {
    const read = readNet(summary);
    expect(read.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const protoc = runProtoc(summary);
    expect(protoc.ok).toBe(true);
    const stripped = decodeMessage(NET, new Uint8Array(protoc.stdout)).message;
    const blobs = (stripped["layer"] as BoundMessage[]).flatMap((l) => (l["blobs"] as BoundMessage[] | undefined) ?? []);
    expect(blobs.length).toBeGreaterThan(0);
    expect(blobs.every((b) => b["data"] === undefined)).toBe(true);
  });

  it("prints every value with full: true, so that the text encodes back to the same bytes", () => {
    const read = readNet(printToString(NET, message, { full: true }));
    expect(Buffer.from(encodeMessage(NET, read.net)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe("printMessage streams its output", () => {
  it("yields chunks of about chunkSize characters whose concatenation is the whole text", () => {
    const data = new Float32Array(50000).map((_, i) => i / 7);
    const net: BoundMessage = { name: "big", layer: [{ name: "l", blobs: [{ data, shape: { dim: [50000] } }] }, { name: "after" }] };
    const chunks = [...printMessage(NET, net, { full: true, chunkSize: 4096 })];
    expect(chunks.length).toBeGreaterThan(100);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096 + 40);
    const whole = chunks.join("");
    expect(whole).toBe(printToString(NET, net, { full: true, chunkSize: 1 << 30 }));
    expect(whole.startsWith('name: "big"\nlayer {\n  name: "l"\n  blobs {\n    data: 0\n    data: 0.142857149\n')).toBe(true);
    expect(whole.endsWith('layer {\n  name: "after"\n}\n')).toBe(true);
  });

  it("prints nothing for an empty message", () => {
    expect([...printMessage(NET, {}, { full: true })]).toEqual([]);
  });
});

describe("printMessage on bound objects and unknown fields", () => {
  it("prints a float field's double as the float32 protoc would store", () => {
    expect(printToString(NET, { layer: [{ loss_weight: [0.123456789, 0.1] }] }, { full: true })).toBe(
      "layer {\n  loss_weight: 0.123456791\n  loss_weight: 0.1\n}\n",
    );
  });

  it("prints strings held as bytes and enums held as numbers", () => {
    expect(printToString(NET, { name: new Uint8Array([0xff, 0x41]), state: { phase: 1 } }, { full: true })).toBe(
      'name: "\\377A"\nstate {\n  phase: TEST\n}\n',
    );
  });

  it("lists unknown fields as comments at the end of their message", () => {
    const input = Uint8Array.from([0x0a, 1, 0x61, 0xa2, 0x06, 3, 0xc0, 0x3e, 5]);
    const { message, unknownFields } = decodeMessage(NET, input);
    expect(printToString(NET, message, { full: true, unknownFields })).toBe(
      'name: "a"\nlayer {\n  # unknown field 1000 (varint, 3 bytes at offset 6)\n}\n',
    );
  });
});

describe("formatFloat and formatDouble", () => {
  it.each([
    [0.1, "0.1"], [1e-5, "1e-05"], [0.999, "0.999"], [3.4e38, "3.4e+38"], [-0, "-0"], [0, "0"], [NaN, "nan"],
    [Infinity, "inf"], [-Infinity, "-inf"], [100000, "100000"], [1000000, "1e+06"], [0.0001, "0.0001"],
    [3.4028234663852886e38, "3.40282347e+38"], [1234567.125, "1234567.12"], [2 ** -149, "1.40129846e-45"],
    [16777216, "16777216"], [-0.262768209, "-0.262768209"],
  ])("formats the float %s as %s", (value, text) => {
    expect(formatFloat(Math.fround(value))).toBe(text);
  });

  it("takes the same decisions in its fast double arithmetic as in exact arithmetic", () => {
    const words = new Uint32Array(1);
    const floats = new Float32Array(words.buffer);
    let seed = 5;
    for (let i = 0; i < 20000; i++) {
      words[0] = seed = (seed * 1103515245 + 12345) >>> 0;
      if (!Number.isFinite(floats[0]!)) continue;
      expect(formatFloat(floats[0]!)).toBe(formatFloatExact(floats[0]!));
    }
  });

  it.each([
    [0.1, "0.1"], [1e300, "1e+300"], [1234567890123445, "1234567890123445"], [1234.00006103515625, "1234.0000610351562"],
    [5e-324, "4.94065645841247e-324"], [1.7976931348623157e308, "1.7976931348623157e+308"], [-1 / 3, "-0.33333333333333331"],
  ])("formats the double %s as %s", (value, text) => {
    expect(formatDouble(value)).toBe(text);
  });
});

describe("cEscape", () => {
  it("escapes as protobuf's CEscape: named escapes, octal for the rest, UTF-8 bytes one by one", () => {
    expect(cEscape("plain_name-1.2/x")).toBe("plain_name-1.2/x");
    expect(cEscape("a\"b'c\\d\ne\rf\tg")).toBe("a\\\"b\\'c\\\\d\\ne\\rf\\tg");
    expect(cEscape("\u0000\u0001\u001f\u007f")).toBe("\\000\\001\\037\\177");
    expect(cEscape("é中")).toBe("\\303\\251\\344\\270\\255");
    expect(cEscape(new Uint8Array([0x80, 0x41, 0xff]))).toBe("\\200A\\377");
  });
});
