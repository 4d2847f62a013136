/**
 * zoo_tensor exported and run under real PyTorch against BVLC Caffe's recorded tops, layer by
 * layer: Slice, Crop, Tile, Reduction, ArgMax, Embed, Flatten, Reshape, two-bottom Scale/Bias,
 * InnerProduct variants, Concat and Eltwise forms. Mutated copies of model.py prove that the
 * comparison names a layer whose conversion is wrong.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { compareGolden, exportGoldenCase, failingLayers, topFailure, type GoldenLayer, type GoldenReport } from "./export-golden.js";

const CASE = join(GOLDEN_DIR, "nets", "zoo_tensor");
/** The README's bound: |a − b| ≤ 1e-4 · max(1, max |ref|); ArgMax indices (and copied values) exactly. */
const TOLERANCE = 1e-4;
const tolerance = (layer: GoldenLayer): number => (layer.type === "ArgMax" ? 0 : TOLERANCE);

/** Edits of model.py, each a wrong conversion of one layer. */
const MUTATIONS: Readonly<Record<string, [string, string]>> = {
  eltwiseCoeff: ["esum = data * 0.5 - cat_c", "esum = data * 0.25 - cat_c"],
  cropOffset: ["data[:, :, 1:1 + pool_ref.shape[2]", "data[:, :, 2:2 + pool_ref.shape[2]"],
};

let cached: Record<string, GoldenReport> | undefined;

/** The exported case as it is and with each mutation, compared in one Python run. */
function reports(): Record<string, GoldenReport> {
  if (cached) return cached;
  const names = ["exported", ...Object.keys(MUTATIONS)];
  const dirs = names.map((name) => {
    const exported = exportGoldenCase(CASE);
    const mutation = MUTATIONS[name];
    if (mutation) {
      const source = readFileSync(exported.modelPath, "utf8");
      const edited = source.replaceAll(mutation[0], mutation[1]);
      expect(edited, `mutation ${name} must change model.py`).not.toBe(source);
      writeFileSync(exported.modelPath, edited, "utf8");
    }
    return exported.dir;
  });
  const all = compareGolden(dirs.map((dir) => ({ case: CASE, export: dir })));
  cached = Object.fromEntries(names.map((name, i) => [name, all[i]!]));
  return cached;
}

describe("export of zoo_tensor under PyTorch", () => {
  it.skipIf(skipWithoutTorch)("reproduces every recorded top of BVLC Caffe within 1e-4 of its scale, ArgMax exactly", () => {
    requireTorch();
    const report = reports()["exported"]!;
    expect(report.layers).toHaveLength(31);
    for (const layer of report.layers) {
      expect(layer.missing, layer.name).toBeUndefined();
      expect(layer.top_count, layer.name).toBeUndefined();
      for (const top of layer.tops) expect(topFailure(top, tolerance(layer)), `${layer.name} → ${top.blob}`).toBeNull();
    }
    expect(report.outputs).toEqual(report.expected_outputs);
    expect(report.forward_matches_layers).toBe(true);
  });

  it.skipIf(skipWithoutTorch)("names eltwise_sum and the layers reading its top when its coeff is wrong in model.py", () => {
    requireTorch();
    expect(failingLayers(reports()["eltwiseCoeff"]!, tolerance)).toEqual(["eltwise_sum", "eltwise_max", "concat_h"]);
  });

  it.skipIf(skipWithoutTorch)("names crop and the Slice reading its top when a crop offset is wrong in model.py", () => {
    requireTorch();
    expect(failingLayers(reports()["cropOffset"]!, tolerance)).toEqual(["crop", "slice_w"]);
  });
});
