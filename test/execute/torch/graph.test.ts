import { describe, expect, it } from "vitest";
import type { TorchGraph } from "../../../src/convert/torch-graph.js";
import { executeTorchGraph } from "../../../src/execute/torch/index.js";
import { graphOf } from "../../export/support.js";
import { netWith } from "../../convert/layers/snippet.js";
import { runNode, t } from "./one-node.js";

const x = t([1, 2], [1, -2]);

describe("executeTorchGraph, node by node as forward_layers", () => {
  it("gives a Split's bottom to every top (alias), recording each", () => {
    const r = runNode({ kind: "alias" }, [x], { tops: 2 });
    expect(r.tops).toEqual([
      { shape: [1, 2], values: [1, -2] },
      { shape: [1, 2], values: [1, -2] },
    ]);
  });

  it("calls the node's module from an expression through {self}", () => {
    const r = runNode({ kind: "expr", expr: "{self}({0}, {1})" }, [x, t([2], [10, 20])], { module: { cls: "Bias", args: [null], kwargs: {} } });
    expect(r.tops[0]!.values).toEqual([11, 18]);
  });

  it("records nothing for Silence (none), as forward_layers writes nothing for it", () => {
    const r = runNode({ kind: "none" }, [x], { tops: 0 });
    expect(r.error).toBeNull();
    expect(r.tops).toEqual([]);
  });

  it("stops at a stub with torch-unsupported, keeping the layers that ran", () => {
    const graph = graphOf(netWith([1, 2], `layer { name: "relu" type: "ReLU" bottom: "data" top: "r" }\nlayer { name: "odd" type: "Python" bottom: "r" top: "o" python_param { module: "m" layer: "L" } }`), { stubs: true });
    const result = executeTorchGraph(graph, new Map(), new Map([["data", x]]));
    expect(result.error).toMatchObject({ layer: "odd", code: "torch-unsupported", data: { construct: "stub" } });
    expect(result.layers.map((l) => l.name)).toEqual(["data", "relu"]);
  });

  it("names a missing input blob", () => {
    const graph: TorchGraph = graphOf(netWith([1, 2], `layer { name: "relu" type: "ReLU" bottom: "data" top: "r" }`));
    expect(executeTorchGraph(graph, new Map(), new Map()).error).toMatchObject({ layer: "data", code: "torch-invalid", data: { what: "missing-input", blob: "data" } });
  });

  it("records a BatchNorm → Scale → Bias block step by step: normalised, × gamma, the module's output", () => {
    const graph = graphOf(
      netWith([2, 2], `layer { name: "bn" type: "BatchNorm" bottom: "data" top: "y" batch_norm_param { use_global_stats: true } }
layer { name: "sc" type: "Scale" bottom: "y" top: "y" }
layer { name: "bi" type: "Bias" bottom: "y" top: "y" }`),
    );
    const attr = graph.nodes.find((n) => n.layer === "bn")!.attr!;
    const state = new Map([
      [`${attr}.running_mean`, t([2], [1, 0])],
      [`${attr}.running_var`, t([2], [4 - 1e-5, 1 - 1e-5])],
      [`${attr}.weight`, t([2], [2, 3])],
      [`${attr}.bias`, t([2], [0.5, -1])],
    ]);
    const result = executeTorchGraph(graph, state, new Map([["data", t([2, 2], [3, 1, -1, 2])]]));
    expect(result.error).toBeNull();
    const top = (layer: string): number[] => [...result.layers.find((l) => l.name === layer)!.tops[0]!.data];
    const close = (a: number[], b: number[]): void => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
    close(top("bn"), [1, 1, -1, 2]);
    close(top("sc"), [2, 3, -2, 6]);
    close(top("bi"), [2.5, 2, -1.5, 5]);
  });
});
