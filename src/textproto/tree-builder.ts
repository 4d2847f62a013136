import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { parseInto } from "./parser.js";
import { ScalarKind, type ParseSink, type ScalarToken } from "./sink.js";
import type { Document, FieldNode, MessageValue, ScalarValue } from "./tree.js";

/** The result of parsing into a tree: a best-effort tree plus every syntax error found. */
export interface ParseResult {
  document: Document;
  diagnostics: Diagnostic[];
}

/** Parses text into a schema-agnostic tree (see tree.ts). Never throws on user input. */
export function parseTextProto(text: string): ParseResult {
  const builder = new TreeBuilder(text);
  const { diagnostics, comments } = parseInto(text, builder);
  return { document: { fields: builder.root, comments, end: text.length }, diagnostics };
}

/** Copies the parser's reused scalar token into a tree value. */
export function scalarValueOf(text: string, t: ScalarToken): ScalarValue {
  if (t.kind === ScalarKind.String) {
    return t.stringBytes
      ? { kind: "string", value: t.stringValue, bytes: t.stringBytes, start: t.start, end: t.end }
      : { kind: "string", value: t.stringValue, start: t.start, end: t.end };
  }
  return {
    kind: t.kind === ScalarKind.Number ? "number" : "identifier",
    text: text.slice(t.tokenStart, t.end),
    negative: t.negative,
    start: t.start,
    end: t.end,
  };
}

/**
 * A ParseSink that builds the tree. Also used by the binder to keep unknown fields as syntax:
 * it can start at any field (`beginAt`) and reports when that field is complete.
 */
export class TreeBuilder implements ParseSink {
  /** Top-level fields. */
  readonly root: FieldNode[] = [];
  /** Open containers: the field list being filled, and the open field/message. */
  private readonly stack: { fields: FieldNode[]; field?: FieldNode; message?: MessageValue }[] = [];
  /** Open list, if the innermost open field is a list. */
  private listField: FieldNode | undefined;
  private readonly listStack: (FieldNode | undefined)[] = [];

  constructor(private readonly text: string) {}

  /** Depth of open messages (0 at top level). */
  get depth(): number {
    return this.stack.length;
  }

  private get fields(): FieldNode[] {
    return this.stack.length ? this.stack[this.stack.length - 1]!.fields : this.root;
  }

  openMessage(name: string, nameStart: number, colon: boolean, openStart: number): void {
    const message: MessageValue = { kind: "message", fields: [], start: openStart, end: openStart };
    const field: FieldNode = { name, start: nameStart, end: openStart, colon, value: message };
    this.fields.push(field);
    this.push(field, message);
  }

  private push(field: FieldNode, message: MessageValue): void {
    this.listStack.push(this.listField);
    this.listField = undefined;
    this.stack.push({ fields: message.fields, field, message });
  }

  closeMessage(end: number): void {
    const top = this.stack.pop();
    this.listField = this.listStack.pop();
    if (!top) return;
    top.message!.end = end;
    top.field!.end = end;
  }

  scalar(name: string, nameStart: number, colon: boolean, token: ScalarToken): void {
    this.fields.push({ name, start: nameStart, end: token.end, colon, value: scalarValueOf(this.text, token) });
  }

  openList(name: string, nameStart: number, colon = true): void {
    const field: FieldNode = { name, start: nameStart, end: nameStart + name.length, colon, items: [] };
    this.fields.push(field);
    this.listField = field;
  }

  listScalar(token: ScalarToken): void {
    const field = this.listField!;
    field.items!.push(scalarValueOf(this.text, token));
    field.end = token.end;
  }

  listOpenMessage(openStart: number): void {
    const field = this.listField!;
    const message: MessageValue = { kind: "message", fields: [], start: openStart, end: openStart };
    field.items!.push(message);
    this.push(field, message);
  }

  closeList(end: number): void {
    if (this.listField) this.listField.end = end;
    this.listField = undefined;
  }

  missingValue(name: string, nameStart: number, colon: boolean, end: number): void {
    this.fields.push({ name, start: nameStart, end, colon });
  }
}
