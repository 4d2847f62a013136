/**
 * Runs a TorchGraph forward as the emitted `Net.forward_layers` does, node by node in the graph's
 * order, and records every Caffe layer's tops right after it ran (the partial values of a
 * BatchNorm block fused into one module included, as `caffe_batch_norm_steps` gives them).
 */
import type { TorchGraph, TorchNode } from "../../convert/torch-graph.js";
import { lastReads, Recycler } from "../lifetimes.js";
import { runToEnd, type ExecuteOptions, type ExecuteResult, type LayerRecord } from "../net.js";
import { ExecuteError, type Blob } from "../types.js";
import { evaluate } from "./expr/eval.js";
import { moduleOf } from "./modules/index.js";
import { checkShape, constructorArgs, type ModuleContext, type ModuleImpl } from "./modules/module.js";
import { batchNormSteps } from "./modules/norm.js";
import { blobOf } from "../blob.js";
import { asTensor, invalid, numel, tensor, unsupported, type Tensor, type Value } from "./value.js";

/** Options of {@link executeTorchGraph}. */
export interface TorchExecuteOptions extends Pick<ExecuteOptions, "onLayer" | "keep"> {
  /** Modules in training mode (default: the graph's phase is TRAIN, as `build()` sets it). */
  training?: boolean;
  /** Replacement module implementations by class (e.g. a deliberately wrong one, to prove a comparison sees it). */
  modules?: ReadonlyMap<string, ModuleImpl>;
}

/** For each BatchNorm node whose Scale/Bias are fused into its module: the blob its call writes (the block's last top). */
function fusedOutputs(graph: TorchGraph): Map<number, string> {
  const out = new Map<number, string>();
  for (const node of graph.nodes) {
    if (node.call.kind !== "fused" || node.call.part !== "full") continue;
    const into = node.call.into;
    const bn = graph.nodes.find((n) => n.attr === into);
    if (bn && node.tops[0] !== undefined) out.set(bn.position, node.tops[0]);
  }
  return out;
}

/** The module context of a node: its arguments and its state by key `<attr>.<name>`. */
function contextOf(node: TorchNode, impl: ModuleImpl, state: ReadonlyMap<string, Blob>, training: boolean): ModuleContext {
  const args = constructorArgs(node.module!, impl.signature);
  const lookup = (name: string): Tensor | null => {
    const key = `${node.attr ?? ""}.${name}`;
    const blob = state.get(key);
    if (blob) return tensor(blob.shape, blob.data);
    // State the module has that no blob fills (exportState writes it too; a caller's map may not).
    const constant = node.constants?.find((c) => c.key === key);
    if (constant) return tensor(constant.shape, new Float32Array(numel(constant.shape)).fill(constant.value), constant.dtype === "I64" ? "int64" : "float32");
    return null;
  };
  return {
    node,
    args,
    training: training && node.evalWhileTraining !== true,
    param: (name, shape) => checkShape(`${node.attr ?? ""}.${name}`, lookup(name) ?? invalid("missing-state", { key: `${node.attr ?? ""}.${name}` }), shape),
    optionalParam: lookup,
  };
}

/** The value assigned to a node's tops (`a = v` or `a, b = v`), one tensor per top. */
function unpack(node: TorchNode, v: Value): Tensor[] {
  if (node.tops.length === 1) return [asTensor(v, `top ${node.tops[0]!}`)];
  if ((v.t === "tuple" || v.t === "list") && v.items.length === node.tops.length) return v.items.map((x, i) => asTensor(x, `top ${node.tops[i]!}`));
  return invalid("top-count", { expected: node.tops.length, actual: v.t === "tuple" || v.t === "list" ? v.items.length : 1 });
}

const blobsOf = (values: ReadonlyMap<string, Tensor>): Map<string, Blob> => new Map([...values].map(([k, t]) => [k, blobOf(t.shape, t.data)]));

/**
 * Runs `graph` forward as the emitted `Net.forward_layers` does and records every Caffe top (named
 * by Caffe blob name, layers by Caffe layer name) right after its layer ran.
 *
 * @param state the emitted model's `state_dict()` by key (what `exportState` writes), torch layout
 * @param inputs the values of the net's input blobs, by Caffe blob name
 */
export function executeTorchGraph(
  graph: TorchGraph,
  state: ReadonlyMap<string, Blob>,
  inputs: ReadonlyMap<string, Blob>,
  options: TorchExecuteOptions = {},
): ExecuteResult {
  // Its yields go unread: without `keep` or `onLayer` the records need not be made.
  return runToEnd(graphSteps(graph, state, inputs, options, false));
}

/**
 * {@link executeTorchGraph} one node at a time: yields each Caffe layer's record as it is produced
 * (after `onLayer`), and returns the result.
 */
export function torchGraphSteps(
  graph: TorchGraph,
  state: ReadonlyMap<string, Blob>,
  inputs: ReadonlyMap<string, Blob>,
  options: TorchExecuteOptions = {},
): Generator<LayerRecord, ExecuteResult, void> {
  return graphSteps(graph, state, inputs, options, true);
}

