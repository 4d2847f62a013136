/**
 * The detection and OCR fork layers exported and run under real PyTorch, in ONE Python process
 * (check_fork_layers.py): small tensors with awkward sizes whose tops were worked out by hand from
 * each fork's definition, and seeded random ones compared with the fork's C++ loops written out
 * in Python (the checker cites each). Sources: weiliu89/caffe (ssd) for Permute, Normalize,
 * PriorBox, DetectionOutput; rbgirshick/caffe-fast-rcnn for ROIPooling; daijifeng001/caffe-rfcn
 * for PSROIPooling; senlinuc/caffe_ocr for Reverse, Transpose, Lstm, CTCGreedyDecoder, WarpCTCLoss.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import { graphOf } from "../convert/layers/snippet.js";
import { requireTorch, runPythonJsonAsync, skipWithoutTorch } from "../helpers/python.js";
import { CASES } from "./fork-layer-cases.js";

const CHECKER = fileURLToPath(new URL("./check_fork_layers.py", import.meta.url));
/** float32 arithmetic against float32-exact or double references: a few ulp of values near 1. */
const TOL = 2e-6;

interface Compared {
  shape: number[];
  expected_shape: number[];
  max_error: number | null;
}
type Results = Record<string, Record<string, Compared> | { error: string }>;

let dir: string | undefined;
let results: Results | undefined;

beforeAll(async () => {
  if (skipWithoutTorch) return;
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-fork-"));
  const cases = CASES.map((c) => {
    const graph = graphOf(c.net);
    if (graph.unsupported.length > 0) throw new Error(`${c.name}: ${JSON.stringify(graph.unsupported)}`);
    const model = join(dir!, `${c.name}.py`);
    writeFileSync(model, emitNetModule(graph));
    return { ...c, model };
  });
  const spec = join(dir, "spec.json");
  writeFileSync(spec, JSON.stringify({ cases }));
  results = (await runPythonJsonAsync<{ results: Results }>(CHECKER, [spec])).results;
}, 300_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The comparisons of one case, failing with the Python traceback when the case raised. */
function resultsOf(name: string): Record<string, Compared> {
  const r = results![name]!;
  if ("error" in r && typeof r.error === "string") throw new Error(r.error);
  return r as Record<string, Compared>;
}

function expectClose(name: string, layers: string[]): void {
  const r = resultsOf(name);
  for (const l of layers) {
    expect(r[l], `${name}/${l}`).toBeDefined();
    expect(r[l]!.shape, `${name}/${l} shape`).toEqual(r[l]!.expected_shape);
    expect(r[l]!.max_error, `${name}/${l} max |error|`).toBeLessThanOrEqual(TOL);
  }
}

const layersOf = (name: string): string[] => {
  const c = CASES.find((x) => x.name === name)!;
  return [...Object.keys(c.hand ?? {}), ...Object.keys(c.reference ?? {})];
};

describe.skipIf(skipWithoutTorch)("fork layers under PyTorch", () => {
  it("Permute reorders axes as the SSD fork's index loop does, unlisted axes kept in order after the listed ones", () => {
    expectClose("ssd-permute-normalize", ["perm", "perm_rest"]);
  });
  it("Normalize divides by sqrt(sum x² + eps) over the item or over the channels, then scales (shared or per channel)", () => {
    expectClose("ssd-permute-normalize", ["hand_pos", "hand_all", "norm_all", "norm_pos"]);
  });
  it("PriorBox gives the fork's boxes in its order, sizes truncated to int, with clip, steps, img_size and offset", () => {
    expectClose("ssd-prior-box", layersOf("ssd-prior-box"));
  });
  it("DetectionOutput decodes, suppresses per class in stable score order, keeps the top k and lists rows by label", () => {
    expectClose("ssd-detection-output", layersOf("ssd-detection-output"));
  });
  it("DetectionOutput matches ApplyNMSFast with top_k and adaptive eta, unshared locations and CORNER_SIZE codes", () => {
    expectClose("ssd-detection-output-random", layersOf("ssd-detection-output-random"));
  });
  it("ROIPooling rounds ROI corners half away from zero and takes the max of the fork's bins, 0 where a bin is empty", () => {
    expectClose("roi-pooling", layersOf("roi-pooling"));
  });
  it("PSROIPooling rounds before scaling, averages position-sensitive channels over its bins, 0 where a bin is empty", () => {
    expectClose("psroi-pooling", layersOf("psroi-pooling"));
  });
  it("Reverse, Transpose and Lstm (gates i, f, o, g with one bias) give caffe_ocr's tops", () => {
    expectClose("ocr-sequence-layers", layersOf("ocr-sequence-layers"));
  });
  it("CTCGreedyDecoder merges repeats and drops blanks (the first class on ties); WarpCTCLoss averages the finite costs, an unfit sequence costing 0", () => {
    expectClose("ocr-ctc", layersOf("ocr-ctc"));
  });
});
