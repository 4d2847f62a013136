import { layerPosition, shapeFields, type BlockContext, type BlockOutcome, type Notes } from "../context.js";
import type { CaffeBlockConfig, TorchBlockConfig } from "../types.js";

/** The parts of a fork block that differ between forks. */
export interface ForkParts {
  caffe: CaffeBlockConfig;
  torch: TorchBlockConfig;
  exact: boolean;
  notes: Notes;
}

/** Assembles the block of a fork layer that holds its own gamma/beta (never paired, never "unpaired"). */
export function forkBlock(ctx: BlockContext, parts: ForkParts): BlockOutcome {
  const { line, column } = layerPosition(ctx.bn, ctx.sourceMap, ctx.lines);
  return {
    block: {
      batchnorm: ctx.bn.name,
      scale: null,
      bias: null,
      input: ctx.input,
      output: ctx.output,
      ...shapeFields(ctx.inputShape),
      caffe: parts.caffe,
      torch: parts.torch,
      exact: parts.exact,
      notes: parts.notes.list,
      line,
      column,
    },
    diagnostics: [],
  };
}
