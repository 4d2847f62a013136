/**
 * The drawn graph: layers as nodes, blobs as edges. A layer working in place on the top of the
 * layer before it (ReLU, BatchNorm, Scale, Dropout on `conv1`) joins that layer's node as a step,
 * as Netron draws such chains, so that a ResNet's conv → bn → scale → relu is one box; a blob
 * version read by anything else ends the chain, so no edge ever leaves from the middle of a node.
 */
import type { BlobGraph } from "../caffe/blobs.js";
import type { Shape } from "../caffe/shape-util.js";
import type { TorchGraph } from "../convert/torch-graph.js";
import type { ReportEdge, ReportNode } from "./model.js";

/** Nodes and edges of a graph whose layers are `graph.nodes` in order. */
export function reportNodes(graph: TorchGraph, blobs: BlobGraph, shapes: readonly Shape[]): { nodes: ReportNode[]; edges: ReportEdge[] } {
  const nodes: ReportNode[] = [];
  const indexOfPosition = new Map(graph.nodes.map((n, i) => [n.position, i]));
  /** The node holding each layer (by index into graph.nodes). */
  const nodeOfLayer: ReportNode[] = [];
  const newNode = (layers: number[], role: ReportNode["role"], blob?: string): ReportNode => {
    const node: ReportNode = { id: `n${nodes.length}`, layers, role, ...(blob !== undefined ? { blob } : {}) };
    nodes.push(node);
    return node;
  };

  graph.nodes.forEach((layer, i) => {
    const bottomIds = blobs.bottoms[layer.position] ?? [];
    const topIds = blobs.tops[layer.position] ?? [];
    const inPlace = bottomIds.length === 1 && topIds.length === 1 && layer.bottoms[0] === layer.tops[0];
    if (inPlace) {
      const read = blobs.versions[bottomIds[0]!];
      const producer = read?.producer ? indexOfPosition.get(read.producer.layer) : undefined;
      const chain = producer === undefined ? undefined : nodeOfLayer[producer];
      // Join only the chain's last step, and only when nothing else reads the version it wrote.
      if (chain && chain.layers[chain.layers.length - 1] === producer && read!.consumers.length === 1 && chain.role !== "input") {
        chain.layers.push(i);
        nodeOfLayer[i] = chain;
        return;
      }
    }
    nodeOfLayer[i] = newNode([i], layer.call.kind === "input" ? "input" : "layer");
  });

  // Blobs read before any layer writes them (the net's `input:` fields are a synthetic layer; a
  // dangling bottom is Caffe's error, drawn so that the edge has somewhere to start).
  const markerOf = new Map<number, ReportNode>();
  const edges: ReportEdge[] = [];
  const seen = new Set<string>();
  const addEdge = (from: ReportNode, to: ReportNode, versionId: number): void => {
    const version = blobs.versions[versionId]!;
    const key = `${from.id} ${to.id} ${version.blob}`;
    if (from === to || seen.has(key)) return;
    seen.add(key);
    edges.push({ from: from.id, to: to.id, blob: version.blob, shape: shapes[versionId] ?? null });
  };
  graph.nodes.forEach((layer, i) => {
    for (const id of blobs.bottoms[layer.position] ?? []) {
      const version = blobs.versions[id];
      if (!version) continue;
      const producer = version.producer ? indexOfPosition.get(version.producer.layer) : undefined;
      let from = producer === undefined ? undefined : nodeOfLayer[producer];
      if (!from) {
        from = markerOf.get(id) ?? newNode([], "input", version.blob);
        markerOf.set(id, from);
      }
      addEdge(from, nodeOfLayer[i]!, id);
    }
  });

  // Net outputs: the last version of each output blob, from the node that wrote it.
  for (const blob of graph.outputs) {
    const last = [...blobs.versions].reverse().find((v) => v.blob === blob && v.producer !== null);
    const producer = last?.producer ? indexOfPosition.get(last.producer.layer) : undefined;
    if (last === undefined || producer === undefined) continue;
    addEdge(nodeOfLayer[producer]!, newNode([], "output", blob), last.id);
  }
  return { nodes, edges };
}
