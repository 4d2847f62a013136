import { READER_TEMPLATES, readerMessageData } from "../../diagnostics/reader-messages.js";
import { isSyntaxError } from "../reader-codes.js";
import { ruleMeta, type Rule } from "../rule.js";

/**
 * Message templates by reader code: the reader's own (diagnostics/reader-messages.ts), so that
 * lint words a syntax error as convert, explain, verify and encode do; `other` for a code that
 * has none.
 */
const messages: Readonly<Record<string, string>> = { ...READER_TEMPLATES, other: "The file does not parse ({{code}})." };

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
      const known = Object.hasOwn(READER_TEMPLATES, d.code);
      context.report({
        range: d.range,
        messageId: known ? d.code : "other",
        data: known ? readerMessageData(d.code, d.data) : { ...d.data, code: d.code },
      });
    }
  },
};
