/**
 * `--layer NAME`: the blocks whose BatchNorm, Scale or Bias layer is called NAME, or why none is.
 * Pure.
 */
import type { ConvertBlock } from "../convert/types.js";
import { didYouMean } from "../schema/suggest.js";

/** No block has a layer of that name. */
export interface UnknownLayer {
  code: "unknown-layer";
  name: string;
  phase: "TEST" | "TRAIN";
  /** Names of every BatchNorm-type layer in the phase, in file order. */
  batchnorms: string[];
  /** A close BatchNorm, Scale or Bias name, when the name looks like a typo of it. */
  suggestion: string | null;
}

/** The blocks `--layer NAME` selects (exact, case-sensitive names, as Caffe's are). */
export function selectBlocks(blocks: readonly ConvertBlock[], name: string, phase: "TEST" | "TRAIN"): ConvertBlock[] | UnknownLayer {
  const chosen = blocks.filter((b) => b.batchnorm === name || b.scale === name || b.bias === name);
  if (chosen.length > 0) return chosen;
  const candidates = blocks.flatMap((b) => [b.batchnorm, b.scale, b.bias]).filter((n): n is string => n !== null);
  return { code: "unknown-layer", name, phase, batchnorms: blocks.map((b) => b.batchnorm), suggestion: didYouMean(name, candidates) ?? null };
}

/** Whether a selection failed. */
export function isUnknownLayer(x: ConvertBlock[] | UnknownLayer): x is UnknownLayer {
  return !Array.isArray(x);
}
