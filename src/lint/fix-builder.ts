import type { SourceMap } from "../schema/locations.js";
import { parseTextProto } from "../textproto/tree-builder.js";
import type { FieldNode, MessageValue } from "../textproto/tree.js";
import type { TextEdit } from "./edits.js";

interface SyntaxIndex {
  /** Field nodes by the offset of their name. */
  fields: Map<number, FieldNode>;
  /** Message values by the offset of their opening delimiter. */
  messages: Map<number, MessageValue>;
}

/**
 * Builds fix edits that follow the file's own layout. Bound messages (what rules read) are mapped
 * back to the syntax tree through the source map: a bound message's location starts at its field
 * name, or at its `{` when it is an item of a `[ … ]` list. The tree is parsed on first use only,
 * so files without fixable findings never pay for it.
 */
export class FixBuilder {
  private index: SyntaxIndex | undefined;

  constructor(
    private readonly text: string,
    private readonly sourceMap: SourceMap,
  ) {}

  private get syntax(): SyntaxIndex {
    if (this.index) return this.index;
    const index: SyntaxIndex = { fields: new Map(), messages: new Map() };
    const visit = (fields: readonly FieldNode[]): void => {
      for (const field of fields) {
        index.fields.set(field.start, field);
        for (const value of field.items ?? (field.value ? [field.value] : [])) {
          if (value.kind !== "message") continue;
          index.messages.set(value.start, value);
          visit(value.fields);
        }
      }
    };
    visit(parseTextProto(this.text).document.fields);
    return (this.index = index);
  }

  /** The `{ … }` syntax of a bound message, if it came from the text. */
  messageSyntax(message: object): MessageValue | undefined {
    const loc = this.sourceMap.get(message);
    if (!loc) return undefined;
    const own = this.syntax.messages.get(loc.range.offset);
    if (own) return own;
    const field = this.syntax.fields.get(loc.range.offset);
    return field?.value?.kind === "message" ? field.value : undefined;
  }

  /** The syntax of occurrence `index` of `field` in a bound message. */
  fieldSyntax(message: object, field: string, index = 0): FieldNode | undefined {
    const range = this.sourceMap.rangeOf(message, field, index);
    return range ? this.syntax.fields.get(range.offset) : undefined;
  }

  /** Replaces the scalar value of `field` (sign included) with `content`. */
  replaceValue(field: FieldNode, content: string): TextEdit | undefined {
    const value = field.value;
    if (!value || value.kind === "message") return undefined;
    return { offset: value.start, length: value.end - value.start, content };
  }

  /**
   * Inserts `fieldText` (e.g. `lr_mult: 0`) as the first field of a message, laid out like the
   * field it goes before: on the same line after a space, or on its own line with that field's
   * indentation and the file's line ending. An empty `{}` becomes `{ fieldText }`.
   */
  insertFirstField(message: MessageValue, fieldText: string): TextEdit | undefined {
    const text = this.text;
    const first = message.fields[0];
    if (first) {
      const between = text.slice(message.start + 1, first.start);
      if (!between.includes("\n")) return { offset: first.start, length: 0, content: `${fieldText} ` };
      const lineStart = text.lastIndexOf("\n", first.start - 1) + 1;
      const indent = text.slice(lineStart, first.start);
      if (!/^[ \t]*$/.test(indent)) return { offset: first.start, length: 0, content: `${fieldText} ` };
      return { offset: first.start, length: 0, content: `${fieldText}${this.eol}${indent}` };
    }
    const close = message.end - 1;
    const closer = text[close];
    if (close <= message.start || (closer !== "}" && closer !== ">")) return undefined;
    const inside = text.slice(message.start + 1, close);
    if (/^[ \t]*$/.test(inside)) return { offset: message.start + 1, length: inside.length, content: ` ${fieldText} ` };
    return { offset: message.start + 1, length: 0, content: ` ${fieldText}` };
  }

  /** The file's line ending: that of its first line break (CRLF files stay CRLF). */
  private get eol(): string {
    const i = this.text.indexOf("\n");
    return i > 0 && this.text[i - 1] === "\r" ? "\r\n" : "\n";
  }
}
