import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Range } from "../diagnostics/range.js";
import { parseInto } from "../textproto/parser.js";
import type { ScalarToken } from "../textproto/sink.js";
import type { Comment, FieldNode } from "../textproto/tree.js";
import { scalarValueOf, TreeBuilder } from "../textproto/tree-builder.js";
import { SchemaSink } from "./bind-core.js";
import { Op, type FieldCodec } from "./encode-codec.js";
import type { MessageInfo } from "./load.js";
import { SourceMap, type MessageLocation } from "./locations.js";

/** A bound message: a plain object keyed by proto field names (see README "Programmatic API"). */
export type BoundMessage = Record<string, unknown>;

/** How strictly to bind. */
export interface BindOptions {
  /** Unknown fields and enum values become warnings (kept in the SourceMap) instead of errors. */
  allowUnknown?: boolean;
  /** Record where every message and field came from (needed by analysis; off for plain encoding). */
  locations?: boolean;
}

/** The result of binding text to a message type. */
export interface BindResult {
  message: BoundMessage;
  diagnostics: Diagnostic[];
  comments: Comment[];
  sourceMap: SourceMap;
}

/**
 * Parses text format and binds it to `root` in one pass, without an intermediate tree, checking
 * what protoc checks: field names, value types and ranges, enum values, and non-repeated fields
 * given twice. Never throws on user input.
 */
export function bindText(text: string, root: MessageInfo, options: BindOptions = {}): BindResult {
  const diagnostics: Diagnostic[] = [];
  const sourceMap = new SourceMap();
  const binder = new Binder(text, root, options, diagnostics, sourceMap);
  const { comments } = parseInto(text, binder, diagnostics);
  // Syntax errors and binding errors interleave in reading order, as protoc would meet them.
  diagnostics.sort((a, b) => (a.range?.offset ?? 0) - (b.range?.offset ?? 0));
  return { message: binder.message, diagnostics, comments, sourceMap };
}

interface Frame {
  obj: BoundMessage;
  loc: MessageLocation | undefined;
}

/** Builds the plain objects (and, when asked, their source locations) from what SchemaSink accepts. */
class Binder extends SchemaSink {
  readonly message: BoundMessage = {};
  private readonly frames: Frame[] = [];
  private frame: Frame;

  constructor(
    text: string,
    root: MessageInfo,
    private readonly options: BindOptions,
    diagnostics: Diagnostic[],
    private readonly sourceMap: SourceMap,
  ) {
    super(text, root, options.allowUnknown ?? false, diagnostics);
    const loc = options.locations ? this.newLocation({ offset: 0, length: text.length }, { offset: 0, length: 0 }) : undefined;
    if (loc) sourceMap.set(this.message, loc);
    this.frame = { obj: this.message, loc };
  }

  private newLocation(range: Range, nameRange: Range): MessageLocation {
    return { range, nameRange, fields: new Map(), unknown: [] };
  }

  /** Records an occurrence of a field; returns its range (shared, so it can grow as parsing goes on). */
  private noteField(name: string, start: number, end: number): Range | undefined {
    const loc = this.frame.loc;
    if (!loc) return undefined;
    const range = { offset: start, length: end - start };
    const ranges = loc.fields.get(name);
    if (ranges) ranges.push(range);
    else loc.fields.set(name, [range]);
    return range;
  }

  /** Records the number an enum value was written as (`name: 3`), if it was one. */
  private noteEnumNumber(loc: MessageLocation, name: string, nameStart: number, end: number): void {
    const value = this.text.slice(nameStart + name.length, end).replace(/^\s*:?\s*/, "").trim();
    const written = /^(-?)(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(value);
    if (!written) return;
    const n = Number(written[2]!.startsWith("0") && written[2]!.length > 1 && !/^0[xX]/.test(written[2]!) ? parseInt(written[2]!, 8) : written[2]);
    (loc.enumNumbers ??= new Map()).set(name, written[1] === "-" ? -n : n);
  }

  protected override isSet(f: FieldCodec): boolean {
    return this.frame.obj[f.field.name] !== undefined;
  }

  protected override unknownTree(): { builder: TreeBuilder; into: MessageLocation | undefined } | undefined {
    return this.options.allowUnknown && this.options.locations ? { builder: new TreeBuilder(this.text), into: this.frame.loc } : undefined;
  }

  protected override keepUnknownValue(name: string, nameStart: number, token: ScalarToken, colon: boolean): void {
    this.frame.loc?.unknown.push({ name, start: nameStart, end: token.end, colon, value: scalarValueOf(this.text, token) });
  }

  protected override enterMessage(f: FieldCodec, nameStart: number, openStart: number, inList: boolean): void {
    const name = f.field.name;
    const child: BoundMessage = {};
    const parent = this.frame.obj;
    if (f.repeated) {
      const arr = parent[name] as BoundMessage[] | undefined;
      if (arr) arr.push(child);
      else parent[name] = [child];
    } else {
      parent[name] = child;
    }
    let loc: MessageLocation | undefined;
    if (this.frame.loc) {
      const nameRange = { offset: nameStart, length: name.length };
      // A list item's range is its own braces; a plain field's range is shared with the parent's field table.
      const range = inList ? { offset: openStart, length: 1 } : this.noteField(name, nameStart, openStart + 1)!;
      loc = this.newLocation(range, nameRange);
      this.sourceMap.set(child, loc);
    }
    this.frames.push(this.frame);
    this.frame = { obj: child, loc };
  }

  protected override leaveMessage(end: number): void {
    const loc = this.frame.loc;
    if (loc) loc.range.length = end - loc.range.offset;
    this.frame = this.frames.pop()!;
  }

  protected override store(f: FieldCodec, value: unknown, nameStart: number, end: number): void {
    const name = f.field.name;
    if (end >= 0) this.noteField(name, nameStart, end);
    if (f.field.kind === "enum" && end >= 0 && this.frame.loc) this.noteEnumNumber(this.frame.loc, name, nameStart, end);
    if (f.repeated) {
      const arr = this.frame.obj[name] as unknown[] | undefined;
      if (arr) arr.push(value);
      else this.frame.obj[name] = [value];
    } else {
      this.frame.obj[name] = value;
    }
  }

  protected override openedList(f: FieldCodec, nameStart: number): void {
    const name = f.field.name;
    this.noteField(name, nameStart, nameStart + name.length);
    if (f.op !== Op.Message && this.frame.obj[name] === undefined) this.frame.obj[name] = [];
  }

  protected override closedList(f: FieldCodec, end: number): void {
    if (!this.frame.loc) return;
    const ranges = this.frame.loc.fields.get(f.field.name);
    const last = ranges?.[ranges.length - 1];
    if (last) last.length = end - last.offset;
  }
}

/** Re-export for callers that only need the unknown-field syntax type. */
export type { FieldNode };
