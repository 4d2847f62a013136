import { analyzeNet, type NetAnalysis } from "../caffe/analyze.js";
import type { InputShape } from "../caffe/input-shapes.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { NetParameter, Phase } from "../schema/caffe-types.js";
import type { ReadResult } from "../schema/read.js";
import type { BlockContext } from "./context.js";
import { withEquivalence } from "./equivalence.js";
import { analysisMessage } from "./notes.js";
import { defaultRegistry, type ConverterRegistry } from "./registry.js";
import type { ConvertBlock, ConvertResult, JsonDiagnostic, UnpairedEntry } from "./types.js";

/** Options of {@link convertNet}. */
export interface ConvertOptions {
  /** The phase the net is instantiated in. */
  phase: Phase;
  /** Shown as `source` in the result (a path, or "-" for stdin). */
  source: string;
  /** Modules reproduce Caffe's running statistics exactly (the `--exact` emitters). */
  exact?: boolean;
  /** NetState level and stages (default: the net's own state). */
  level?: number;
  stages?: readonly string[];
  /** English for diagnostics of other layers (reading, schema); ours are worded in notes.ts. */
  messageOf?: (d: Diagnostic) => string | undefined;
  /**
   * Shapes of the net's input blobs, replacing what its data layers declare (`--input-shape`); the
   * blocks' input shapes are inferred from them. Mistakes are error diagnostics (input-shapes.ts).
   */
  inputShapes?: readonly InputShape[];
  /** Converters to use (default: the shipped registry). */
  registry?: ConverterRegistry;
}

/** The result plus the raw diagnostics, for callers that format findings themselves. */
export interface ConvertOutcome {
  result: ConvertResult;
  /** Reading diagnostics followed by analysis and conversion diagnostics, unrendered. */
  diagnostics: Diagnostic[];
  analysis: NetAnalysis;
}

/**
 * Maps every BatchNorm-type layer active in the phase to its PyTorch configuration: one block per
 * layer, in file order. Never throws on user input; what cannot be determined is null with a note.
 */
export function convertNet(read: ReadResult, options: ConvertOptions): ConvertResult {
  return convertNetDetailed(read, options).result;
}

/** {@link convertNet}, also returning the raw diagnostics and the analysis. */
export function convertNetDetailed(read: ReadResult, options: ConvertOptions): ConvertOutcome {
  const registry = options.registry ?? defaultRegistry;
  const net = read.net as NetParameter;
  const state = { phase: options.phase, ...(options.level !== undefined ? { level: options.level } : {}), ...(options.stages ? { stages: options.stages } : {}) };
  const analysis = analyzeNet(net, state, read.sourceMap, options.inputShapes ? { inputShapes: options.inputShapes } : {});
  const diagnostics: Diagnostic[] = [...read.diagnostics, ...analysis.diagnostics];
  const blocks: ConvertBlock[] = [];
  const unpaired: UnpairedEntry[] = [];
  const { model, graph, shapes } = analysis;

  for (const pairing of analysis.pairings) {
    const bn = model.layers[pairing.bn]!;
    const converter = registry.get(bn.type);
    if (!converter) continue;
    const ctx: BlockContext = {
      phase: options.phase,
      exact: options.exact ?? false,
      pairing,
      bn,
      scale: pairing.scale === null ? null : model.layers[pairing.scale]!,
      bias: pairing.bias === null ? null : model.layers[pairing.bias]!,
      input: pairing.inputVersion === null ? "" : graph.versions[pairing.inputVersion]!.blob,
      output: pairing.outputVersion === null ? "" : graph.versions[pairing.outputVersion]!.blob,
      inputShape: pairing.inputVersion === null ? null : shapes[pairing.inputVersion] ?? null,
      sourceMap: read.sourceMap,
      lines: read.lines,
    };
    const outcome = converter.convert(ctx);
    blocks.push(withEquivalence(outcome.block));
    if (outcome.unpaired) unpaired.push(outcome.unpaired);
    diagnostics.push(...outcome.diagnostics);
  }

  const render = (d: Diagnostic): JsonDiagnostic => {
    const position = d.range ? read.lines.position(d.range.offset) : null;
    const message = analysisMessage(d.code, d.data) ?? options.messageOf?.(d) ?? `${d.code} ${JSON.stringify(d.data)}`;
    return { code: d.code, severity: d.severity, message, line: position?.line ?? null, column: position?.column ?? null };
  };

  return {
    result: {
      source: options.source,
      net: model.name,
      phase: options.phase,
      blocks,
      unpaired,
      diagnostics: diagnostics.map(render),
    },
    diagnostics,
    analysis,
  };
}
