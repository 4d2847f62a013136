import type { InputShape } from "../caffe/input-shapes.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Phase } from "../schema/caffe-types.js";
import type { ReadResult } from "../schema/read.js";
import { lossWeightsOf } from "../caffe/layers/loss-weights.js";
import { isComplete } from "../caffe/shape-util.js";
import { layerPosition } from "./context.js";
import { convertNetDetailed, type ConvertOutcome } from "./convert.js";
import { reluMasksOverwritten } from "./inplace.js";
import { LAYER_CONVERTERS } from "./layers/index.js";
import { isRefusal, type LayerContext, type LayerRefusal } from "./layers/types.js";
import { pythonParam, unknownTypeRefusal } from "./layers/unknown-type.js";
import { assignKeys } from "./names.js";
import type { StubSpec, TorchGraph, TorchInput, TorchNode } from "./torch-graph.js";
import type { ConvertBlock } from "./types.js";

/** Options of {@link buildTorchGraph}. */
export interface GraphOptions {
  phase: Phase;
  /** Shown as `source` (a path, or "<stdin>"). */
  source: string;
  /** BatchNorm modules that reproduce Caffe's running statistics (`--exact`). */
  exact?: boolean;
  /** Shapes of the net's input blobs (`--input-shape`), propagated through the layers. */
  inputShapes?: readonly InputShape[];
  /**
   * `--allow-stubs`: a layer no converter can express becomes a stub module that raises
   * NotImplementedError (it is still listed in `unsupported`).
   */
  stubs?: boolean;
  /** NetState level and extra stages (a solver's `train_state`); default: the net's own state. */
  level?: number;
  stages?: readonly string[];
}

/** The graph, with the `convert` outcome it was built from (the BatchNorm mapping). */
export interface GraphOutcome {
  graph: TorchGraph;
  convert: ConvertOutcome;
  diagnostics: Diagnostic[];
}

/** Refusals for want of a shape: after an unsupported layer, they name it as the cause. */
const SHAPE_REASONS: ReadonlySet<string> = new Set(["input-shape-unknown", "channels-unknown"]);

/** Names `Net` has besides its modules: a layer attribute may not take them. */
const NET_MEMBERS: ReadonlySet<string> = new Set(["forward_layers", "loss", "preprocess", "CAFFE_BLOBS", "LAYER_NAMES"]);
/** Names `forward` uses itself: a blob variable may not take them. */
const FORWARD_NAMES: ReadonlySet<string> = new Set(["self", "torch", "nn", "F", "tops", "math", "inputs", "objective"]);

/**
 * The whole net in PyTorch terms: one node per active layer in Caffe's order, BatchNorm blocks
 * configured as `convert` configures them (Scale/Bias fused into the module where `convert`
 * pairs them), every blob given a Python variable and every module an attribute.
 */
