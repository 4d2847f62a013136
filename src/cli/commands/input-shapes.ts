import type { TorchInput } from "../../convert/torch-graph.js";
import { CliError } from "../io-types.js";

/** One `--input-shape [blob=]dims`: the blob (null: the net's first input) and its dims. */
export interface InputShapeOption {
  blob: string | null;
  dims: number[];
}

/** `[blob=]N,C,H,W` (commas or "x"): 1 to 5 positive integers, optionally for a named blob. */
export function parseExportInputShape(value: string): InputShapeOption {
  const eq = value.lastIndexOf("=");
  const blob = eq >= 0 ? value.slice(0, eq) : null;
  const text = eq >= 0 ? value.slice(eq + 1) : value;
  const dims = text.split(/[,x\u00d7]/).map((d) => d.trim());
  const numbers = dims.map(Number);
  if (blob === "" || dims.length > 5 || !dims.every((d) => d !== "") || !numbers.every((d) => Number.isInteger(d) && d > 0)) {
    throw new CliError(`--input-shape must be [blob=] and 1 to 5 positive integers such as data=64,3,32,32 (got "${value}")`);
  }
  return { blob, dims: numbers };
}

const describe = (shape: readonly (number | null)[] | null): string => (shape === null ? "unknown" : shape.map((d) => (d === null ? "?" : String(d))).join(","));

/**
 * The shapes by blob: an unnamed one is the net's first input. Every blob must be an input of
 * the net, once.
 */
export function resolveInputShapes(options: readonly InputShapeOption[], inputs: readonly TorchInput[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const o of options) {
    const blob = o.blob ?? inputs[0]?.blob;
    if (blob === undefined) throw new CliError("--input-shape: the net has no inputs");
    if (!inputs.some((i) => i.blob === blob)) {
      throw new CliError(`--input-shape: "${blob}" is not an input of the net (inputs: ${inputs.map((i) => i.blob).join(", ")})`);
    }
    if (out.has(blob)) throw new CliError(`--input-shape: "${blob}" is given twice`);
    out.set(blob, o.dims);
  }
  return out;
}

/**
 * Refuses a given shape that disagrees with the dims the net itself fixes (its rank, or a known
 * dim such as a crop_size): the net's own dims would win, so the option would be silently lost.
 */
export function checkInputShapes(given: ReadonlyMap<string, number[]>, before: readonly TorchInput[]): void {
  for (const [blob, dims] of given) {
    const shape = before.find((i) => i.blob === blob)?.shape ?? null;
    if (shape === null) continue;
    const clash = shape.length !== dims.length || shape.some((d, i) => d !== null && d !== dims[i]);
    if (clash) throw new CliError(`--input-shape ${blob}=${dims.join(",")} disagrees with the shape the net gives it: ${describe(shape)}`);
  }
}
