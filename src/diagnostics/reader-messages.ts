/**
 * The one wording of every error that makes a file not parse as caffe.NetParameter (text-format
 * syntax, binding, binary input). `convert`, `explain`, `verify` and `encode` print these through
 * messages.ts, and lint's `syntax` rule uses the same templates as its messages, so a file's
 * syntax error reads the same whichever command found it.
 *
 * Wording follows protoc's where protoc has a message for the same condition, so users can search
 * for either. Templates use `{{key}}` (template.ts); {@link readerMessageData} adds the derived keys
 * some of them need.
 */
import type { TemplateData } from "./template.js";

/** Templates by reader code. */
export const READER_TEMPLATES: Readonly<Record<string, string>> = {
  "unexpected-token": 'Expected "{{expected}}", found {{found_quoted}}.',
  "unclosed-message": 'Unexpected end of input: this block is never closed (expected "{{expected}}").',
  "unsupported-extension": "Extension and Any fields ([name]) are not part of Caffe's schema.",
  "expected-field-name": "Expected identifier (a field name), got: {{found}}",
  "expected-colon": 'Expected ":" after field "{{field}}", found {{found_quoted}}.',
  "expected-value": 'Expected a value for field "{{field}}", found {{found_quoted}}.',
  "invalid-number": "{{detail}}",
  "unterminated-string": "String literals cannot cross line boundaries.",
  "invalid-escape": "Invalid escape sequence in string literal.",
  "duplicate-field": 'Non-repeated field "{{field}}" is specified multiple times.',
  "expected-integer": "Expected integer, got: {{found}}",
  "integer-out-of-range": "Integer out of range ({{value}})",
  "expected-decimal": "Expect a decimal number, got: {{found}}",
  "expected-double": "Expected double, got: {{found}}",
  "invalid-bool": 'Invalid value for boolean field "{{field}}". Value: "{{value}}".',
  "expected-string": "Expected string, got: {{found}}",
  "expected-identifier": "Expected identifier (an enum value name), got: {{found}}",
  "expected-message": 'Expected "{", found {{found_quoted}}.',
  "expected-scalar": 'Field "{{field}}" holds a value, not a message: expected ":" and a value, found "{".',
  "list-for-singular-field": 'Field "{{field}}" is not repeated: a [ … ] list is not allowed here.',
  "nesting-too-deep":
    "Messages nest more than {{maxDepth}} levels deep here; the rest of this block is skipped (the limit is protobuf's binary recursion limit, and Caffe's schema nests a few levels at most).",
  "invalid-utf8": "Invalid UTF-8 in a string literal (Caffe's string fields hold UTF-8 text; write other bytes as \\ooo or \\xhh escapes).",
  "nul-in-comment": "Invalid control characters encountered in text: a NUL character in a comment (protoc and Caffe stop there and refuse the file).",
  "nul-in-string": "Unexpected end of string: a NUL character cannot stand in a string literal (write it as \\0).",
  "binary-input": "{{what}}",
};

/** protoc's sentences for the ways a number can be malformed (io::Tokenizer). */
const INVALID_NUMBER: Readonly<Record<string, string>> = {
  octal: "Numbers starting with leading zero must be in octal.",
  "hex-digits": '"0x" must be followed by hex digits.',
  exponent: '"e" must be followed by exponent.',
  trailing: "Need space between number and identifier.",
  "extra-point": "Already saw decimal point or exponent; can't have another one.",
  "integer-fraction": "Hex and octal numbers must be integers.",
};

/** What a binary input is, and where such a file belongs instead. */
function binaryWhat(d: TemplateData): string {
  if (d["kind"] === "net-parameter") {
    const layers = Number(d["layers"] ?? 0);
    return `This is a binary caffe.NetParameter (a .caffemodel, ${layers} layer${layers === 1 ? "" : "s"}), not a text prototxt: pass it with --weights, or read it with caffe2torch inspect or decode.`;
  }
  return "This is binary data, not a text prototxt (a .caffemodel goes to --weights, caffe2torch inspect or decode).";
}

/**
 * The token found, quoted as protoc quotes it: a string literal is shown as written (its own quotes),
 * the end of the input in words.
 */
function foundQuoted(found: unknown): string {
  const text = String(found);
  if (text === "end of input") return "the end of the input";
  return /^["']/.test(text) ? text : `"${text}"`;
}

/**
 * The data a reader template renders from: the diagnostic's own, plus derived keys (`detail`,
 * `what`, `found_quoted`).
 */
export function readerMessageData(code: string, data: TemplateData): TemplateData {
  if (code === "invalid-number") return { ...data, detail: INVALID_NUMBER[String(data["reason"])] ?? "Invalid number." };
  if (code === "binary-input") return { ...data, what: binaryWhat(data) };
  if (data["found"] !== undefined) return { ...data, found_quoted: foundQuoted(data["found"]) };
  return data;
}
