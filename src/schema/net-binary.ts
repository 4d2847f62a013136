import type { CodeUnits } from "../textproto/chars.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import type { BoundMessage } from "./bind.js";
import { decodeMessage } from "./decode.js";
import { encodeMessage } from "./encode.js";
import { encodeText } from "./encode-sink.js";
import { loadCaffeSchema } from "./load.js";
import { readNet, type ReadOptions } from "./read.js";
import { withBinaryInput } from "./binary-input.js";

/**
 * prototxt text → caffe.NetParameter bytes (protoc-identical). Returns the bytes, or null with
 * the diagnostics that prevented encoding. `codes`: the text's code units when the caller has
 * them already (textproto/chars.ts codeUnits; e.g. a file's own bytes, see source-text.ts).
 */
export function encodeNet(text: string, options: ReadOptions = {}, codes?: CodeUnits): { bytes: Uint8Array | null; diagnostics: Diagnostic[] } {
  const net = loadCaffeSchema().message("caffe.NetParameter");
  // Without an upgrade nothing needs the net as objects: write the bytes while parsing.
  if (!options.upgrade) {
    const encoded = encodeText(text, net, { allowUnknown: options.allowUnknown ?? false }, codes);
    return encoded.bytes ? encoded : { bytes: null, diagnostics: withBinaryInput(text, encoded.diagnostics) };
  }
  const read = readNet(text, { ...options, locations: false });
  if (hasErrors(read.diagnostics)) return { bytes: null, diagnostics: read.diagnostics };
  if (options.upgrade && read.format !== "current") delete read.net["layers"];
  return { bytes: encodeMessage(net, read.net), diagnostics: read.diagnostics };
}

/** caffe.NetParameter bytes (e.g. a .caffemodel) → bound message; packed blob data stays as typed-array views. */
export function decodeNet(bytes: Uint8Array): { net: BoundMessage; diagnostics: Diagnostic[] } {
  const { message, diagnostics } = decodeMessage(loadCaffeSchema().message("caffe.NetParameter"), bytes);
  return { net: message as BoundMessage, diagnostics: diagnostics ?? [] };
}
