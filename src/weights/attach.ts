/**
 * `convert --weights`: the trained statistics of a .caffemodel joined to a conversion result.
 *
 * Layers are matched as Net::CopyTrainedLayersFrom matches them: by name only, each caffemodel
 * layer going to the first layer of that name in the net as instantiated in the phase (a later
 * caffemodel layer of the same name overwrites an earlier one), caffemodel layers matching no net
 * layer ignored ("Ignoring source layer …"; here listed, not fatal). So a caffemodel saved from the
 * TRAIN net (loss layers, the BatchNorm `param` entries Caffe adds itself) fits a deploy prototxt.
 */
import type { NetLayer } from "../caffe/net.js";
import type { ConvertOutcome } from "../convert/convert.js";
import type { BlockNote, ConvertBlock, ConvertResult, JsonDiagnostic } from "../convert/types.js";
import { diagnostic, hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { LineIndex } from "../diagnostics/range.js";
import { planModules } from "../emit/python-plan.js";
import type { SourceMap } from "../schema/locations.js";
import { readBlockBlobs, type BlockBlobs, type BlockLayerSpec } from "./block-blobs.js";
import { readCaffemodel, type Caffemodel, type WeightLayer } from "./caffemodel.js";
import { withEquivalence } from "../convert/equivalence.js";
import { formatSignificant, weightsMessage, weightsNoteMessage, type WeightsData } from "./messages.js";
import type { SafetensorsTensor } from "./safetensors.js";
import { countNegative, countNonFinite, effectiveStatistics, estimateUpdates, isBelowLimit, range, scaleFactorLimit } from "./statistics.js";

/** PyTorch state by safetensors key (`<ModuleDict key>.running_mean`, …). */
export type WeightsState = Map<string, SafetensorsTensor>;

/** Options of {@link attachWeights}. */
export interface AttachWeightsOptions {
  /** The caffemodel's path as the user gave it (`weights.source`, safetensors metadata). */
  source: string;
  /** The --exact modules: also write Caffe's scale factor as `<key>.caffe_scale_factor`. */
  exact?: boolean;
  /** English for diagnostics of other layers (the decoder's faults); as convertNet's option. */
  messageOf?: (d: Diagnostic) => string | undefined;
}

/** What {@link attachWeights} returns. */
export interface AttachedWeights {
  /** The result with `weights` per block and at the top, notes, num_features from the blobs, and the new diagnostics. */
  result: ConvertResult;
  /** The tensors of every module the Python emitter builds (none when there are errors). */
  state: WeightsState;
  /** safetensors `__metadata__` for {@link safetensorsBytes}. */
  metadata: Record<string, string>;
  /** The weights diagnostics alone (errors mean the weights cannot be used). */
  diagnostics: Diagnostic[];
}

/** The values one block contributes, in PyTorch's terms. */
interface BlockState {
  runningMean: Float32Array;
  runningVar: Float32Array;
  weight: Float32Array | null;
  bias: Float32Array | null;
  scaleFactor: number;
  numBatchesTracked: number;
}

interface Context {
  model: Caffemodel;
  sources: ReadonlyMap<string, WeightLayer>;
  netLayers: ReadonlyMap<string, NetLayer>;
  sourceMap: SourceMap;
  exact: boolean;
}

function note(code: string, data: WeightsData = {}): BlockNote {
  return { code, message: weightsNoteMessage(code, data) };
}

/** The layers of a BVLC block, as the net declares them. */
function blockSpecs(block: ConvertBlock, ctx: Context): BlockLayerSpec[] {
  const range = (name: string) => {
    const layer = ctx.netLayers.get(name);
    return layer && !layer.synthetic ? ctx.sourceMap.rangeOf(layer.param) : undefined;
  };
  const specs: BlockLayerSpec[] = [{ role: "BatchNorm", name: block.batchnorm, blobs: 3, range: range(block.batchnorm) }];
  if (block.scale !== null) specs.push({ role: "Scale", name: block.scale, blobs: block.caffe.bias_term ? 2 : 1, range: range(block.scale) });
  if (block.bias !== null) specs.push({ role: "Bias", name: block.bias, blobs: 1, range: range(block.bias) });
  return specs;
}

/** The block's new notes and state from its checked blobs. */
function blockState(block: ConvertBlock, blobs: BlockBlobs, exact: boolean): { state: BlockState; notes: BlockNote[] } {
  const notes: BlockNote[] = [];
  const stats = effectiveStatistics(blobs.meanSum, blobs.varSum, blobs.scaleFactor);
  const s = blobs.scaleFactor;
  const fraction = block.caffe.moving_average_fraction;
  const updates = estimateUpdates(s, fraction);
  if (blobs.legacyShape !== null) notes.push(note("weights-legacy-shape", { shape: `[${blobs.legacyShape.join(", ")}]`, channels: blobs.channels }));
  if (s === 0) notes.push(note("weights-scale-factor-zero"));
  else if (!(s > 0) || !Number.isFinite(s)) notes.push(note("weights-scale-factor-invalid", { scale_factor: s }));
  else if (isBelowLimit(s, fraction)) {
    notes.push(
      note("weights-not-converged", {
        scale_factor: formatSignificant(s),
        fraction,
        limit: formatSignificant(scaleFactorLimit(fraction)),
        updates,
        momentum: block.torch.momentum,
        exact,
      }),
    );
  }
  if (block.torch.mode === "batch-stats") notes.push(note("weights-batch-stats"));
  const nonFinite = countNonFinite(stats.mean) + countNonFinite(stats.variance);
  if (nonFinite > 0) notes.push(note("weights-non-finite", { count: nonFinite }));
  const negative = countNegative(stats.variance);
  if (negative > 0) notes.push(note("weights-negative-variance", { count: negative, min: Math.min(...stats.variance) }));
  // A Scale without bias_term and no Bias layer: PyTorch's bias stays at 0 (see convert's note).
  const bias = blobs.beta ?? (blobs.gamma !== null ? new Float32Array(blobs.channels) : null);
  return {
    state: { runningMean: stats.mean, runningVar: stats.variance, weight: blobs.gamma, bias, scaleFactor: s, numBatchesTracked: updates ?? 0 },
    notes,
  };
}

/** One block with its weights attached (or `weights: null` and diagnostics). */
function attachBlock(block: ConvertBlock, ctx: Context): { block: ConvertBlock; state: BlockState | null; diagnostics: Diagnostic[] } {
  if (block.caffe.fork !== undefined || block.caffe.type !== "BatchNorm") {
    const family = block.caffe.fork?.family ?? block.caffe.type;
    const d = diagnostic("weights-fork-unsupported", "warning", blockSpecs(block, ctx)[0]!.range, { layer: block.batchnorm, family });
    return { block: { ...block, weights: null }, state: null, diagnostics: [d] };
  }
  const { blobs, diagnostics } = readBlockBlobs(blockSpecs(block, ctx), ctx.model, ctx.sources, block.torch.num_features);
  if (blobs === null) return { block: { ...block, weights: null }, state: null, diagnostics };
  const { state, notes } = blockState(block, blobs, ctx.exact);
  const torch = { ...block.torch };
  let kept = block.notes;
  if (torch.num_features === null) {
    torch.num_features = blobs.channels;
    kept = kept.filter((n) => n.code !== "channels-unknown");
    notes.unshift(note("weights-num-features", { num_features: blobs.channels }));
  }
  const mean = range(state.runningMean);
  const variance = range(state.runningVar);
  const weights = {
    scale_factor: state.scaleFactor,
    mean_min: mean?.min ?? null,
    mean_max: mean?.max ?? null,
    var_min: variance?.min ?? null,
    var_max: variance?.max ?? null,
    num_batches_tracked: estimateUpdates(state.scaleFactor, block.caffe.moving_average_fraction),
  };
  // With Caffe's scale factor loaded the plain mapping lags for fewer steps: equivalence again.
  return { block: withEquivalence({ ...block, torch, notes: [...kept, ...notes], weights }), state, diagnostics };
}

/** The tensors of one built module, in PyTorch's state_dict names. */
function moduleTensors(block: ConvertBlock, s: BlockState, exact: boolean): [string, SafetensorsTensor][] {
  const out: [string, SafetensorsTensor][] = [];
  const c = s.runningMean.length;
  if (block.torch.affine) {
    out.push(["weight", { dtype: "F32", shape: [c], data: s.weight ?? new Float32Array(c).fill(1) }]);
    out.push(["bias", { dtype: "F32", shape: [c], data: s.bias ?? new Float32Array(c) }]);
  }
  // track_running_stats=False modules (batch-stats) have no running buffers at all.
  if (block.torch.track_running_stats) {
    out.push(["running_mean", { dtype: "F32", shape: [c], data: s.runningMean }]);
    out.push(["running_var", { dtype: "F32", shape: [c], data: s.runningVar }]);
    out.push(["num_batches_tracked", { dtype: "I64", shape: [], data: BigInt64Array.of(BigInt(s.numBatchesTracked)) }]);
  }
  // The --exact modules' buffer: float32, shape (1,), as Caffe's blobs_[2].
  if (exact) out.push(["caffe_scale_factor", { dtype: "F32", shape: [1], data: Float32Array.of(s.scaleFactor) }]);
  return out;
}

/**
 * Joins a caffemodel's trained values to `outcome` (from convertNetDetailed). Never throws on user
 * input: an unreadable file, a missing layer, a wrong blob count or shape are error diagnostics
 * (codes `weights-*` or the decoder's) with the layer and both shapes in their data.
 */
export function attachWeights(
  outcome: Pick<ConvertOutcome, "result" | "analysis">,
  read: { sourceMap: SourceMap; lines: LineIndex },
  caffemodel: Uint8Array,
  options: AttachWeightsOptions,
): AttachedWeights {
  const exact = options.exact === true;
  const model = readCaffemodel(caffemodel);
  const diagnostics: Diagnostic[] = [...model.diagnostics];
  const netLayers = new Map<string, NetLayer>();
  for (const layer of outcome.analysis.model.layers) if (!netLayers.has(layer.name)) netLayers.set(layer.name, layer);
  const sources = new Map<string, WeightLayer>();
  const unused = new Set<string>();
  for (const layer of model.layers) {
    if (netLayers.has(layer.name)) sources.set(layer.name, layer);
    else unused.add(layer.name);
  }
  if (unused.size > 0) diagnostics.push(diagnostic("weights-unused-layers", "info", undefined, { count: unused.size, layers: [...unused].join(", ") }));

  const ctx: Context = { model, sources, netLayers, sourceMap: read.sourceMap, exact };
  const readable = !hasErrors(model.diagnostics);
  const attached = outcome.result.blocks.map((block) =>
    readable ? attachBlock(block, ctx) : { block: { ...block, weights: null }, state: null, diagnostics: [] },
  );
  for (const a of attached) diagnostics.push(...a.diagnostics);

  const render = (d: Diagnostic): JsonDiagnostic => {
    const position = d.range ? read.lines.position(d.range.offset) : null;
    const message = weightsMessage(d.code, d.data) ?? options.messageOf?.(d) ?? `${d.code} ${JSON.stringify(d.data)}`;
    return { code: d.code, severity: d.severity, message, line: position?.line ?? null, column: position?.column ?? null };
  };
  const result: ConvertResult = {
    ...outcome.result,
    blocks: attached.map((a) => a.block),
    diagnostics: [...outcome.result.diagnostics, ...diagnostics.map(render)],
    weights: { source: options.source, format: model.format, unused_layers: [...unused] },
  };

  const state: WeightsState = new Map();
  const without: string[] = [];
  if (!hasErrors(diagnostics)) {
    for (const plan of planModules(result)) {
      if (plan.skipReason !== null) continue;
      const blockState = attached[plan.index]!.state;
      if (blockState === null) {
        without.push(plan.key);
        continue;
      }
      for (const [name, tensor] of moduleTensors(plan.block, blockState, exact)) state.set(`${plan.key}.${name}`, tensor);
    }
  }
  const metadata: Record<string, string> = {
    format: "pt",
    generator: "caffe2torch",
    source: outcome.result.source,
    weights: options.source,
    phase: outcome.result.phase,
    exact: String(exact),
    modules_without_weights: JSON.stringify(without),
  };
  if (outcome.result.net !== null) metadata["net"] = outcome.result.net;
  return { result, state, metadata, diagnostics };
}
