/**
 * One {@link ReportLayer} per TorchGraph node: the Caffe layer's text and shapes beside the
 * PyTorch module (or expression, or helper) it became, with the words for notes and refusals.
 */
import type { GraphOutcome } from "../convert/graph.js";
import { layerNoteMessage, refusalMessage } from "../convert/layers/messages.js";
import type { TorchNode } from "../convert/torch-graph.js";
import type { ReadResult } from "../schema/read.js";
import { HELPERS } from "../emit/python/helpers/index.js";
import { pyCall } from "../emit/python/forward.js";
import type { NetLayerCheck } from "../verify/net-types.js";
import type { ReportFinding, ReportLayer } from "./model.js";

/** Fills an expression template's `{0}`, `{1}` with the bottom blob names and `{self}` with the attribute. */
function fillExpr(expr: string, node: TorchNode): string {
  return expr.replace(/\{(\d+|self)\}/g, (_, key: string) => (key === "self" ? `self.${node.attr ?? ""}` : node.bottoms[Number(key)] ?? "None"));
}

/** What the layer became, in one line of Python or words. */
export function torchText(node: TorchNode): string {
  if (node.stub) return "CaffeLayerStub (raises NotImplementedError: not exported)";
  const call = node.call;
  switch (call.kind) {
    case "module": {
      const module = node.module ? pyCall(node.module.cls, node.module.args, node.module.kwargs) : `self.${node.attr ?? "?"}`;
      return call.input ? `${module} on ${fillExpr(call.input, node)}` : module;
    }
    case "expr":
      return fillExpr(call.expr, node);
    case "fused":
      return `fused into the module of ${call.into} (${call.part === "normalise" ? "its normalisation" : call.part === "scale" ? "its gamma" : "its whole output"})`;
    case "input":
      return "an argument of forward()";
    case "alias":
      return "no computation: its top is its bottom";
    case "none":
      return "nothing: forward() does not compute it";
  }
}

/** Learned values of a node: parameter blobs (not BatchNorm statistics), by their torch shape. */
export function parameterCount(node: TorchNode): number {
  let n = 0;
  for (const p of node.params) {
    const shape = p.shape ?? p.caffeShape;
    if (p.kind === "parameter" && shape) n += shape.reduce((a, b) => a * b, 1);
  }
  return n;
}

/** The layers in graph order, with shapes, text, lint findings and verification status. */
export function reportLayers(
  read: ReadResult,
  outcome: GraphOutcome,
  findingsByLayer: ReadonlyMap<string, ReportFinding[]>,
  checks: ReadonlyMap<string, NetLayerCheck>,
): ReportLayer[] {
  const { analysis } = outcome.convert;
  const unsupported = new Map(outcome.graph.unsupported.map((u) => [u.layer, refusalMessage(u.reason, u.data)]));
  const blockOf = new Map<string, string>();
  for (const b of outcome.convert.result.blocks) for (const name of [b.batchnorm, b.scale, b.bias]) if (name !== null) blockOf.set(name, b.batchnorm);
  const shapeOf = (id: number | undefined) => (id === undefined ? null : analysis.shapes[id] ?? null);
  return outcome.graph.nodes.map((node): ReportLayer => {
    const netLayer = analysis.model.layers[node.position];
    const range = netLayer && !netLayer.synthetic ? read.sourceMap.get(netLayer.param)?.range : undefined;
    const check = checks.get(node.layer);
    return {
      name: node.layer,
      type: node.type,
      line: node.line,
      prototxt: range ? read.text.slice(range.offset, range.offset + range.length) : "",
      bottoms: node.bottoms,
      tops: node.tops,
      bottomShapes: (analysis.graph.bottoms[node.position] ?? []).map(shapeOf),
      topShapes: (analysis.graph.tops[node.position] ?? []).map(shapeOf),
      torch: torchText(node),
      call: node.stub ? "stub" : node.call.kind,
      helpers: node.helpers.filter((h) => !h.startsWith("_")).map((name) => ({ name, why: HELPERS[name]?.why ?? "" })),
      parameters: parameterCount(node),
      params: node.params.map((p) => ({ key: p.key, shape: p.shape, kind: p.kind, lrMult: p.lrMult, decayMult: p.decayMult })),
      notes: node.notes.map((n) => layerNoteMessage(n.code, n.data)),
      unsupported: unsupported.get(node.layer) ?? null,
      block: blockOf.get(node.layer) ?? null,
      lint: findingsByLayer.get(node.layer) ?? [],
      status: check?.status ?? "unchecked",
      scaledError: check?.scaled_error ?? null,
      maxAbsError: check?.max_abs_error ?? null,
    };
  });
}
