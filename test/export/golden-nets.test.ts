import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { TorchNode } from "../../src/convert/torch-graph.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { compareCases, divergentLayers, exportCase, firstDivergent, largestError, type CaseReport, type Mutation } from "./golden-support.js";

const NETS = join(GOLDEN_DIR, "nets");
const CASES = readdirSync(NETS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

const node = (graph: { nodes: TorchNode[] }, layer: string): TorchNode => {
  const n = graph.nodes.find((x) => x.layer === layer);
  if (!n) throw new Error(`no layer ${layer}`);
  return n;
};

/** One mapping broken at a time: the comparison must name exactly the broken layer. */
const MUTATIONS: { title: string; case: string; layer: string; only?: string[]; mutation: Mutation }[] = [
  {
    title: "pooling that floors instead of rounding up",
    case: "cifar10_bn",
    layer: "pool1",
    mutation: { graph: (g) => void delete node(g, "pool1").module!.kwargs["ceil_mode"] },
  },
  {
    title: "an InnerProduct weight read in the wrong order (transposed)",
    case: "lenet",
    layer: "ip2",
    mutation: {
      tensors: (t) => {
        const w = t.get("ip2.weight")!;
        const [n, k] = w.shape as [number, number];
        const data = w.data as Float32Array;
        const out = new Float32Array(n * k);
        for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = data[(j * n + i) % (n * k)]!;
        t.set("ip2.weight", { ...w, data: out } as typeof w);
      },
    },
  },
  {
    title: "a BatchNorm whose statistics are the stored sums, not divided by the scale factor",
    case: "cifar10_bn",
    layer: "bn1",
    mutation: { graph: (g) => void (node(g, "bn1").params[0]!.layout = { kind: "same" }) },
  },
  {
    title: "a PReLU whose slopes are dropped (plain ReLU)",
    case: "mtcnn_det1",
    layer: "PReLU1",
    mutation: { tensors: (t) => void (t.get("PReLU1.weight")!.data as Float32Array).fill(0) },
  },
  {
    title: "LocalResponseNorm given alpha / size (dividing twice)",
    case: "zoo_norm",
    layer: "lrn_across",
    only: ["lrn_across"],
    mutation: { text: ["nn.LocalResponseNorm(5, alpha=0.5,", "nn.LocalResponseNorm(5, alpha=0.1,"] },
  },
  {
    title: "a within-channel LRN whose window average leaves the padding out of its divisor",
    case: "zoo_norm",
    layer: "lrn_within",
    only: ["lrn_within"],
    mutation: { text: ["stride=1, padding=(self.size - 1) // 2)", "stride=1, padding=(self.size - 1) // 2, count_include_pad=False)"] },
  },
  {
    title: "an MVN whose variance divides by n − 1 instead of n",
    case: "zoo_norm",
    layer: "mvn",
    only: ["mvn", "mvn_across"],
    mutation: { text: ["(y * y).mean(dims, keepdim=True).sqrt()", "y.var(dims, keepdim=True).sqrt()"] },
  },
  {
    title: "a BatchNorm whose eps is dropped (PyTorch's 1e-5 instead of Caffe's 1e-3)",
    case: "zoo_norm",
    layer: "bn_eps",
    only: ["bn_eps"],
    mutation: { graph: (g) => void delete node(g, "bn_eps").module!.kwargs["eps"] },
  },
  {
    title: "an Eltwise SUM whose coeff is misread (0.25 for 0.5)",
    case: "zoo_tensor",
    layer: "eltwise_sum",
    only: ["eltwise_sum", "eltwise_max", "concat_h"],
    mutation: { text: ["esum = data * 0.5 - cat_c", "esum = data * 0.25 - cat_c"] },
  },
  {
    title: "a Crop whose offset is off by one",
    case: "zoo_tensor",
    layer: "crop",
    only: ["crop", "slice_w"],
    mutation: { text: ["data[:, :, 1:1 + pool_ref.shape[2]", "data[:, :, 2:2 + pool_ref.shape[2]"] },
  },
];

describe.skipIf(skipWithoutTorch)("exported golden nets, layer by layer in real PyTorch", () => {
  let reports: Map<string, CaseReport>;
  let mutated: Map<string, CaseReport>;

  beforeAll(async () => {
    requireTorch();
    const exportable = CASES.filter((c) => {
      try {
        exportCase(join(NETS, c));
        return true;
      } catch {
        return false;
      }
    });
    const cases = [
      ...exportable.map((c) => ({ case: join(NETS, c), export: exportCase(join(NETS, c)) })),
      ...MUTATIONS.map((m) => ({ case: join(NETS, m.case), export: exportCase(join(NETS, m.case), m.mutation) })),
    ];
    const results = await compareCases(cases);
    reports = new Map(exportable.map((c, i) => [c, results[i]!]));
    mutated = new Map(MUTATIONS.map((m, i) => [m.title, results[exportable.length + i]!]));
  }, 300_000);

  it.each(CASES)("%s: every recorded layer's tops agree within 1e-4 of their scale, shapes exactly", (name) => {
    const report = reports.get(name);
    expect(report, `${name} does not export`).toBeDefined();
    expect(report!.error).toBeNull();
    expect(firstDivergent(report!)).toBeNull();
    expect(largestError(report!)).toBeLessThan(1e-4);
    expect(report!.outputs).toEqual(report!.expected_outputs);
    expect(report!.forward_matches_layers).toBe(true);
  });

  it("ArgMax tops are exact (zoo_tensor's two ArgMax layers)", () => {
    const argmax = [...reports.values()].flatMap((r) => r.layers.filter((l) => l.type === "ArgMax"));
    expect(argmax.map((l) => l.name)).toEqual(["argmax_c", "argmax_top2"]);
    for (const layer of argmax) for (const t of layer.tops) expect(t.max_abs_error).toBe(0);
  });

  it.each(MUTATIONS.map((m) => [m.title, m] as const))("catches %s, naming that layer first", (title, m) => {
    const report = mutated.get(title)!;
    expect(firstDivergent(report)).toBe(m.layer);
    if (m.only) expect(divergentLayers(report)).toEqual(m.only);
  });
});
