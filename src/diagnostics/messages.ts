import type { Diagnostic } from "./diagnostic.js";
import { READER_TEMPLATES, readerMessageData } from "./reader-messages.js";
import { renderTemplate } from "./template.js";

type Data = Diagnostic["data"];
const q = (v: unknown): string => `"${String(v)}"`;

/**
 * English renderings of the diagnostic codes that are not reader errors (those are templates in
 * reader-messages.ts). Wording follows protoc's where protoc has a message for the same condition,
 * so users can search for either. Only formatters call this.
 */
const MESSAGES: Record<string, (d: Data) => string> = {
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
  "float-out-of-range": (d) => `Value ${d["value"]} does not fit in a float; it is stored as infinity (as protoc does).`,
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

/**
 * The English message for a diagnostic: reader errors from their templates (reader-messages.ts,
 * shared with lint's `syntax` rule), the rest from the table above. Unknown codes render their
 * data, never nothing.
 */
export function renderMessage(d: Diagnostic): string {
  const template = Object.hasOwn(READER_TEMPLATES, d.code) ? READER_TEMPLATES[d.code] : undefined;
  if (template !== undefined) return renderTemplate(template, readerMessageData(d.code, d.data));
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
    if (Object.hasOwn(MESSAGES, code) || Object.hasOwn(READER_TEMPLATES, code)) throw new Error(`diagnostic code ${code} registered twice`);
    MESSAGES[code] = render;
  }
}
