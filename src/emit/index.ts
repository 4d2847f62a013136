import type { ConvertResult } from "../convert/types.js";
import { emitJson } from "./json.js";
import { emitMarkdown } from "./markdown.js";
import { emitPython } from "./python.js";

export { emitJson } from "./json.js";
export { emitMarkdown } from "./markdown.js";
export { emitPython } from "./python.js";
export type { JsonEmitOptions } from "./json.js";
export type { PythonEmitOptions } from "./python.js";

/** The `convert --format` values. */
export type EmitFormat = "json" | "python" | "markdown";

/** Options any emitter accepts; each uses the ones that apply to it. */
export interface EmitOptions {
  /** Python only: Caffe-exact running statistics. */
  exact?: boolean;
}

/** A pure function from a conversion result to the text of one format. */
export type Emitter = (result: ConvertResult, options: EmitOptions) => string;

/** Explicit registry of output formats (static imports, no side-effect registration). */
export const EMITTERS: Readonly<Record<EmitFormat, Emitter>> = {
  json: (result) => emitJson(result),
  python: (result, options) => emitPython(result, { exact: options.exact === true }),
  markdown: (result) => emitMarkdown(result),
};

/** True when `name` is a known format. */
export function isEmitFormat(name: string): name is EmitFormat {
  return Object.prototype.hasOwnProperty.call(EMITTERS, name);
}

/** Renders `result` in `format`. */
export function emit(format: EmitFormat, result: ConvertResult, options: EmitOptions = {}): string {
  return EMITTERS[format](result, options);
}
