/**
 * Property tests (fast-check, seeded and bounded) of the schema layer on generated valid
 * caffe.NetParameter messages: printing and reading back gives the same message (same bytes,
 * and printing again gives the same text), and encode → decode → encode is byte-stable, also
 * for arbitrary bytes that happen to decode.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasErrors } from "../../src/diagnostics/diagnostic.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import { encodeMessage } from "../../src/schema/encode.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { decodeNet, encodeNet } from "../../src/schema/net-binary.js";
import { printToString } from "../../src/schema/print.js";
import { readNet } from "../../src/schema/read.js";

const SEED = 20261126;
const NET = loadCaffeSchema().message("caffe.NetParameter");

/**
 * A string as a text-format literal, written independently of our printer: printable ASCII as
 * is, `"` and `\` escaped, other characters as UTF-8 bytes in octal (the text format's \NNN).
 */
function quote(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, "utf8")) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `${out}"`;
}

/** A float as the text format accepts it (inf, nan and -0 included). */
function float(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return Object.is(v, -0) ? "-0" : String(v);
}

/** Strings without lone surrogates (a file's text never has them) and without NUL. */
const name = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !s.includes("\u0000"));
const anyFloat = fc.oneof(fc.float(), fc.double(), fc.constantFrom(0, -0, 1e-45, 3.4028234663852886e38, NaN, Infinity, -Infinity));
const dim = fc.integer({ min: 0, max: 1 << 20 });

const batchNormParam = fc.record(
  { use_global_stats: fc.boolean(), moving_average_fraction: anyFloat, eps: anyFloat },
  { requiredKeys: [] },
).map((p) => {
  const fields = Object.entries(p).map(([k, v]) => `${k}: ${typeof v === "boolean" ? String(v) : float(v)}`);
  return fields.length ? `batch_norm_param { ${fields.join(" ")} }` : "";
});

const blob = fc.record({ dims: fc.array(dim, { maxLength: 4 }), data: fc.array(anyFloat, { maxLength: 8 }) }).map(
  ({ dims, data }) => `blobs { shape { ${dims.map((d) => `dim: ${d}`).join(" ")} } ${data.map((v) => `data: ${float(v)}`).join(" ")} }`,
);

const layer = fc
  .record({
    name,
    type: fc.oneof(fc.constantFrom("BatchNorm", "Scale", "Bias", "Convolution", "ReLU", "Input"), name),
    bottom: fc.array(name, { maxLength: 2 }),
    top: fc.array(name, { maxLength: 2 }),
    phase: fc.option(fc.constantFrom("TRAIN", "TEST"), { nil: undefined }),
    lr: fc.array(anyFloat, { maxLength: 3 }),
    bn: batchNormParam,
    numOutput: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
    blobs: fc.array(blob, { maxLength: 2 }),
  })
  .map((l) =>
    [
      "layer {",
      `name: ${quote(l.name)} type: ${quote(l.type)}`,
      ...l.bottom.map((b) => `bottom: ${quote(b)}`),
      ...l.top.map((t) => `top: ${quote(t)}`),
      l.phase ? `phase: ${l.phase}` : "",
      ...l.lr.map((v) => `param { lr_mult: ${float(v)} }`),
      l.bn,
      l.numOutput === undefined ? "" : `convolution_param { num_output: ${l.numOutput} bias_term: false }`,
      ...l.blobs,
      "}",
    ].join("\n"),
  );

/** A valid NetParameter in text format. */
const netText = fc
  .record({
    name: fc.option(name, { nil: undefined }),
    inputs: fc.array(name, { maxLength: 2 }),
    shape: fc.array(dim, { maxLength: 4 }),
    layers: fc.array(layer, { maxLength: 5 }),
  })
  .map((n) =>
    [
      n.name === undefined ? "" : `name: ${quote(n.name)}`,
      ...n.inputs.map((i) => `input: ${quote(i)}`),
      n.shape.length ? `input_shape { ${n.shape.map((d) => `dim: ${d}`).join(" ")} }` : "",
      ...n.layers,
    ].join("\n"),
  );

function read(text: string): BoundMessage {
  const r = readNet(text);
  if (hasErrors(r.diagnostics)) throw new Error(`generated text does not read: ${JSON.stringify(r.diagnostics[0])}\n${text}`);
  return r.net;
}

describe("print and parse are inverses on valid messages", () => {
  it("reading the printed message gives the same bytes, and printing it again the same text", () => {
    fc.assert(
      fc.property(netText, (text) => {
        const message = read(text);
        const printed = printToString(NET, message, { full: true });
        const again = read(printed);
        expect(Buffer.from(encodeMessage(NET, again))).toEqual(Buffer.from(encodeMessage(NET, message)));
        expect(printToString(NET, again, { full: true })).toBe(printed);
        // The streaming encoder (no objects) agrees with the object encoder on the printed text.
        expect(Buffer.from(encodeNet(printed).bytes!)).toEqual(Buffer.from(encodeMessage(NET, message)));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe("encode → decode → encode is byte-stable", () => {
  it("on generated valid messages", () => {
    fc.assert(
      fc.property(netText, (text) => {
        const bytes = encodeMessage(NET, read(text));
        const decoded = decodeNet(bytes);
        expect(hasErrors(decoded.diagnostics)).toBe(false);
        expect(Buffer.from(encodeMessage(NET, decoded.net))).toEqual(Buffer.from(bytes));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("on arbitrary bytes: decoding never throws, and once decoded the message re-encodes stably", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        const first = decodeNet(raw);
        if (hasErrors(first.diagnostics)) return;
        const bytes = encodeMessage(NET, first.net);
        const second = decodeNet(bytes);
        expect(hasErrors(second.diagnostics)).toBe(false);
        expect(Buffer.from(encodeMessage(NET, second.net))).toEqual(Buffer.from(bytes));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