function* graphSteps(
  graph: TorchGraph,
  state: ReadonlyMap<string, Blob>,
  inputs: ReadonlyMap<string, Blob>,
  options: TorchExecuteOptions,
  yieldsRead: boolean,
): Generator<LayerRecord, ExecuteResult, void> {
  const training = options.training ?? graph.phase === "TRAIN";
  const keep = options.keep ?? true;
  // Without a record to keep or report, the partial values of fused blocks need not be computed.
  const recording = keep || options.onLayer !== undefined || yieldsRead;
  const fused = fusedOutputs(graph);
  const values = new Map<string, Tensor>();
  const steps = new Map<string, [Tensor, Tensor]>();
  const layers: LayerRecord[] = [];
  const implOf = (cls: string): ModuleImpl => options.modules?.get(cls) ?? moduleOf(cls) ?? unsupported("module", { cls });
  // A value is read by the nodes with it as a bottom, and by a fused node reporting it (the block's output).
  const live = new Recycler(values, keep, () => lastReads(graph.nodes, (n) => (n.call.kind === "fused" && n.tops[0] !== undefined ? [...n.bottoms, n.tops[0]] : n.bottoms)));
  const setValue = (name: string, t: Tensor): void => live.set(name, t);
  const dropSteps = (layer: string): void => {
    steps.get(layer)?.forEach((t) => live.drop(t.data));
    steps.delete(layer);
  };

  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i]!;
    const produced: LayerRecord[] = [];
    const record = (tops: readonly [string, Tensor][]): void => {
      const r: LayerRecord = { name: node.layer, type: node.type, position: node.position, tops: tops.map(([blob, t]) => ({ blob, shape: [...t.shape], data: t.data })) };
      options.onLayer?.(r);
      if (keep) layers.push(r);
      produced.push(r);
    };
    try {
      const bottoms = (): Tensor[] => node.bottoms.map((b) => values.get(b) ?? invalid("unknown-bottom", { blob: b }));
      const assign = (tops: readonly Tensor[]): void => {
        node.tops.forEach((name, i) => setValue(name, tops[i]!));
        record(node.tops.map((name, i) => [name, tops[i]!]));
      };
      const call = node.call;
      switch (call.kind) {
        case "none":
          break;
        case "input":
          assign(node.tops.map((b) => {
            const blob = inputs.get(b) ?? invalid("missing-input", { blob: b });
            return tensor(blob.shape, blob.data);
          }));
          break;
        case "alias": {
          const b = bottoms();
          assign(node.tops.map((_, i) => (b.length === 1 ? b[0]! : b[i] ?? invalid("alias-bottoms", { tops: node.tops.length, bottoms: b.length }))));
          break;
        }
        case "module": {
          if (node.stub) unsupported("stub", { reason: node.stub.reason });
          if (!node.module) invalid("module-missing", { attr: node.attr });
          const impl = implOf(node.module.cls);
          const ctx = contextOf(node, impl, state, training);
          const args: Value[] = bottoms();
          if (call.input && args.length > 0) args[0] = evaluate(call.input, new Map(args.map((a, i) => [String(i), a])));
          const out = fused.get(node.position);
          if (out !== undefined) {
            // forward_layers: steps = caffe_batch_norm_steps(bn, x); the module writes the block's output.
            setValue(out, asTensor(impl.forward(ctx, args, new Map()), "output"));
            if (recording) {
              const s = batchNormSteps(ctx, asTensor(args[0], "input"));
              s.forEach((t) => live.hold(t.data));
              steps.set(node.layer, s);
              record([[node.tops[0]!, s[0]]]);
            }
            break;
          }
          assign(unpack(node, impl.forward(ctx, args, new Map())));
          break;
        }
        case "expr": {
          const slots = new Map<string, Value>(bottoms().map((b, i) => [String(i), b]));
          if (node.module) {
            const impl = implOf(node.module.cls);
            const ctx = contextOf(node, impl, state, training);
            slots.set("self", { t: "function", name: `self.${node.attr ?? ""}`, call: (a, kw) => impl.forward(ctx, a, kw) });
          }
          assign(unpack(node, evaluate(call.expr, slots)));
          break;
        }
        case "fused": {
          if (!recording) break;
          const into = graph.nodes.find((n) => n.attr === call.into);
          const partial = call.part === "scale" && into ? steps.get(into.layer)?.[1] : values.get(node.tops[0]!);
          record([[node.tops[0]!, partial ?? invalid("fused-value", { into: call.into, part: call.part })]]);
          // The block's full output follows its scale part: the partial values are not read again.
          if (call.part === "full" && into) dropSteps(into.layer);
          break;
        }
      }
    } catch (e) {
      const failure = (code: string, data: Readonly<Record<string, unknown>>): ExecuteResult => ({
        layers,
        error: { layer: node.layer, type: node.type, position: node.position, code, data },
        blobs: blobsOf(values),
      });
      if (e instanceof ExecuteError) return failure(e.code, e.data);
      // numeric/torch-batch-norm.ts checks its inputs with RangeError, as PyTorch raises.
      if (e instanceof RangeError) return failure("torch-invalid", { what: "range", message: e.message });
      throw e;
    }
    live.endStep(i, node.bottoms, node.tops);
    yield* produced;
  }
  return { layers, error: null, blobs: blobsOf(values) };
}
