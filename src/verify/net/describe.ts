/**
 * Words for one layer on each side: the Caffe parameters as the prototxt writes them, and the
 * PyTorch module or expression the layer became in the emitted model.
 */
import type { NetLayer } from "../../caffe/net.js";
import type { TorchGraph, TorchNode } from "../../convert/torch-graph.js";
import { pyCall } from "../../emit/python/forward.js";
import type { SourceMap } from "../../schema/locations.js";

/** Fills `{0}`, `{1}`… with the bottoms' variables and `{self}` with the module attribute, as forward does. */
function fill(template: string, args: readonly string[], attr: string | null): string {
  return template.replace(/\{(\d+|self)\}/g, (_, key: string) => (key === "self" ? `self.${attr ?? ""}` : args[Number(key)] ?? "None"));
}

/** One line of Python: what `forward` does for the node (the module as `Net.__init__` builds it). */
export function torchDescription(node: TorchNode, graph: TorchGraph): string {
  const module = node.module ? pyCall(node.module.cls, node.module.args, node.module.kwargs) : null;
  const bottoms = node.bottoms.map((b) => graph.variables[b] ?? b);
  const call = node.call;
  switch (call.kind) {
    case "module":
      return module ?? `self.${node.attr ?? "?"}`;
    case "expr":
      return fill(call.expr, bottoms, node.attr) + (module ? `  with self.${node.attr ?? "?"} = ${module}` : "");
    case "input":
      return "an argument of forward";
    case "alias":
      return "the bottom itself (no computation)";
    case "none":
      return "nothing (no top)";
    case "fused": {
      const into = graph.nodes.find((n) => n.attr === call.into);
      const what = call.part === "normalise" ? "its normalised value" : call.part === "scale" ? "its value after gamma" : "its output";
      return `fused into ${into ? `${into.module ? pyCall(into.module.cls, into.module.args, into.module.kwargs) : `self.${call.into}`} (layer "${into.layer}")` : `self.${call.into}`}: ${what}`;
    }
  }
}

/** Collapses a prototxt fragment onto one line: runs of white space (and comments) become one space. */
function oneLine(text: string): string {
  return text
    .split("\n")
    .map((l) => l.replace(/#.*$/, ""))
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The layer's Caffe parameters as the prototxt writes them: each `*_param` message (and `param`
 * blocks) on one line, or a note that the layer uses Caffe's defaults. Layers without a source
 * location (upgraded from V1, made from `input:` fields) print the bound values instead.
 */
export function caffeParameters(layer: NetLayer, text: string, sourceMap: SourceMap): string {
  const message = layer.param as Record<string, unknown>;
  const fields = Object.keys(message).filter((k) => k.endsWith("_param") && k !== "include" && k !== "exclude");
  const location = sourceMap.get(layer.param);
  const parts: string[] = [];
  for (const field of fields) {
    const range = location?.fields.get(field)?.[0];
    parts.push(range ? oneLine(text.slice(range.offset, range.offset + range.length)) : `${field} ${JSON.stringify(message[field])}`);
  }
  return parts.length > 0 ? parts.join("; ") : `(no ${layer.type} parameters written: Caffe's defaults)`;
}
