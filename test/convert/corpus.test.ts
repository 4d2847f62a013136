import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAnalysisCode } from "../../src/convert/notes.js";
import type { ConvertResult } from "../../src/convert/types.js";
import { convertText } from "./summary.js";

/**
 * Every file of the shared corpus converts in both phases without throwing, and what it converts
 * to matches a reviewed snapshot (test/convert/corpus-expectations.json). Regenerate the snapshot
 * with UPDATE_EXPECTATIONS=1 only after reviewing the change against shared/corpus/MANIFEST.tsv.
 */
const CORPUS = join(import.meta.dirname, "../../../shared/corpus");
const SNAPSHOT = join(import.meta.dirname, "corpus-expectations.json");
const UPDATE = process.env["UPDATE_EXPECTATIONS"] === "1";

/** Counts of a list of keys, sorted by key so the snapshot is stable. */
function tally(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...keys].sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** What the snapshot keeps per file and phase. */
function corpusSummary(r: ConvertResult) {
  return {
    blocks: r.blocks.length,
    /** How each block is fused: "BN+Scale", "BN+Scale+Bias", "BN" (unpaired BVLC) or "fork:<family>". */
    pairings: tally(r.blocks.map((b) => (b.caffe.fork ? `fork:${b.caffe.fork.family}` : b.bias ? "BN+Scale+Bias" : b.scale ? "BN+Scale" : "BN"))),
    modes: tally(r.blocks.map((b) => `${b.torch.module ?? "unknown-rank"} ${b.torch.mode}${b.exact ? " exact" : ""}`)),
    unpaired: tally(r.unpaired.map((u) => u.code)),
    /** Errors of the net model and converters (the reader's own findings are its tests' business). */
    errors: tally(r.diagnostics.filter((d) => d.severity === "error" && isAnalysisCode(d.code)).map((d) => d.code)),
  };
}

const files = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith(".prototxt")).sort() : [];

describe("shared corpus", () => {
  it("is present", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it("converts every file in both phases and matches the reviewed snapshot", () => {
    const actual: Record<string, Record<string, ReturnType<typeof corpusSummary>>> = {};
    for (const file of files) {
      const text = readFileSync(join(CORPUS, file), "utf8");
      actual[file] = {};
      for (const phase of ["TEST", "TRAIN"] as const) actual[file]![phase] = corpusSummary(convertText(text, phase, file));
    }
    if (UPDATE) writeFileSync(SNAPSHOT, JSON.stringify(actual, null, 2) + "\n");
    const expected = JSON.parse(readFileSync(SNAPSHOT, "utf8")) as typeof actual;
    expect(actual).toEqual(expected);
  });
});
