import { readNet } from "../../src/schema/read.js";
import { convertNet } from "../../src/convert/convert.js";
import type { ConvertBlock, ConvertResult } from "../../src/convert/types.js";

/** What a fixture pins for one block: names, pairing, torch config, mode, exactness, note codes. */
export interface BlockExpectation {
  batchnorm: string;
  scale: string | null;
  bias: string | null;
  input: string;
  output: string;
  input_dims: (number | null)[] | null;
  caffe: Record<string, unknown>;
  torch: Record<string, unknown>;
  exact: boolean;
  equivalence: ConvertBlock["equivalence"];
  notes: string[];
}

/** What a fixture pins for one phase. */
export interface PhaseExpectation {
  blocks: BlockExpectation[];
  unpaired: { batchnorm: string; code: string }[];
  /** Codes of error diagnostics (warnings are the reader's business). */
  errors: string[];
}

/** Reads and converts `text` in `phase` as the CLI does (lenient, upgraded). */
export function convertText(text: string, phase: "TEST" | "TRAIN", source = "fixture", exact = false): ConvertResult {
  const read = readNet(text, { upgrade: true, allowUnknown: true });
  return convertNet(read, { phase, source, exact });
}

/** The parts of a result a fixture pins. */
export function summarise(result: ConvertResult): PhaseExpectation {
  return {
    blocks: result.blocks.map((b) => ({
      batchnorm: b.batchnorm,
      scale: b.scale,
      bias: b.bias,
      input: b.input,
      output: b.output,
      input_dims: b.input_shape ?? b.input_dims ?? null,
      caffe: { ...b.caffe },
      torch: { ...b.torch },
      exact: b.exact,
      equivalence: b.equivalence,
      notes: b.notes.map((n) => n.code),
    })),
    unpaired: result.unpaired.map((u) => ({ batchnorm: u.batchnorm, code: u.code })),
    errors: result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code),
  };
}
