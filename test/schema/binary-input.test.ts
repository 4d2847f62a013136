/**
 * A binary file given where a prototxt is expected: one `binary-input` diagnostic instead of the
 * parse errors of its bytes, and never for text, even text with a stray NUL or comments that are
 * not UTF-8.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMessage } from "../../src/diagnostics/messages.js";
import { createRng } from "../../src/numeric/rng.js";
import { binaryInput } from "../../src/schema/binary-input.js";
import { encodeNet } from "../../src/schema/net-binary.js";
import { readNet } from "../../src/schema/read.js";
import { decodeSourceText } from "../../src/textproto/source-text.js";
import { GOLDEN_DIR } from "../helpers/paths.js";

const CAFFEMODEL = join(GOLDEN_DIR, "trained_small", "trained_small.caffemodel");
const textOf = (bytes: Uint8Array): string => decodeSourceText(bytes);
const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "latin1"));

describe("binaryInput", () => {
  it("names a caffemodel a binary caffe.NetParameter and counts its layers", () => {
    const d = binaryInput(textOf(readFileSync(CAFFEMODEL)));
    expect(d).toMatchObject({ code: "binary-input", severity: "error", data: { kind: "net-parameter", layers: 14 } });
    expect(d!.range).toBeUndefined();
    expect(renderMessage(d!)).toBe(
      "This is a binary caffe.NetParameter (a .caffemodel, 14 layers), not a text prototxt: pass it with --weights, or read it with caffe2torch inspect or decode.",
    );
  });

  it("names random bytes binary data", () => {
    const rng = createRng(3);
    const bytes = Uint8Array.from({ length: 2048 }, () => rng.nextUint32() & 255);
    expect(binaryInput(textOf(bytes))?.data["kind"]).toBe("binary");
  });

  it("leaves text alone: no control bytes, a NUL or two in a comment, or comments in Latin-1", () => {
    expect(binaryInput('name: "n"\nlayer { name: "a" type: 1 }\n')).toBeNull();
    expect(binaryInput(textOf(latin1('# a\x00b\nname: "x" # \x00\n# ok\nnmae: 1\n')))).toBeNull();
    expect(binaryInput(textOf(latin1(`# caf\xe9 ${"\xe9\xff".repeat(300)}\nname: "x" }\n`)))).toBeNull();
  });
});

describe("reading a binary file as a prototxt", () => {
  const bytes = readFileSync(CAFFEMODEL);

  it("readNet gives the one binary-input diagnostic instead of hundreds of parse errors", () => {
    const read = readNet(textOf(bytes), { allowUnknown: true, upgrade: true });
    expect(read.diagnostics.map((d) => d.code)).toEqual(["binary-input"]);
  });

  it("encodeNet does too, strict or lenient", () => {
    for (const allowUnknown of [false, true]) {
      const { bytes: out, diagnostics } = encodeNet(textOf(bytes), { allowUnknown });
      expect(out).toBeNull();
      expect(diagnostics.map((d) => d.code)).toEqual(["binary-input"]);
    }
  });

  it("a text file with a syntax error keeps its positioned errors", () => {
    const read = readNet(textOf(latin1('# gr\xfc\xdfe\nlayer {\n  name: "a"\n')));
    expect(read.diagnostics.map((d) => d.code)).toEqual(["unclosed-message"]);
  });
});
