import type { InputShape } from "../../caffe/input-shapes.js";
import { INPUT_SHAPE_CODES } from "../../caffe/input-shapes.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { visible } from "../../diagnostics/visible.js";
import { messageOf } from "../../render/messages.js";
import { CliError } from "../io-types.js";

/** Caffe's kMaxBlobAxes: no blob has more axes. */
const MAX_AXES = 32;

/** The option's help, shared by the commands that take it. */
export const INPUT_SHAPE_HELP =
  "shape of the net's input blob, N,C,H,W (the single input or first data blob), or BLOB=N,C,H,W; repeatable; replaces what the data layers declare and is propagated through the net";

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `--input-shape` values: `DIMS` or `BLOB=DIMS`, DIMS being 1 to 32 positive integers separated by
 * commas or "x". The name is everything before the last "=" (a blob name may hold one; dims never do).
 */
export function parseInputShapes(values: string | readonly string[] | undefined): InputShape[] {
  const list = values === undefined ? [] : typeof values === "string" ? [values] : values;
  return list.map((value) => {
    const eq = value.lastIndexOf("=");
    const blob = eq < 0 ? null : value.slice(0, eq);
    const text = value.slice(eq + 1);
    const parts = text.split(/[,x\u00d7]/).map((d) => d.trim());
    const dims = parts.map((d) => (/^\d+$/.test(d) ? Number(d) : NaN));
    if (parts.length > MAX_AXES || !dims.every((d) => Number.isSafeInteger(d) && d > 0)) {
      throw new CliError(`--input-shape must be [BLOB=]DIMS, DIMS being 1 to ${MAX_AXES} positive integers such as 2,3,32,32 (got "${visible(value)}")`);
    }
    return { blob, dims };
  });
}

/**
 * Throws the first error about the given input shapes (an unknown blob, a rank a layer refuses) as a
 * one-line usage error (exit 2); these say what is wrong with the option, not with the file.
 */
export function throwInputShapeError(diagnostics: readonly Diagnostic[]): void {
  const error = diagnostics.find((d) => d.severity === "error" && INPUT_SHAPE_CODES.has(d.code));
  if (error) throw new CliError(visible(messageOf(error)));
}

/** The warnings about the given input shapes (a shape an Input layer declares otherwise). */
export function inputShapeWarnings(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "warning" && INPUT_SHAPE_CODES.has(d.code));
}
