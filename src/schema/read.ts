import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { LineIndex } from "../diagnostics/range.js";
import type { Comment } from "../textproto/tree.js";
import { bindText, type BoundMessage } from "./bind.js";
import { withBinaryInput } from "./binary-input.js";
import { loadCaffeSchema } from "./load.js";
import type { SourceMap } from "./locations.js";
import { upgradeNet } from "./upgrade.js";

/** Options for reading a Caffe net definition. */
export interface ReadOptions {
  /** Unknown fields/enum values become warnings and are kept aside (lenient mode). Default false. */
  allowUnknown?: boolean;
  /** Convert V0/V1 layers to the current form in memory, as Caffe's UpgradeNetAsNeeded does. Default false. */
  upgrade?: boolean;
  /** Keep source locations (default true; encoding large files turns it off to save memory). */
  locations?: boolean;
}

/** A Caffe net read from text. */
export interface ReadResult {
  /** caffe.NetParameter as a plain object (see bind.ts for the representation). */
  net: BoundMessage;
  /** Syntax, schema and upgrade findings, in reading order. */
  diagnostics: Diagnostic[];
  sourceMap: SourceMap;
  lines: LineIndex;
  comments: Comment[];
  text: string;
  /** Which legacy format the file used before any upgrade. */
  format: "current" | "V1" | "V0" | "mixed" | "empty";
}

/**
 * Reads prototxt text as caffe.NetParameter. Never throws on user input. Text that does not parse
 * and is binary data gets the one diagnostic `binary-input` instead of its parse errors.
 */
export function readNet(text: string, options: ReadOptions = {}): ReadResult {
  const schema = loadCaffeSchema();
  const bound = bindText(text, schema.message("caffe.NetParameter"), {
    allowUnknown: options.allowUnknown ?? false,
    locations: options.locations ?? true,
  });
  const format = netFormat(bound.message);
  // A binary file (a .caffemodel given as the prototxt) gets one diagnostic, not one per byte run.
  const diagnostics = withBinaryInput(text, bound.diagnostics);
  if (options.upgrade && diagnostics === bound.diagnostics) diagnostics.push(...upgradeNet(bound.message, bound.sourceMap));
  return { net: bound.message, diagnostics, sourceMap: bound.sourceMap, lines: new LineIndex(text), comments: bound.comments, text, format };
}

/** Which layer format a NetParameter uses: `layer` (current), `layers` (V1, or V0 when nested `layer`). */
export function netFormat(net: BoundMessage): ReadResult["format"] {
  const current = Array.isArray(net["layer"]) && (net["layer"] as unknown[]).length > 0;
  const legacy = net["layers"] as BoundMessage[] | undefined;
  const hasLegacy = Array.isArray(legacy) && legacy.length > 0;
  if (current && hasLegacy) return "mixed";
  if (current) return "current";
  if (hasLegacy) return legacy!.some((l) => l["layer"] !== undefined) ? "V0" : "V1";
  return "empty";
}
