/**
 * Whether text that failed to parse as a prototxt is really a binary file: a `.caffemodel` (or
 * any `protoc --encode` output) passed where a prototxt is expected, or other binary data. Such
 * a file makes the text parser report hundreds of errors about bytes nobody meant as text; one
 * finding that says what the file is serves the user better.
 *
 * Only asked about text with errors, so a prototxt that parses is never called binary.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { encodeSourceText } from "../textproto/source-text.js";
import { decodeMessage } from "./decode.js";
import { loadCaffeSchema } from "./load.js";

/** How much of the file the control-byte count looks at (as `file` and git look at the start). */
const SAMPLE_BYTES = 1024;

/**
 * Control bytes (C0 other than tab, LF, VT, FF and CR; NUL included) in the sample from which
 * the file counts as binary. A prototxt holds none; a stray NUL or two in a comment or string is
 * a typo the parser points at by line and column, so a few are left to it. Invalid UTF-8 alone is
 * not counted: prototxts with comments in GBK or Latin-1 are common, and their syntax errors
 * deserve their positions. Every caffemodel has many: field tags and short lengths are below 0x20,
 * and float data is full of zero bytes.
 */
const BINARY_CONTROL_BYTES = 4;

/** The code of the one diagnostic a binary input gets (rendered by diagnostics/messages.ts). */
export const BINARY_INPUT_CODE = "binary-input";

/**
 * The control bytes among the first {@link SAMPLE_BYTES} of the text. Counted on the decoded text:
 * a control byte decodes to the same code unit, and a byte that was not UTF-8 to an escape unit
 * (≥ U+DC80) that is never counted, so the whole file need not be encoded back for a text that has
 * none (a large prototxt with a typo).
 */
function controlBytes(text: string): number {
  let n = 0;
  const end = Math.min(text.length, SAMPLE_BYTES);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && (c < 0x09 || c > 0x0d)) n++;
  }
  return n;
}

/**
 * The one diagnostic for `text` when its bytes are binary, else null. Data: `kind` is
 * `net-parameter` when the whole file decodes as caffe.NetParameter without a fault or an unknown
 * field (then `layers` counts its layers, V1 `layers` included), else `binary`.
 */
export function binaryInput(text: string): Diagnostic | null {
  const controls = controlBytes(text);
  if (controls === 0) return null;
  // The bytes as read: decodeSourceText keeps every byte, and encodeSourceText gives them back.
  const bytes = encodeSourceText(text);
  const decoded = decodeMessage(loadCaffeSchema().message("caffe.NetParameter"), bytes);
  if (decoded.diagnostics.length === 0 && bytes.length > 0) {
    const net = decoded.message;
    const layers = (Array.isArray(net["layer"]) ? net["layer"].length : 0) + (Array.isArray(net["layers"]) ? net["layers"].length : 0);
    return diagnostic(BINARY_INPUT_CODE, "error", undefined, { kind: "net-parameter", layers, bytes: bytes.length });
  }
  if (controls < BINARY_CONTROL_BYTES) return null;
  return diagnostic(BINARY_INPUT_CODE, "error", undefined, { kind: "binary", bytes: bytes.length });
}

/**
 * `diagnostics` with a binary input's many parse errors replaced by its one diagnostic; the list
 * itself when it has no error or the text is not binary.
 */
export function withBinaryInput(text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  if (!diagnostics.some((d) => d.severity === "error")) return diagnostics;
  const binary = binaryInput(text);
  return binary === null ? diagnostics : [binary];
}
