import type { PyValue, TorchGraph, TorchNode } from "../../convert/torch-graph.js";
import { pyFloat, pyString, pyStringBody } from "../python-literals.js";

/** A Python value as source. Strings are data: always escaped literals. */
export function pyValue(v: PyValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? String(v) : pyFloat(v);
  if (typeof v === "string") return pyString(v);
  if (Array.isArray(v)) return `[${v.map(pyValue).join(", ")}]`;
  if ("tuple" in v) return v.tuple.length === 1 ? `(${pyValue(v.tuple[0]!)},)` : `(${v.tuple.map(pyValue).join(", ")})`;
  return v.raw;
}

/** `cls(args, key=value)`. */
export function pyCall(cls: string, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>): string {
  const parts = [...args.map(pyValue), ...Object.entries(kwargs).map(([k, v]) => `${k}=${pyValue(v)}`)];
  return `${cls}(${parts.join(", ")})`;
}

/** Fills `{0}`, `{1}`… with the bottoms' variables and `{self}` with the module attribute. */
function fill(template: string, args: readonly string[], attr: string | null): string {
  return template.replace(/\{(\d+|self)\}/g, (_, key: string) => (key === "self" ? `self.${attr ?? ""}` : args[Number(key)] ?? "None"));
}

/** A comment naming the layer, escaped so that no name can end the comment. */
function layerComment(node: TorchNode): string {
  return `  # ${pyStringBody(node.type)} "${pyStringBody(node.layer)}"`;
}

/** The Python statements of one node in `forward` (`record`: also fill `tops` for forward_layers). */
export function nodeLines(node: TorchNode, graph: TorchGraph, record: boolean, fusedOutput: ReadonlyMap<number, string>): string[] {
  const v = (blob: string): string => graph.variables[blob]!;
  const bottoms = node.bottoms.map(v);
  const tops = node.tops.map(v);
  const lhs = tops.length === 0 ? "_" : tops.join(", ");
  const lines: string[] = [];
  const named = node.attr === null || node.attr !== node.layer;
  const tail = (s: string): string => (named ? s + layerComment(node) : s);
  const call = node.call;
  switch (call.kind) {
    case "input":
    case "none":
      break;
    case "alias":
      // Split gives every top the one bottom; an in-place alias keeps its bottom's pairing.
      tops.forEach((t, i) => {
        const b = bottoms.length === 1 ? bottoms[0] : bottoms[i];
        if (b !== undefined && t !== b) lines.push(tail(`${t} = ${b}`));
      });
      break;
    case "module": {
      const args = [...bottoms];
      if (call.input && args.length > 0) args[0] = fill(call.input, bottoms, node.attr);
      // A BatchNorm whose Scale (and Bias) are fused writes the block's output blob.
      const out = fusedOutput.get(node.position);
      if (record && out !== undefined) lines.push(`steps[${pyString(node.layer)}] = caffe_batch_norm_steps(self.${node.attr}, ${bottoms[0]})`);
      lines.push(tail(`${out ?? lhs} = self.${node.attr}(${args.join(", ")})`));
      if (record && out !== undefined) {
        lines.push(`tops[${pyString(node.layer)}] = (steps[${pyString(node.layer)}][0],)`);
        return lines;
      }
      break;
    }
    case "expr":
      lines.push(tail(`${lhs} = ${fill(call.expr, bottoms, node.attr)}`));
      break;
    case "fused":
      if (record) {
        const into = graph.nodes.find((n) => n.attr === call.into);
        const value = call.part === "scale" && into ? `steps[${pyString(into.layer)}][1]` : tops[0];
        lines.push(`tops[${pyString(node.layer)}] = (${value},)`);
      }
      return lines;
  }
  if (record && call.kind !== "none") lines.push(`tops[${pyString(node.layer)}] = (${tops.join(", ")}${tops.length === 1 ? "," : ""})`);
  return lines;
}

/**
 * For each BatchNorm node whose Scale/Bias are fused into its module: the variable of the
 * block's last top, which the module's call writes.
 */
export function fusedOutputs(graph: TorchGraph): Map<number, string> {
  const out = new Map<number, string>();
  for (const node of graph.nodes) {
    if (node.call.kind !== "fused" || node.call.part !== "full") continue;
    const into = graph.nodes.find((n) => n.attr === (node.call as { into: string }).into);
    if (into && node.tops[0] !== undefined) out.set(into.position, graph.variables[node.tops[0]]!);
  }
  return out;
}
