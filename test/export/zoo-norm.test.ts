/**
 * The exported zoo_norm (LRN both ways, MVN three ways, BatchNorm with and without Scale/Bias, on
 * rank-2, rank-3 and 4-D blobs, Reshape) under real PyTorch against BVLC Caffe's recording,
 * layer by layer; and proof that the comparison sees a wrong conversion: a model.py edited to
 * convert one layer wrongly fails on exactly that layer.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { compareGolden, exportNet, failingLayers, goldenCase, scaledErrors } from "./golden.js";

/** The golden README's tolerance: |a − b| ≤ 1e-4 · max(1, max |reference|). */
const BOUND = 1e-4;
const CASE = goldenCase("zoo_norm");

let exported: { dir: string; source: string };

/** A copy of the exported model with `from` replaced by `to` in model.py (which must contain it once). */
function mutated(from: string, to: string): string {
  expect(exported.source.split(from)).toHaveLength(2);
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-mutant-"));
  copyFileSync(join(exported.dir, "model.safetensors"), join(dir, "model.safetensors"));
  writeFileSync(join(dir, "model.py"), exported.source.replace(from, to), "utf8");
  return dir;
}

describe("export of golden case zoo_norm", () => {
  beforeAll(() => {
    const text = readFileSync(join(CASE, "net.prototxt"), "utf8");
    exported = exportNet(text, readFileSync(join(CASE, "weights.caffemodel")));
  });

  it("writes every layer and the weights", () => {
    expect(existsSync(join(exported.dir, "model.safetensors"))).toBe(true);
    expect(exported.source).toContain("nn.LocalResponseNorm(5, alpha=0.5, beta=0.75, k=2.0)");
  });

  it.skipIf(skipWithoutTorch)("reproduces every recorded top within 1e-4 of its scale, and forward() agrees with forward_layers()", () => {
    requireTorch();
    const report = compareGolden(CASE, exported.dir);
    expect(report.layers.filter((l) => l.missing).map((l) => l.name)).toEqual([]);
    expect(failingLayers(report, BOUND), JSON.stringify(scaledErrors(report))).toEqual([]);
    expect(report.layers).toHaveLength(19);
    expect([...report.outputs].sort()).toEqual([...report.expected_outputs].sort());
    expect(report.forward_matches_layers).toBe(true);
  });

  it.skipIf(skipWithoutTorch)("names lrn_across, and only it, when LocalResponseNorm is given alpha / size", () => {
    requireTorch();
    const dir = mutated("nn.LocalResponseNorm(5, alpha=0.5,", "nn.LocalResponseNorm(5, alpha=0.1,");
    expect(failingLayers(compareGolden(CASE, dir), BOUND)).toEqual(["lrn_across"]);
  });

  it.skipIf(skipWithoutTorch)("names lrn_within, and only it, when the window average leaves the padding out of its divisor", () => {
    requireTorch();
    const dir = mutated("stride=1, padding=(self.size - 1) // 2)", "stride=1, padding=(self.size - 1) // 2, count_include_pad=False)");
    expect(failingLayers(compareGolden(CASE, dir), BOUND)).toEqual(["lrn_within"]);
  });

  it.skipIf(skipWithoutTorch)("names the two normalising MVN layers when the variance divides by n − 1 instead of n", () => {
    requireTorch();
    const dir = mutated("(y * y).mean(dims, keepdim=True).sqrt()", "y.var(dims, keepdim=True).sqrt()");
    expect(failingLayers(compareGolden(CASE, dir), BOUND)).toEqual(["mvn", "mvn_across"]);
  });
});

describe("Flatten and Reshape of golden case zoo_tensor, exported alone", () => {
  it.skipIf(skipWithoutTorch)("reproduce their recorded tops (Flatten, Flatten axis 2, Reshape 0 2 -1 11)", () => {
    requireTorch();
    const dir = goldenCase("zoo_tensor");
    const text = readFileSync(join(dir, "net.prototxt"), "utf8");
    // The net's own layer blocks, each from "layer {" to the "}" closing it at column 1.
    const blocks = text.match(/^layer \{\n[\s\S]*?^\}$/gm) ?? [];
    const wanted = ["data", "flatten", "flatten_ax2", "reshape"];
    const kept = blocks.filter((b) => wanted.includes(/^ {2}name: "([^"]*)"$/m.exec(b)?.[1] ?? ""));
    expect(kept).toHaveLength(wanted.length);
    const { dir: out } = exportNet(`name: "zoo_tensor_views"\n${kept.join("\n")}\n`, null);
    const report = compareGolden(dir, out);
    expect(report.layers.filter((l) => !l.missing).map((l) => l.name)).toEqual(wanted);
    expect(failingLayers(report, BOUND)).toEqual([]);
    // Views of the input: exact.
    expect(Object.values(scaledErrors(report))).toEqual([0, 0, 0, 0]);
  });
});
