import { isSyntaxError } from "../reader-codes.js";
import { ruleMeta, type Rule } from "../rule.js";

/** Message templates by reader code (the codes of src/textproto and src/schema). */
const messages = {
  "unclosed-message": "Missing closing '{{expected}}': the message opened here is never closed.",
  "unexpected-token": "Expected '{{expected}}' but found {{found}}.",
  "unsupported-extension": "Extension fields ('[…]') cannot appear in a Caffe net definition.",
  "expected-field-name": "Expected a field name but found {{found}}.",
  "expected-colon": "Expected ':' after '{{field}}' but found {{found}}.",
  "expected-value": "Expected a value for '{{field}}' but found {{found}}.",
  "invalid-number": "Malformed number ({{reason}}).",
  "unterminated-string": "String is not terminated before the end of the line.",
  "invalid-escape": "Invalid escape sequence in a string.",
  "duplicate-field": "'{{field}}' is set twice but is not a repeated field; protoc refuses this.",
  "expected-message": "Expected a message ('{ … }') but found {{found}}.",
  "list-for-singular-field": "'{{field}}' is not a repeated field, so it cannot take a '[ … ]' list.",
  "expected-scalar": "'{{field}}' takes a single value, not a message.",
  "expected-string": "Expected a quoted string but found {{found}}.",
  "expected-integer": "Expected an integer but found {{found}}.",
  "integer-out-of-range": "{{value}} is out of range for this integer field.",
  "expected-decimal": "Expected a decimal number but found {{found}}.",
  "expected-double": "Expected a number but found {{found}}.",
  "invalid-bool": "'{{value}}' is not a boolean value (true/false) for '{{field}}'.",
  "expected-identifier": "Expected an enum value name but found {{found}}.",
  other: "The file does not parse ({{code}}).",
} as const;

/** `syntax`: the file does not parse, so Caffe cannot read it and nothing else can be checked. */
export const syntax: Rule = {
  meta: ruleMeta({
    id: "syntax",
    defaultSeverity: "error",
    description: "The file does not parse as a Caffe NetParameter in protobuf text format.",
    fixable: false,
    messages,
  }),
  scope: "reader",
  check(context) {
    let last = -1;
    for (const d of context.read.diagnostics) {
      if (!isSyntaxError(d)) continue;
      // The parser resumes after an error; a second error at the same token is its echo.
      const at = d.range?.offset ?? 0;
      if (at === last) continue;
      last = at;
      const known = Object.hasOwn(messages, d.code);
      context.report({
        range: d.range,
        messageId: known ? d.code : "other",
        data: known ? d.data : { ...d.data, code: d.code },
      });
    }
  },
};
