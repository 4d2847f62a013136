import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineIndex } from "../../src/diagnostics/range.js";
import { encodeMessage } from "../../src/schema/encode.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { decodeNet, encodeNet } from "../../src/schema/net-binary.js";
import { readNet } from "../../src/schema/read.js";
import { CORPUS_DIR, corpusFiles } from "../helpers/paths.js";
import { protocAvailable, runProtoc, skipWithoutProtoc } from "../helpers/protoc.js";

/** The one corpus file that is a template, not a net: `num_output: ${NUM_LABELS}` is not text format. */
const TEMPLATE_WITH_PLACEHOLDER = { file: "TheLegendAli-DeepLab-Context__vgg128_noup_train.prototxt", line: 473 };

describe("every corpus file reads as protoc reads it", () => {
  it("has protoc in CI", () => {
    if (process.env["CI"] === "true") expect(protocAvailable()).toBe(true);
  });

  for (const file of corpusFiles()) {
    it.skipIf(skipWithoutProtoc)(`${file}: same bytes as protoc, or refused on protoc's line`, () => {
      const text = readFileSync(join(CORPUS_DIR, file), "utf8");
      const protoc = runProtoc(text);
      const ours = encodeNet(text);
      if (protoc.ok) {
        expect(ours.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(ours.bytes).not.toBeNull();
        expect(Buffer.from(ours.bytes!).equals(protoc.stdout)).toBe(true);
        // decode ∘ encode gives the same bytes back.
        const decoded = decodeNet(ours.bytes!);
        expect(decoded.diagnostics).toEqual([]);
        const reencoded = encodeMessage(loadCaffeSchema().message("caffe.NetParameter"), decoded.net);
        expect(Buffer.from(reencoded).equals(protoc.stdout)).toBe(true);
      } else {
        expect(ours.bytes).toBeNull();
        const first = ours.diagnostics.find((d) => d.severity === "error")!;
        const at = typeof first.data["protoc_offset"] === "number" ? first.data["protoc_offset"] : first.range!.offset;
        expect(new LineIndex(text).position(at).line).toBe(protoc.errorLine);
      }
    });
  }
});

describe("lenient reading gets through every corpus file", () => {
  for (const file of corpusFiles()) {
    it(`${file}: reads with unknown fields as warnings`, () => {
      const text = readFileSync(join(CORPUS_DIR, file), "utf8");
      const read = readNet(text, { allowUnknown: true, upgrade: true });
      const errors = read.diagnostics.filter((d) => d.severity === "error");
      if (file === TEMPLATE_WITH_PLACEHOLDER.file) {
        expect(errors.map((d) => read.lines.position(d.range!.offset).line)).toContain(TEMPLATE_WITH_PLACEHOLDER.line);
        return;
      }
      expect(errors).toEqual([]);
      const layers = (read.net["layer"] as unknown[] | undefined) ?? [];
      expect(layers.length).toBeGreaterThan(0);
    });
  }
});
