/**
 * Property tests (fast-check, seeded and bounded): whatever the text, the parser, the binder and
 * readNet return instead of throwing, and every diagnostic points at a real place in the text.
 * Inputs: arbitrary strings (any code points, lone surrogates included), arbitrary bytes decoded
 * as UTF-8 the way the CLI reads files, token soups, and mutations of the corpus files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineIndex } from "../../src/diagnostics/range.js";
import { bindText } from "../../src/schema/bind.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { readNet } from "../../src/schema/read.js";
import { parseTextProto } from "../../src/textproto/tree-builder.js";
import { mutate, rng, TOKENS } from "../../fuzz/mutate.mjs";
import { CORPUS_DIR, corpusFiles } from "../helpers/paths.js";
import { badPosition } from "../helpers/positions.js";

const SEED = 20261126;

/** Every reader on `text`: none may throw, and each diagnostic's position must be valid. */
function checkAllReaders(text: string): void {
  const lines = new LineIndex(text);
  const parsed = parseTextProto(text);
  const net = loadCaffeSchema().message("caffe.NetParameter");
  const strict = bindText(text, net, { allowUnknown: false });
  const lenient = readNet(text, { allowUnknown: true, upgrade: true });
  const plain = readNet(text);
  for (const d of [...parsed.diagnostics, ...strict.diagnostics, ...lenient.diagnostics, ...plain.diagnostics]) {
    const bad = badPosition(text, d, lines);
    if (bad !== null) throw new Error(`${bad} in ${JSON.stringify(text.slice(0, 200))}`);
  }
}

/** Text made of text-format tokens and arbitrary characters, more likely to go deep than noise. */
const tokenSoup = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4, unit: "binary" }), fc.integer().map(String)), { maxLength: 60 })
  .map((parts) => parts.join(" "));

const CORPUS = corpusFiles().map((f) => readFileSync(join(CORPUS_DIR, f)));

describe("the readers never throw and point at real places", () => {
  it("arbitrary strings, including lone surrogates and control characters", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), checkAllReaders), { seed: SEED, numRuns: 300 });
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 100 }), checkAllReaders), { seed: SEED, numRuns: 200 });
  });

  it("arbitrary bytes decoded as UTF-8, as the CLI reads a file", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => checkAllReaders(Buffer.from(bytes).toString("utf8"))), { seed: SEED, numRuns: 300 });
  });

  it("token soups of the text format and Caffe's fields", () => {
    fc.assert(fc.property(tokenSoup, checkAllReaders), { seed: SEED, numRuns: 300 });
  });

  it("mutations of the corpus files (flips, insertions, deletions, truncation, splicing)", () => {
    const small = CORPUS.filter((b) => b.length < 40_000);
    expect(small.length).toBeGreaterThan(5);
    fc.assert(
      fc.property(fc.nat(small.length - 1), fc.nat(small.length - 1), fc.integer(), (i, j, seed) => {
        const { bytes } = mutate(small[i]!, small[j]!, rng(seed), 3);
        checkAllReaders(Buffer.from(bytes).toString("utf8"));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
