import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Phase } from "../schema/caffe-types.js";
import type { ReadResult } from "../schema/read.js";
import { layerPosition } from "./context.js";
import { convertNetDetailed, type ConvertOptions, type ConvertOutcome } from "./convert.js";
import { LAYER_CONVERTERS } from "./layers/index.js";
import { isRefusal, type LayerContext } from "./layers/types.js";
import { assignKeys } from "./names.js";
import type { TorchGraph, TorchInput, TorchNode } from "./torch-graph.js";
import type { ConvertBlock } from "./types.js";

/** Options of {@link buildTorchGraph}. */
export interface GraphOptions {
  phase: Phase;
  /** Shown as `source` (a path, or "<stdin>"). */
  source: string;
  /** BatchNorm modules that reproduce Caffe's running statistics (`--exact`). */
  exact?: boolean;
  /** Shapes of input blobs replacing what the net declares (`--input-shape`), as ConvertOptions.inputShapes. */
  inputShapes?: ConvertOptions["inputShapes"];
}

/** The graph, with the `convert` outcome it was built from (the BatchNorm mapping). */
export interface GraphOutcome {
  graph: TorchGraph;
  convert: ConvertOutcome;
  diagnostics: Diagnostic[];
}

/** Names `Net` has besides its modules: a layer attribute may not take them. */
const NET_MEMBERS: ReadonlySet<string> = new Set(["forward_layers", "loss", "preprocess", "CAFFE_BLOBS", "LAYER_NAMES"]);
/** Names `forward` uses itself: a blob variable may not take them. */
const FORWARD_NAMES: ReadonlySet<string> = new Set(["self", "torch", "nn", "F", "tops", "math", "inputs"]);

/**
 * The whole net in PyTorch terms: one node per active layer in Caffe's order, BatchNorm blocks
 * configured as `convert` configures them (Scale/Bias fused into the module where `convert`
 * pairs them), every blob given a Python variable and every module an attribute.
 */
export function buildTorchGraph(read: ReadResult, options: GraphOptions): GraphOutcome {
  const exact = options.exact ?? false;
  const outcome = convertNetDetailed(read, { phase: options.phase, source: options.source, exact, ...(options.inputShapes ? { inputShapes: options.inputShapes } : {}) });
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
  const blocksByName = new Map(outcome.result.blocks.map((b) => [b.batchnorm, b]));
  for (const pairing of pairings) {
    const block = blocksByName.get(layers[pairing.bn]!.name);
    if (!block) continue;
    blockAt.set(pairing.bn, block);
    const fusable = block.caffe.fork === undefined && block.torch.affine && block.torch.num_features !== null && block.torch.module !== null;
    if (!fusable) continue;
    const attr = attrs[pairing.bn]!;
    if (pairing.scale !== null) fusedAt.set(pairing.scale, { attr, block, part: pairing.bias !== null ? "scale" : "full" });
    if (pairing.bias !== null) fusedAt.set(pairing.bias, { attr, block, part: "full" });
  }

  const nodes: TorchNode[] = [];
  const unsupported: TorchGraph["unsupported"] = [];
  const inputs: TorchInput[] = [];
  layers.forEach((layer, position) => {
    const { line, column } = layerPosition(layer, read.sourceMap, read.lines);
    const converter = LAYER_CONVERTERS.get(layer.type);
    if (!converter) {
      unsupported.push({ layer: layer.name, type: layer.type, line, column, reason: "unknown-type" });
      return;
    }
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
    const converted = converter.convert(ctx);
    if (isRefusal(converted)) {
      unsupported.push({ layer: layer.name, type: layer.type, line, column, reason: converted.refused });
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
    if (converted.lossWeights) node.lossWeights = converted.lossWeights;
    nodes.push(node);
    if (converted.call.kind === "input") {
      blobs.tops[position]!.forEach((id, i) => {
        const blob = layer.tops[i]!;
        inputs.push({ blob, variable: variables[blob]!, shape: shapes[id] ?? null, layer: layer.name });
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
