import { readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { TorchGraph, TorchNode } from "../../../src/convert/torch-graph.js";
import { BOUND, failingLayers, largest, NETS_DIR, type CaseComparison } from "../golden.js";
import { compareTorchCase, exportedCase, type ExportedCase } from "./golden.js";

const CASES = readdirSync(NETS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** A deep copy of `graph` with one node changed. */
function withNode(graph: TorchGraph, layer: string, edit: (node: TorchNode) => void): TorchGraph {
  const copy = structuredClone(graph);
  const node = copy.nodes.find((n) => n.layer === layer);
  if (!node) throw new Error(`no layer ${layer}`);
  edit(node);
  return copy;
}

describe("the PyTorch-semantics executor on the exported golden nets, against BVLC Caffe's recordings", () => {
  const cases = new Map<string, { e: ExportedCase; cmp: CaseComparison }>();

  beforeAll(() => {
    for (const name of CASES) {
      const e = exportedCase(name);
      cases.set(name, { e, cmp: compareTorchCase(e) });
    }
  }, 120_000);

  it.each(CASES)("%s: runs every node and records every recorded layer with the recorded shapes", (name) => {
    const { cmp } = cases.get(name)!;
    expect(cmp.result.error).toBeNull();
    expect(cmp.missing).toEqual([]);
    expect(cmp.tops.filter((t) => !t.shape).map((t) => `${t.layer}/${t.blob}`)).toEqual([]);
  });

  it.each(CASES)(`%s: every recorded top within ${BOUND.toExponential(0)}·max(1, max |reference|), ArgMax exactly`, (name) => {
    const { cmp } = cases.get(name)!;
    const worst = largest(cmp);
    console.log(
      `${name}: largest scaled error ${worst.scaled.toExponential(2)}${worst.layer ? ` (${worst.layer} → ${worst.blob})` : ""}; ` +
        `${cmp.tops.length} tops; forward ${cmp.forwardMs.toFixed(0)} ms (CPU ${cmp.forwardCpuMs.toFixed(0)} ms)`,
    );
    expect(failingLayers(cmp)).toEqual([]);
    expect(cmp.tops.filter((t) => t.exact === false)).toEqual([]);
  });

  it("records a fused BatchNorm → Scale block at each step: normalised, then the module's output", () => {
    const { cmp } = cases.get("mobilenet_v2")!;
    const steps = cmp.result.layers.filter((l) => l.tops.some((t) => t.blob === "conv1/bn"));
    expect(steps.map((l) => l.name)).toEqual(["conv1/bn", "conv1/scale", "relu1"]);
    expect(steps[0]!.tops[0]!.data).not.toBe(steps[1]!.tops[0]!.data);
    expect(cmp.tops.filter((t) => t.blob === "conv1/bn").map((t) => t.layer)).toEqual(["conv1/bn", "conv1/scale", "relu1"]);
  });

  describe("a changed node is named by the comparison", () => {
    const failing = (name: string, graph: TorchGraph): string[] => failingLayers(compareTorchCase(cases.get(name)!.e, {}, graph));

    it("pooling without ceil_mode: cifar10_bn first diverges at pool1 (32 → 15 instead of 16)", () => {
      const { e } = cases.get("cifar10_bn")!;
      const cmp = compareTorchCase(e, {}, withNode(e.graph, "pool1", (n) => void delete n.module!.kwargs["ceil_mode"]));
      expect(failingLayers(cmp)[0]).toBe("pool1");
      expect(cmp.tops.find((t) => t.layer === "pool1")!.shape).toBe(false);
    });

    it("LocalResponseNorm given α / size (dividing twice): zoo_norm diverges at lrn_across only", () => {
      const { e } = cases.get("zoo_norm")!;
      expect(failing("zoo_norm", withNode(e.graph, "lrn_across", (n) => void (n.module!.kwargs["alpha"] = { raw: "0.1" })))).toEqual(["lrn_across"]);
    });

    it("an Eltwise SUM expression with a misread coefficient: zoo_tensor diverges at eltwise_sum", () => {
      const { e } = cases.get("zoo_tensor")!;
      const graph = withNode(e.graph, "eltwise_sum", (n) => {
        if (n.call.kind !== "expr") throw new Error("eltwise_sum is not an expression");
        n.call.expr = n.call.expr.replace("0.5", "0.25");
      });
      expect(failing("zoo_tensor", graph)[0]).toBe("eltwise_sum");
    });

    it("an average pooling that leaves the padding out of its divisor: zoo_pool diverges where windows reach the padding", () => {
      const { e } = cases.get("zoo_pool")!;
      const ave = e.graph.nodes.find((n) => n.module?.cls === "nn.AvgPool2d" && n.module.kwargs["padding"] !== undefined)!;
      expect(failing("zoo_pool", withNode(e.graph, ave.layer, (n) => void (n.module!.kwargs["count_include_pad"] = false)))).toEqual([ave.layer]);
    });
  });
});
