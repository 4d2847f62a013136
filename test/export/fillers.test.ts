/**
 * Without weights, build() initialises every parameter as Caffe's filler for it would
 * (include/caffe/filler.hpp; each layer's default filler where the prototxt writes none), from a
 * seeded torch.Generator: init_caffe_fillers(net, seed), one statement per parameter. Caffe's
 * random stream cannot be reproduced, so random fillers are checked by their distribution
 * (mean, std, bounds) and the deterministic ones exactly (constant values, the bilinear formula
 * in float32, positive_unitball rows summing to 1).
 */
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FillerSpec, ParamBinding, TorchGraph } from "../../src/convert/torch-graph.js";
import { fillerFan, initFillersSource } from "../../src/emit/python/fillers.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import { ROOT } from "../helpers/paths.js";
import { requireTorch, runPythonJson, skipWithoutTorch } from "../helpers/python.js";
import { graphOf, writeExport } from "./support.js";
import { fileURLToPath } from "node:url";

const FIXTURE = join(ROOT, "fixtures", "export", "fillers.prototxt");
const EXPECTED = JSON.parse(readFileSync(join(ROOT, "fixtures", "export", "fillers.expected.json"), "utf8")) as Record<string, Expectation | string>;
const STATS = fileURLToPath(new URL("./filler_stats.py", import.meta.url));

type Expectation =
  | { constant: number }
  | { uniform: { min: number; max: number } }
  | { gaussian: { mean: number; std: number } }
  | { xavier: number }
  | { msra: number }
  | { bilinear: number }
  | { positive_unitball: { rows: 0 | 1 } }
  | { sparse: { std: number; p: number } }
  | { same_as: string };

interface Described {
  shape: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
  zeros: number;
  sums_axis0_slices?: number[];
  sums_axis1_slices?: number[];
}

interface Stats {
  parameters: Record<string, Described>;
  seed0_repeatable: boolean;
  build_default_is_seed0: boolean;
  changed_by_seed: string[];
  float32: Record<string, number[]>;
}

const FILLER: FillerSpec = { type: "constant", value: 0, min: 0, max: 1, mean: 0, std: 1, sparse: -1, varianceNorm: "FAN_IN" };

/** A one-node graph with one weight bound as given. */
function oneParam(binding: Partial<ParamBinding>): TorchGraph {
  const param: ParamBinding = { blob: 0, key: "layer.weight", shape: [4, 3], caffeShape: [4, 3], layout: { kind: "same" }, kind: "parameter", lrMult: 1, decayMult: 1, shareName: null, filler: FILLER, ...binding };
  return {
    net: "n",
    phase: "TEST",
    source: "n.prototxt",
    inputs: [],
    outputs: [],
    nodes: [{ layer: "layer", type: "InnerProduct", position: 0, line: 1, column: 1, attr: "layer", module: { cls: "nn.Linear", args: [3, 4], kwargs: {} }, call: { kind: "module" }, bottoms: [], tops: [], helpers: [], params: [param], notes: [] }],
    variables: {},
    unsupported: [],
  };
}

/** The statements of init_caffe_fillers for a graph (inside `with torch.no_grad():`). */
const statements = (graph: TorchGraph): string[] =>
  initFillersSource(graph)
    .source.split("\n")
    .filter((l) => l.startsWith("        "))
    .map((l) => l.trim());

