/** Converts small prototxt snippets with `export`'s graph builder, for converter tests. */
import type { TorchGraph, TorchNode } from "../../../src/convert/torch-graph.js";
import { nodeLines } from "../../../src/emit/python/forward.js";
import { graphOf } from "../../export/support.js";

/** An Input layer `data` of `shape`, then `layers` (prototxt text). */
export function netWith(shape: readonly number[], layers: string): string {
  const dims = shape.map((d) => `dim: ${d}`).join(" ");
  return `layer { name: "data" type: "Input" top: "data" input_param { shape { ${dims} } } }\n${layers}`;
}

/** The TEST-phase graph of a net, as `export` builds it. */
export { graphOf };

/** The node of `layer`; throws when the layer was not converted. */
export function nodeOf(graph: TorchGraph, layer: string): TorchNode {
  const node = graph.nodes.find((n) => n.layer === layer);
  if (!node) throw new Error(`${layer} not converted: ${JSON.stringify(graph.unsupported)}`);
  return node;
}

/** The statement `forward` runs for `layer`, without its trailing comment. */
export function forwardOf(prototxt: string, layer: string): string {
  const graph = graphOf(prototxt);
  const lines = nodeLines(nodeOf(graph, layer), graph, false, new Map());
  return lines.map((l) => l.replace(/ {2}# .*$/, "")).join("\n");
}

/** Why `layer` was not converted, or null when it was. */
export function refusalOf(prototxt: string, layer: string): string | null {
  return graphOf(prototxt).unsupported.find((u) => u.layer === layer)?.reason ?? null;
}
