/**
 * The input shape each block is verified on: the shape `convert` inferred with the batch dimension
 * replaced by `--batch`, or — where inference left dims unknown (a Data layer reading a database, a
 * layer type without a shape rule) — the dims `--input-shape` supplies.
 */
import type { ConvertBlock, ConvertResult } from "../convert/types.js";
import { torchModuleForRank } from "../numeric/torch-batch-norm.js";
import type { VerifyReasonCode } from "./types.js";

/** Where a block's shape came from. */
export type ShapeSource = "inferred" | "input-shape";

/** A block's shape, or why it cannot be verified. */
export type BlockShape =
  | { readonly kind: "shape"; readonly shape: number[]; readonly source: ShapeSource }
  | { readonly kind: "skip"; readonly reason: VerifyReasonCode }
  /** The shape is not fully known and `--input-shape` was not given (or does not fit). */
  | { readonly kind: "unknown"; readonly dims: (number | null)[] | null; readonly conflict: string | null };

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

function withBatch(dims: readonly number[], batch: number): number[] {
  return dims.map((d, axis) => (axis === 0 ? batch : d));
}

/**
 * The shape of one block. Known dims always win over `--input-shape` (in particular the channel count,
 * which the emitted module is built with — inferred, or from the caffemodel's blobs with `--weights`);
 * the batch dimension is always `batch`. A rank outside 2…5
 * is skipped, as no BatchNorm*d takes it.
 */
export function blockShape(block: ConvertBlock, batch: number, inputShape: readonly number[] | null): BlockShape {
  const fork = forkSkip(block);
  if (fork !== null) return { kind: "skip", reason: fork };
  let shape: number[];
  let source: ShapeSource = "inferred";
  if (block.input_shape !== null) {
    shape = withBatch(block.input_shape, batch);
  } else {
    const dims = block.input_dims ?? null;
    if (inputShape === null) return { kind: "unknown", dims, conflict: null };
    if (dims !== null && dims.length !== inputShape.length) {
      return { kind: "unknown", dims, conflict: `rank ${dims.length}, --input-shape has rank ${inputShape.length}` };
    }
    // The channel count convert knows without the shape (from a caffemodel's blobs) is known too.
    const channels = block.torch.num_features;
    shape = withBatch(
      inputShape.map((d, axis) => dims?.[axis] ?? (axis === 1 ? channels : null) ?? d),
      batch,
    );
    source = "input-shape";
  }
  if (shape.length < 2 || shape.length > 5) return { kind: "skip", reason: "rank-unsupported" };
  if (shape.reduce((n, d) => n * d, 1) > MAX_VERIFY_VALUES) return { kind: "skip", reason: "too-large" };
  return { kind: "shape", shape, source };
}

/** `[N, C, ?, ?]`-style text of partly known dims ("?" for unknown; "rank unknown" when even that is). */
export function describeDims(dims: readonly (number | null)[] | null): string {
  return dims === null ? "rank unknown" : `[${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

/**
 * The result with `--input-shape`'s rank taken for blocks whose rank is unknown: their module class
 * (BatchNorm1d/2d/3d) is set as that rank takes it, which is what verify runs them as anyway. Used
 * before attaching `--weights`, so that those blocks get a module — and so the converted state — with
 * num_features from the caffemodel's blobs. Blocks of known rank and forks are left as they are.
 */
export function assumeInputRank(result: ConvertResult, inputShape: readonly number[] | null): ConvertResult {
  if (inputShape === null) return result;
  const module = torchModuleForRank(inputShape.length);
  if (module === null) return result;
  const blocks = result.blocks.map((block) => {
    const rankUnknown = block.input_shape === null && (block.input_dims ?? null) === null;
    if (!rankUnknown || block.torch.module !== null || forkSkip(block) !== null) return block;
    return { ...block, torch: { ...block.torch, module } };
  });
  return { ...result, blocks };
}