export function buildTorchGraph(read: ReadResult, options: GraphOptions): GraphOutcome {
  const exact = options.exact ?? false;
  const state = { ...(options.level !== undefined ? { level: options.level } : {}), ...(options.stages ? { stages: options.stages } : {}) };
  const outcome = convertNetDetailed(read, { phase: options.phase, source: options.source, exact, ...state, ...(options.inputShapes ? { inputShapes: options.inputShapes } : {}) });
  const { model, graph: blobs, shapes, pairings } = outcome.analysis;
  const layers = model.layers;

  const attrs = assignKeys(layers.map((l) => l.name), NET_MEMBERS);
  const blobNames = [...new Set(blobs.versions.map((v) => v.blob))];
  const variableList = assignKeys(blobNames, FORWARD_NAMES);
  const variables: Record<string, string> = Object.create(null) as Record<string, string>;
  blobNames.forEach((b, i) => (variables[b] = variableList[i]!));

  // BatchNorm blocks by layer position, and the Scale/Bias layers fused into their module.
  const blockAt = new Map<number, ConvertBlock>();
  const fusedAt = new Map<number, LayerContext["fusedInto"]>();
  /** BatchNorm layers whose module also computes the fused Scale (and Bias). */
  const fusedBn = new Set<number>();
  const blocksByName = new Map(outcome.result.blocks.map((b) => [b.batchnorm, b]));
  for (const pairing of pairings) {
    const block = blocksByName.get(layers[pairing.bn]!.name);
    if (!block) continue;
    blockAt.set(pairing.bn, block);
    const fusable = block.caffe.fork === undefined && block.torch.affine && block.torch.num_features !== null && block.torch.module !== null;
    if (!fusable) continue;
    const attr = attrs[pairing.bn]!;
    if (pairing.scale !== null || pairing.bias !== null) fusedBn.add(pairing.bn);
    if (pairing.scale !== null) fusedAt.set(pairing.scale, { attr, block, part: pairing.bias !== null ? "scale" : "full" });
    if (pairing.bias !== null) fusedAt.set(pairing.bias, { attr, block, part: "full" });
  }

  const overwritten = reluMasksOverwritten(layers);
  const nodes: TorchNode[] = [];
  const unsupported: TorchGraph["unsupported"] = [];
  const inputs: TorchInput[] = [];
  // Blob versions whose shape is unknown because of an unsupported layer: that layer's name.
  const unknownSince = new Map<number, string>();
  layers.forEach((layer, position) => {
    const { line, column } = layerPosition(layer, read.sourceMap, read.lines);
    const converter = LAYER_CONVERTERS.get(layer.type);
    const ctx: LayerContext = {
      layer,
      position,
      phase: options.phase,
      inputs: blobs.bottoms[position]!.map((id) => shapes[id] ?? null),
      outputs: blobs.tops[position]!.map((id) => shapes[id] ?? null),
      attr: attrs[position]!,
      block: blockAt.get(position) ?? null,
      fusedInto: fusedAt.get(position) ?? null,
      exact,
      sourceMap: read.sourceMap,
    };
    const converted = converter ? converter.convert(ctx) : unknownTypeRefusal(layer, LAYER_CONVERTERS.keys());
    // The unsupported layer upstream that left a bottom's shape unknown, if any.
    const after = blobs.bottoms[position]!.map((id) => unknownSince.get(id)).find((name) => name !== undefined);
    const refused = isRefusal(converted);
    for (const id of blobs.tops[position]!) {
      // Partial shapes count too: a refused layer upstream may have left only the channels unknown.
      if (!isComplete(shapes[id] ?? null)) {
        const cause = refused ? (after !== undefined && SHAPE_REASONS.has(converted.refused) ? after : layer.name) : after;
        if (cause !== undefined) unknownSince.set(id, cause);
      }
    }
    if (refused) {
      const data = after !== undefined && SHAPE_REASONS.has(converted.refused) ? { ...converted.data, after } : converted.data ?? {};
      const refusal = { ...converted, data };
      unsupported.push({ layer: layer.name, type: layer.type, line, column, reason: converted.refused, data });
      if (options.stubs) nodes.push(stubNode(ctx, refusal, { line, column }, read));
      return;
    }
    const node: TorchNode = {
      layer: layer.name,
      type: layer.type,
      position,
      line,
      column,
      attr: converted.module ? ctx.attr : null,
      module: converted.module,
      call: converted.call,
      bottoms: [...layer.bottoms],
      tops: [...layer.tops],
      helpers: converted.helpers ?? [],
      params: converted.params ?? [],
      notes: converted.notes ?? [],
    };
    if (converted.constants?.length) node.constants = converted.constants;
    if (converted.frozen?.length) node.frozen = converted.frozen;
    if (converted.bnMode) node.bnMode = converted.bnMode;
    if (converted.evalWhileTraining) node.evalWhileTraining = true;
    // Loss weights are Caffe's for any layer type (Layer::SetLossWeights), not the converter's.
    const loss = lossWeightsOf(layer);
    const lossWeights = converted.lossWeights ?? loss.weights;
    if (lossWeights.some((w) => w !== 0)) node.lossWeights = lossWeights;
    const by = overwritten.get(position);
    if (by !== undefined) node.notes.push({ code: "inplace-relu-overwritten", data: { by } });
    if (loss.countMismatch) node.notes.push({ code: "loss-weight-count", data: { weights: layer.param.loss_weight?.length ?? 0, tops: layer.tops.length } });
    // forward never materialises the partial values of a fused block (the normalised value, or
    // the Scale's before the Bias), so a loss weight on them cannot be honoured.
    const partial = fusedBn.has(position) || (converted.call.kind === "fused" && converted.call.part === "scale");
    if (node.lossWeights && partial) {
      unsupported.push({ layer: layer.name, type: layer.type, line, column, reason: "loss-weight-on-fused", data: {} });
      return;
    }
    nodes.push(node);
    if (converted.call.kind === "input") {
      blobs.tops[position]!.forEach((id, i) => {
        const blob = layer.tops[i]!;
        const input: TorchInput = { blob, variable: variables[blob]!, shape: shapes[id] ?? null, layer: layer.name };
        if (i === 0 && converted.transform) input.transform = converted.transform;
        inputs.push(input);
      });
    }
  });

  // Blobs read but written by no layer of this phase (a TRAIN-only data layer's tops, with
  // `--input-shape`) are arguments too, first, in the order the net reads them.
  const unwritten: TorchInput[] = blobs.versions
    .filter((v) => v.producer === null && v.consumers.length > 0 && !inputs.some((i) => i.blob === v.blob))
    .map((v) => ({ blob: v.blob, variable: variables[v.blob]!, shape: shapes[v.id] ?? null, layer: "" }));
  inputs.unshift(...unwritten);

  return {
    graph: { net: model.name, phase: options.phase, source: options.source, inputs, outputs: netOutputs(outcome), nodes, variables, unsupported },
    convert: outcome,
    diagnostics: outcome.diagnostics,
  };
}

