import type { Diagnostic } from "./diagnostic.js";

type Data = Diagnostic["data"];
const q = (v: unknown): string => `"${String(v)}"`;

/**
 * English renderings of diagnostic codes. Wording follows protoc's where protoc has a message
 * for the same condition, so users can search for either. Only formatters call this.
 */
const MESSAGES: Record<string, (d: Data) => string> = {
  "unexpected-token": (d) => `Expected ${q(d["expected"])}, found ${q(d["found"])}.`,
  "unclosed-message": (d) => `Unexpected end of input: this block is never closed (expected ${q(d["expected"])}).`,
  "unsupported-extension": () => "Extension and Any fields ([name]) are not part of Caffe's schema.",
  "expected-field-name": (d) => `Expected identifier, got: ${d["found"]}`,
  "expected-colon": (d) => `Expected ":", found ${q(d["found"])} (field ${q(d["field"])}).`,
  "expected-value": (d) => `Expected a value for field ${q(d["field"])}, found ${q(d["found"])}.`,
  "invalid-number": (d) =>
    ({
      octal: "Numbers starting with leading zero must be in octal.",
      "hex-digits": '"0x" must be followed by hex digits.',
      exponent: '"e" must be followed by exponent.',
      trailing: "Need space between number and identifier.",
      "extra-point": "Already saw decimal point or exponent; can't have another one.",
      "integer-fraction": "Hex and octal numbers must be integers.",
    })[String(d["reason"])] ?? "Invalid number.",
  "unterminated-string": () => "String literals cannot cross line boundaries.",
  "invalid-escape": () => "Invalid escape sequence in string literal.",
  "unknown-field": (d) =>
    (d["field"] === undefined && d["fieldNumber"] !== undefined
      ? `Message type ${q(d["message"])} has no field number ${d["fieldNumber"]} (${d["wireType"]}); it is skipped.`
      : `Message type ${q(d["message"])} has no field named ${q(d["field"])}.`) +
    (d["fork"] ? ` It comes from ${d["fork"]}.` : "") +
    (d["suggestion"] ? ` Did you mean ${q(d["suggestion"])}?` : ""),
  "unknown-enum-value": (d) =>
    `Unknown enumeration value of ${q(d["value"])} for field ${q(d["field"])}.` +
    (d["fork"] ? ` It comes from ${d["fork"]}.` : "") +
    (d["suggestion"] ? ` Did you mean ${q(d["suggestion"])}?` : ""),
  "duplicate-field": (d) => `Non-repeated field ${q(d["field"])} is specified multiple times.`,
  "expected-integer": (d) => `Expected integer, got: ${d["found"]}`,
  "integer-out-of-range": (d) => `Integer out of range (${d["value"]})`,
  "expected-decimal": (d) => `Expect a decimal number, got: ${d["found"]}`,
  "expected-double": (d) => `Expected double, got: ${d["found"]}`,
  "invalid-bool": (d) => `Invalid value for boolean field ${q(d["field"])}. Value: ${q(d["value"])}.`,
  "expected-string": (d) => `Expected string, got: ${d["found"]}`,
  "expected-identifier": (d) => `Expected identifier, got: ${d["found"]}`,
  "expected-message": (d) => `Expected "{", found ${q(d["found"])}.`,
  "expected-scalar": (d) => `Field ${q(d["field"])} holds a value, not a message: expected ":" and a value, found "{".`,
  "list-for-singular-field": (d) => `Field ${q(d["field"])} is not repeated: a [ … ] list is not allowed here.`,
  "float-out-of-range": (d) => `Value ${d["value"]} does not fit in a float; it is stored as infinity (as protoc does).`,
  "nesting-too-deep": (d) =>
    `Messages nest more than ${d["maxDepth"]} levels deep here; the rest of this block is skipped (the limit is protobuf's binary recursion limit, and Caffe's schema nests a few levels at most).`,
  "invalid-utf8": () => "Invalid UTF-8 in a string literal (Caffe's string fields hold UTF-8 text; write other bytes as \\ooo or \\xhh escapes).",
  "nul-in-comment": () => "Invalid control characters encountered in text: a NUL character in a comment (protoc and Caffe stop there and refuse the file).",
  "nul-in-string": () => "Unexpected end of string: a NUL character cannot stand in a string literal (write it as \\0).",
  "truncated-message": (d) =>
    d["what"] === "group" ? "The input ends inside a group: the file is truncated." :
    d["what"] === "length" ? `A length prefix points past the end of its message (${d["length"] === -1 ? "a length beyond 2^32" : `${d["length"]} bytes`}): the file is truncated or corrupt.` :
    "The input ends in the middle of a field: the file is truncated or corrupt.",
  "malformed-varint": () => "A varint runs past ten bytes: the file is corrupt or not a protobuf message.",
  "invalid-wire-type": (d) => `Invalid wire type ${d["wireType"]} for field number ${d["fieldNumber"]}: the file is corrupt or not a protobuf message.`,
  "invalid-field-number": () => "Field number 0 is invalid: the file is corrupt or not a protobuf message.",
  "unexpected-end-group": (d) => `An end-group tag (field number ${d["fieldNumber"]}) matches no open group: the file is corrupt or not a protobuf message.`,
  "invalid-packed-length": (d) => `The packed run of ${q(d["field"])} holds ${d["length"]} bytes, not a whole number of values: the file is corrupt.`,
  "upgraded-format": (d) => `Read ${d["layers"]} layers in the legacy ${d["from"]} format and upgraded them in memory.`,
  "mixed-layer-formats": () =>
    "This file mixes `layer` and legacy `layers`: Caffe's upgrade keeps one kind and silently drops the other. Nothing was upgraded.",
};

/** The English message for a diagnostic. Unknown codes render their data, never nothing. */
export function renderMessage(d: Diagnostic): string {
  const render = MESSAGES[d.code];
  if (render) return render(d.data);
  const details = Object.entries(d.data)
    .filter(([k, v]) => v !== null && k !== "protoc_offset")
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");
  return details ? `${d.code} (${details})` : d.code;
}

/** Registers more renderings (modules below the CLI add their codes without importing the CLI). */
export function registerMessages(more: Record<string, (d: Data) => string>): void {
  for (const [code, render] of Object.entries(more)) {
    if (Object.hasOwn(MESSAGES, code)) throw new Error(`diagnostic code ${code} registered twice`);
    MESSAGES[code] = render;
  }
}
