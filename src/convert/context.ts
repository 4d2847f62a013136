import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { LineIndex } from "../diagnostics/range.js";
import type { BnPairing } from "../caffe/pairing.js";
import type { NetLayer } from "../caffe/net.js";
import type { Shape } from "../caffe/shape-util.js";
import type { ParamSpec, Phase } from "../schema/caffe-types.js";
import type { SourceMap } from "../schema/locations.js";
import { noteMessage, type NoteData } from "./notes.js";
import type { BlockNote, ConvertBlock, TorchBlockConfig, UnpairedEntry } from "./types.js";

/** Everything a converter needs to map one BatchNorm-type layer. */
export interface BlockContext {
  phase: Phase;
  /** The caller asked for modules that reproduce Caffe's running statistics exactly (--exact). */
  exact: boolean;
  pairing: BnPairing;
  bn: NetLayer;
  scale: NetLayer | null;
  bias: NetLayer | null;
  input: string;
  output: string;
  inputShape: Shape;
  sourceMap: SourceMap;
  lines: LineIndex;
}

/** What a converter returns for one layer. */
export interface BlockOutcome {
  /** The block; convert.ts derives its `equivalence` from the rest (equivalence.ts), once for every converter. */
  block: Omit<ConvertBlock, "equivalence">;
  unpaired?: UnpairedEntry;
  diagnostics: Diagnostic[];
}

/** A converter for one Caffe layer type. */
export interface BlockConverter {
  /** The Caffe layer type string it handles (unique in a registry). */
  layerType: string;
  convert(ctx: BlockContext): BlockOutcome;
}

/** Collects notes in order, rendering their English text. */
export class Notes {
  readonly list: BlockNote[] = [];
  add(code: string, data: NoteData = {}): void {
    this.list.push({ code, message: noteMessage(code, data) });
  }
}

/** lr_mult of a param block as written (null when the block has none); Caffe's default is 1. */
export const writtenLrMult = (p: ParamSpec | undefined): number | null => (p?.lr_mult === undefined ? null : p.lr_mult);

/** lr_mult in force for param block `i`: a missing block or a missing lr_mult means 1 (ParamSpec's default). */
export const lrMultInForce = (params: ParamSpec[] | undefined, i: number): number => params?.[i]?.lr_mult ?? 1;

/**
 * The PyTorch module for an input shape, as the BatchNormNd classes take it: BatchNorm1d for (N, C)
 * and (N, C, L), BatchNorm2d for (N, C, H, W), BatchNorm3d for (N, C, D, H, W). Channels are axis 1.
 */
export function moduleForShape(shape: Shape, notes: Notes): Pick<TorchBlockConfig, "module" | "num_features"> {
  if (shape === null) {
    notes.add("rank-unknown");
    return { module: null, num_features: null };
  }
  const rank = shape.length;
  const module = rank === 2 || rank === 3 ? "BatchNorm1d" : rank === 4 ? "BatchNorm2d" : rank === 5 ? "BatchNorm3d" : null;
  if (module === null) notes.add("rank-unsupported", { rank });
  const channels = rank >= 2 ? shape[1] ?? null : null;
  if (module !== null && channels === null) notes.add("channels-unknown");
  return { module, num_features: module === null ? null : channels };
}

/** 1-based line and column of a layer's `layer` token (0, 0 when it has no source location). */
export function layerPosition(layer: NetLayer, sourceMap: SourceMap, lines: LineIndex): { line: number; column: number } {
  const range = layer.synthetic ? undefined : sourceMap.rangeOf(layer.param);
  return range ? lines.position(range.offset) : { line: 0, column: 0 };
}

/** The shape fields of a block: the full shape when every dim is known, else what is known. */
export function shapeFields(shape: Shape): Pick<ConvertBlock, "input_shape" | "input_dims"> {
  const complete = shape !== null && shape.every((d) => d !== null);
  return complete ? { input_shape: shape as number[] } : { input_shape: null, input_dims: shape === null ? null : [...shape] };
}