/** The node of a layer exported as a stub module (`--allow-stubs`). */
function stubNode(ctx: LayerContext, refusal: LayerRefusal, where: { line: number; column: number }, read: ReadResult): TorchNode {
  const { layer } = ctx;
  const range = layer.synthetic ? undefined : read.sourceMap.get(layer.param)?.range;
  const stub: StubSpec = {
    reason: refusal.refused,
    data: refusal.data ?? {},
    prototxt: range ? read.text.slice(range.offset, range.offset + range.length) : "",
    python: layer.type === "Python" ? pythonParam(layer) : null,
    topShapes: ctx.outputs.map((s) => (s === null ? null : [...s])),
  };
  return {
    layer: layer.name,
    type: layer.type,
    position: ctx.position,
    ...where,
    attr: ctx.attr,
    module: { cls: "CaffeLayerStub", args: [], kwargs: {} },
    call: { kind: "module" },
    bottoms: [...layer.bottoms],
    tops: [...layer.tops],
    helpers: ["CaffeLayerStub"],
    params: [],
    notes: [{ code: "stub", data: { reason: refusal.refused, ...(refusal.data ?? {}) } }],
    stub,
  };
}

/**
 * Caffe's net outputs: blobs whose last version no layer reads. Net::Init collects them in a
 * std::set<string>, so they come sorted by name (byte order).
 */
function netOutputs(outcome: ConvertOutcome): string[] {
  const { versions } = outcome.analysis.graph;
  const last = new Map<string, number>();
  for (const v of versions) last.set(v.blob, v.id);
  const names = [...last].filter(([, id]) => versions[id]!.consumers.length === 0 && versions[id]!.producer !== null).map(([name]) => name);
  return names.sort(compareBytes);
}

const UTF8 = new TextEncoder();

/** Orders strings by their UTF-8 bytes, as std::string's operator< does. */
function compareBytes(a: string, b: string): number {
  const x = UTF8.encode(a);
  const y = UTF8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