describe("init_caffe_fillers: one readable statement per parameter", () => {
  it("xavier and msra take n from Caffe's blob shape: fan_in = count / shape[0], fan_out = count / shape[1], AVERAGE their mean", () => {
    expect(fillerFan([64, 16, 3, 3], "FAN_IN")).toEqual({ n: 144, text: "n = fan_in" });
    expect(fillerFan([64, 16, 3, 3], "FAN_OUT")).toEqual({ n: 576, text: "n = fan_out" });
    expect(fillerFan([64, 16, 3, 3], "AVERAGE")).toEqual({ n: 360, text: "n = (fan_in + fan_out) / 2" });
    expect(fillerFan([5, 2], "AVERAGE").n).toBe(3.5);
    // A 1-D blob: fan_out is the count (filler.hpp's "Compatibility with ND blobs").
    expect(fillerFan([7], "FAN_OUT").n).toBe(7);
  });

  it("a transposed InnerProduct weight takes its fans from Caffe's [K, N] blob, not from PyTorch's [N, K]", () => {
    const graph = oneParam({ shape: [4, 3], caffeShape: [3, 4], layout: { kind: "transpose" }, filler: { ...FILLER, type: "xavier" } });
    expect(statements(graph)).toEqual(["net.layer.weight.uniform_(-math.sqrt(3 / 4), math.sqrt(3 / 4), generator=g)  # xavier, n = fan_in"]);
  });

  it("position-dependent fillers see the tensor in Caffe's layout (a transposed weight through .t())", () => {
    const graph = oneParam({ shape: [4, 3], caffeShape: [3, 4], layout: { kind: "transpose" }, filler: { ...FILLER, type: "positive_unitball" } });
    expect(statements(graph)).toEqual(["caffe_positive_unitball_(net.layer.weight.t(), g)"]);
  });

  it("each filler type is one call on the parameter, drawing from the generator g", () => {
    const line = (filler: Partial<FillerSpec>): string => statements(oneParam({ filler: { ...FILLER, ...filler } }))[0]!;
    expect(line({ type: "constant", value: 0.5 })).toBe("net.layer.weight.fill_(0.5)");
    expect(line({ type: "uniform", min: -1, max: 2 })).toBe("net.layer.weight.uniform_(-1.0, 2.0, generator=g)");
    expect(line({ type: "gaussian", mean: 0.1, std: 0.01 })).toBe("net.layer.weight.normal_(0.1, 0.01, generator=g)");
    expect(line({ type: "msra", varianceNorm: "FAN_OUT" })).toBe("net.layer.weight.normal_(0.0, math.sqrt(2 / 4), generator=g)  # msra, n = fan_out");
    expect(line({ type: "gaussian", sparse: 2 })).toBe("caffe_sparse_(net.layer.weight.normal_(0.0, 1.0, generator=g), 0.5, g)  # sparse 2 of 4 outputs");
    expect(line({ type: "bilinear" })).toBe("caffe_bilinear_(net.layer.weight)");
  });

  it("a filler Caffe refuses (unknown type, std 0, min above max, sparse above the outputs) leaves PyTorch's value and says why in a comment", () => {
    const line = (filler: Partial<FillerSpec>): string => statements(oneParam({ filler: { ...FILLER, ...filler } }))[0]!;
    expect(line({ type: "Gaussian" })).toBe('# net.layer.weight: Caffe has no filler "Gaussian" (it stops with "Unknown filler name"); it keeps PyTorch\'s initial value');
    expect(line({ type: "gaussian", std: 0 })).toMatch(/^# net\.layer\.weight: Caffe refuses a gaussian filler with std 0\.0/);
    expect(line({ type: "uniform", min: 2, max: 1 })).toMatch(/^# net\.layer\.weight: Caffe refuses a uniform filler with min 2\.0 above max 1\.0/);
    expect(line({ type: "gaussian", sparse: 9 })).toMatch(/^# net\.layer\.weight: Caffe refuses sparse 9 with 4 outputs/);
    // A hostile filler type cannot leave the comment.
    expect(line({ type: 'x"\nimport os' })).toBe('# net.layer.weight: Caffe has no filler "x\\"\\nimport os" (it stops with "Unknown filler name"); it keeps PyTorch\'s initial value');
  });

  it("buffers (BatchNorm statistics) are left alone, and a net without parameters gets a function that only returns net", () => {
    expect(statements(oneParam({ kind: "buffer" }))).toEqual([]);
    expect(initFillersSource(oneParam({ kind: "buffer" })).source).toMatch(/"""\n    return net$/);
  });

  it("model.py imports math only when xavier or msra needs it, and build() calls init_caffe_fillers when it loads no weights", () => {
    const constant = emitNetModule(oneParam({}));
    expect(constant).not.toMatch(/^import math$/m);
    const xavier = emitNetModule(oneParam({ filler: { ...FILLER, type: "xavier" } }));
    expect(xavier).toMatch(/^import math$/m);
    expect(xavier).toMatch(/def build\(weights=None, seed=0\):[\s\S]*if path is not None:\n {8}load_weights\(net, path\)\n {4}else:\n {8}init_caffe_fillers\(net, seed\)/);
  });

  it("a Scale's gamma defaults to constant 1 whether or not it is fused into a BatchNorm module (ScaleLayer's identity filler)", () => {
    const graph = graphOf(readFileSync(FIXTURE, "utf8"));
    const filler = (key: string) => graph.nodes.flatMap((n) => n.params).find((p) => p.key === key)?.filler;
    expect(filler("scale_default.weight")).toMatchObject({ type: "constant", value: 1 });
    expect(filler("bn.weight")).toMatchObject({ type: "constant", value: 1 });
    expect(filler("bn.bias")).toMatchObject({ type: "constant", value: 0.125 });
    expect(filler("conv_default.weight")).toMatchObject({ type: "constant", value: 0 });
    expect(filler("prelu_default.weight")).toMatchObject({ type: "constant", value: 0.25 });
  });
});

/** Caffe's bilinear kernel, k x k, computed in float32 as BilinearFiller::Fill does. */
function bilinearKernel(k: number): number[] {
  const f32 = Math.fround;
  const f = Math.ceil(k / 2);
  const c = f32((k - 1) / (2 * f));
  const out: number[] = [];
  for (let i = 0; i < k * k; i++) {
    const x = i % k;
    const y = Math.floor(i / k) % k;
    const wx = f32(1 - Math.abs(f32(f32(x / f) - c)));
    const wy = f32(1 - Math.abs(f32(f32(y / f) - c)));
    out.push(f32(wx * wy));
  }
  return out;
}

let dir: string | undefined;
let stats: Stats | undefined;

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function fixtureStats(): Stats {
  if (stats !== undefined) return stats;
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-fillers-"));
  const path = writeExport(graphOf(readFileSync(FIXTURE, "utf8"), { source: "fillers.prototxt" }), dir);
  stats = runPythonJson<Stats>(STATS, [path]);
  return stats;
}

/** Checks one parameter against its expectation; sample tolerances from its size. */
function check(key: string, expectation: Expectation, s: Stats): void {
  const d = s.parameters[key]!;
  const n = d.shape.reduce((a, b) => a * b, 1);
  // Sample tolerances: 6 standard errors for the mean; for the std 5%, or 5/sqrt(n) for small tensors.
  const normal = (mean: number, std: number): void => {
    expect(Math.abs(d.mean - mean), `${key}: mean within 6 standard errors`).toBeLessThan((6 * std) / Math.sqrt(n));
    expect(Math.abs(d.std / std - 1), `${key}: std`).toBeLessThan(Math.max(0.05, 5 / Math.sqrt(n)));
  };
  const uniform = (a: number, b: number): void => {
    expect(d.min, `${key}: min`).toBeGreaterThanOrEqual(Math.fround(a));
    expect(d.max, `${key}: max`).toBeLessThanOrEqual(Math.fround(b));
    // No sample in a band of width w at one end has probability (1 − w)^n: below 1e-9 for w = 21/n.
    const band = Math.min(1, 21 / n) * (b - a);
    expect(d.min - a, `${key}: min near the lower bound`).toBeLessThan(band);
    expect(b - d.max, `${key}: max near the upper bound`).toBeLessThan(band);
    normal((a + b) / 2, (b - a) / Math.sqrt(12));
  };
  if ("constant" in expectation) {
    expect([d.min, d.max], key).toEqual([Math.fround(expectation.constant), Math.fround(expectation.constant)]);
  } else if ("uniform" in expectation) {
    uniform(expectation.uniform.min, expectation.uniform.max);
  } else if ("gaussian" in expectation) {
    normal(expectation.gaussian.mean, expectation.gaussian.std);
  } else if ("xavier" in expectation) {
    const a = Math.sqrt(3 / expectation.xavier);
    uniform(-a, a);
  } else if ("msra" in expectation) {
    normal(0, Math.sqrt(2 / expectation.msra));
  } else if ("bilinear" in expectation) {
    const kernel = bilinearKernel(expectation.bilinear);
    const values = s.float32[key]!;
    expect(values.length % kernel.length).toBe(0);
    for (let i = 0; i < values.length; i += kernel.length) expect(values.slice(i, i + kernel.length), `${key}: channel ${i / kernel.length}`).toEqual(kernel);
  } else if ("positive_unitball" in expectation) {
    expect(d.min, `${key}: no negative value`).toBeGreaterThanOrEqual(0);
    const sums = expectation.positive_unitball.rows === 0 ? d.sums_axis0_slices! : d.sums_axis1_slices!;
    expect(sums.length).toBe(d.shape[expectation.positive_unitball.rows]);
    for (const sum of sums) expect(Math.abs(sum - 1), `${key}: a row sums to 1`).toBeLessThan(1e-5);
  } else if ("sparse" in expectation) {
    const { p, std } = expectation.sparse;
    expect(Math.abs(d.zeros - (1 - p)), `${key}: share of zeros`).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / n));
    expect(Math.abs(d.std / (std * Math.sqrt(p)) - 1), `${key}: std of the kept gaussian values`).toBeLessThan(0.05);
  } else {
    const other = s.parameters[expectation.same_as]!;
    expect(d, `${key} equals ${expectation.same_as}`).toEqual(other);
  }
}

describe("build() without weights under real PyTorch (fixtures/export/fillers.prototxt)", () => {
  const keys = Object.keys(EXPECTED).filter((k) => k !== "//");

  it.skipIf(skipWithoutTorch)("initialises exactly the parameters the expectations list, no more and no fewer", () => {
    requireTorch();
    expect(Object.keys(fixtureStats().parameters).sort()).toEqual([...keys].sort());
  });

  for (const key of keys) {
    const expectation = EXPECTED[key] as Expectation;
    it.skipIf(skipWithoutTorch)(`${key}: ${JSON.stringify(expectation)}`, () => {
      requireTorch();
      check(key, expectation, fixtureStats());
    });
  }

  it.skipIf(skipWithoutTorch)("is seeded: the same seed gives the same parameters, build() is seed 0, and seed 1 changes exactly the random ones", () => {
    requireTorch();
    const s = fixtureStats();
    expect(s.seed0_repeatable).toBe(true);
    expect(s.build_default_is_seed0).toBe(true);
    const random = keys.filter((k) => {
      const e = EXPECTED[k] as Expectation;
      if ("same_as" in e) return !("constant" in (EXPECTED[e.same_as] as Expectation));
      return !("constant" in e) && !("bilinear" in e);
    });
    expect(s.changed_by_seed).toEqual([...random].sort());
  });
});
