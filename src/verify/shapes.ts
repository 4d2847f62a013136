/**
 * The input shape each block is verified on: the shape `convert` inferred — from the net's own
 * declarations, or from `--input-shape` given for its input blobs — with the batch dimension set by
 * `--batch` (or kept as `--input-shape` gave it). A block whose channel or spatial dims are unknown
 * (a Data layer reading a database, a layer without a shape rule upstream) cannot be verified.
 */
import type { ConvertBlock } from "../convert/types.js";
import type { VerifyReasonCode } from "./types.js";

/** Where a block's shape came from: the net's declarations, or `--input-shape`. */
export type ShapeSource = "inferred" | "input-shape";

/** A block's shape, or why it cannot be verified. */
export type BlockShape =
  | { readonly kind: "shape"; readonly shape: number[]; readonly source: ShapeSource }
  | { readonly kind: "skip"; readonly reason: VerifyReasonCode }
  /** Some dim besides the batch is unknown: what is known (null: even the rank). */
  | { readonly kind: "unknown"; readonly dims: (number | null)[] | null };

/**
 * Whether our executors implement the block's layer: BVLC's BatchNorm (with Scale/Bias). The forks'
 * `BN` layers and NVIDIA Caffe's BatchNorm compute differently (src/convert/converters/fork-bn.ts).
 */
export function forkSkip(block: ConvertBlock): VerifyReasonCode | null {
  return block.caffe.type !== "BatchNorm" || block.caffe.fork !== undefined ? "fork-semantics" : null;
}

/**
 * The most values a block's input may hold: 2^24 (64 MiB of float32 per tensor, ten times
 * ResNet-50's largest BatchNorm input at batch 2). A prototxt may declare any shape; the
 * executors hold several tensors of it, so a bound keeps a hostile file from exhausting memory.
 */
export const MAX_VERIFY_VALUES = 2 ** 24;

/** How a block's batch dimension is set. */
export interface BatchChoice {
  /** The batch every block gets, or (with `keep`) every block whose inferred batch is unknown. */
  readonly batch: number;
  /** Blocks keep the batch their inferred shape gives (`--input-shape` without `--batch`). */
  readonly keep?: boolean;
  /** Reported as the shape's source. */
  readonly source?: ShapeSource;
}

/**
 * The shape of one block: its inferred dims with the batch set as `choice` says. Every other dim must
 * be known; the channel count convert took from a caffemodel's blobs (`--weights`) counts as known,
 * since the emitted module is built with it. A rank outside 2…5 is skipped, as no BatchNorm*d takes it.
 */
export function blockShape(block: ConvertBlock, choice: BatchChoice): BlockShape {
  const fork = forkSkip(block);
  if (fork !== null) return { kind: "skip", reason: fork };
  const known = block.input_shape ?? block.input_dims ?? null;
  const dims = known?.map((d, axis) => (axis === 1 ? d ?? block.torch.num_features : d)) ?? null;
  if (dims === null || dims.slice(1).some((d) => d === null)) return { kind: "unknown", dims: block.input_dims ?? null };
  const shape = dims.map((d, axis) => (axis === 0 ? (choice.keep && d !== null ? d : choice.batch) : d!));
  if (shape.length < 2 || shape.length > 5) return { kind: "skip", reason: "rank-unsupported" };
  if (shape.reduce((n, d) => n * d, 1) > MAX_VERIFY_VALUES) return { kind: "skip", reason: "too-large" };
  return { kind: "shape", shape, source: choice.source ?? "inferred" };
}

/** `[N, C, ?, ?]`-style text of partly known dims ("?" for unknown; "rank unknown" when even that is). */
export function describeDims(dims: readonly (number | null)[] | null): string {
  return dims === null ? "rank unknown" : `[${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}
