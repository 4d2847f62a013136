import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Range } from "../diagnostics/range.js";
import { parseInto } from "../textproto/parser.js";
import { tokenStartAfter } from "../textproto/scanner.js";
import { ScalarKind, type ParseSink, type ScalarToken } from "../textproto/sink.js";
import type { Comment, FieldNode } from "../textproto/tree.js";
import { scalarValueOf, TreeBuilder } from "../textproto/tree-builder.js";
import { forkOfEnumValue, forkOfField } from "./forks.js";
import type { FieldInfo, MessageInfo } from "./load.js";
import { SourceMap, type MessageLocation } from "./locations.js";
import { convertScalar } from "./scalars.js";
import { didYouMean } from "./suggest.js";

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
  info: MessageInfo;
  obj: BoundMessage;
  loc: MessageLocation | undefined;
}

/** Where events go while an unknown or ill-typed field is being read. */
interface Diversion {
  builder: TreeBuilder | undefined;
  depth: number;
  into: MessageLocation | undefined;
  /** Started by a list (`name: [`): ends at the list's `]`, not at the end of its first item. */
  list: boolean;
}

/**
 * Field kinds whose value protoc reads with a leading `-` consumed first (ConsumeSignedInteger,
 * ConsumeDouble): its errors about the value point past the sign. For other kinds the `-`
 * itself is the error ("Expected integer, got: -").
 */
const SIGN_CONSUMED = new Set(["int32", "int64", "sint32", "sint64", "sfixed32", "sfixed64", "float", "double", "enum"]);

class Binder implements ParseSink {
  readonly message: BoundMessage = {};
  private readonly frames: Frame[] = [];
  private frame: Frame;
  /** The repeated field of the open list, or null for a list being ignored. */
  private list: FieldInfo | null = null;
  private listStart = 0;
  private readonly listStack: (FieldInfo | null)[] = [];
  private diversion: Diversion | undefined;

  constructor(
    private readonly text: string,
    root: MessageInfo,
    private readonly options: BindOptions,
    private readonly diagnostics: Diagnostic[],
    private readonly sourceMap: SourceMap,
  ) {
    const loc = options.locations ? this.newLocation({ offset: 0, length: text.length }, { offset: 0, length: 0 }) : undefined;
    if (loc) sourceMap.set(this.message, loc);
    this.frame = { info: root, obj: this.message, loc };
  }

  private newLocation(range: Range, nameRange: Range): MessageLocation {
    return { range, nameRange, fields: new Map(), unknown: [] };
  }

  private report(code: string, start: number, end: number, data: Diagnostic["data"], severity: Diagnostic["severity"] = "error"): void {
    this.diagnostics.push(diagnostic(code, severity, { offset: start, length: Math.max(end - start, 1) }, data));
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

  /**
   * Where protoc reports an error about a field name: it has consumed the name by then, so the
   * position is the next token (the `:` or the value), possibly on a later line.
   */
  private afterName(name: string, nameStart: number): number {
    return tokenStartAfter(this.text, nameStart + name.length);
  }

  /** Looks a field up; reports an unknown one (with fork or did-you-mean) and returns undefined. */
  private lookup(name: string, nameStart: number): FieldInfo | undefined {
    const field = this.frame.info.fields.get(name);
    if (field) return field;
    const fork = forkOfField(name);
    const suggestion = fork ? undefined : didYouMean(name, this.frame.info.fields.keys());
    this.report("unknown-field", nameStart, nameStart + name.length, {
      field: name,
      message: this.frame.info.fullName,
      fork: fork ?? null,
      suggestion: suggestion ?? null,
      protoc_offset: this.afterName(name, nameStart),
    }, this.options.allowUnknown ? "warning" : "error");
    return undefined;
  }

  /** A singular field set twice is an error, as protoc reports it (at the token after the name). */
  private checkSingular(field: FieldInfo, nameStart: number): boolean {
    if (field.repeated || this.frame.obj[field.name] === undefined) return true;
    this.report("duplicate-field", nameStart, nameStart + field.name.length, {
      field: field.name,
      protoc_offset: this.afterName(field.name, nameStart),
    });
    return false;
  }

  private divert(builder: TreeBuilder | undefined, list = false): void {
    this.diversion = { builder, depth: 0, into: builder ? this.frame.loc : undefined, list };
  }

  /** Ends a diversion when its field is complete; keeps an unknown field's syntax if asked to. */
  private endDiversionIfDone(listClosed = false): void {
    const d = this.diversion!;
    if (d.depth !== 0 || (d.list && !listClosed)) return;
    this.diversion = undefined;
    if (d.builder && d.into) d.into.unknown.push(...d.builder.root);
  }

  private keepUnknown(): TreeBuilder | undefined {
    return this.options.allowUnknown && this.options.locations ? new TreeBuilder(this.text) : undefined;
  }

  openMessage(name: string, nameStart: number, colon: boolean, openStart: number): void {
    if (this.diversion) {
      this.diversion.builder?.openMessage(name, nameStart, colon, openStart);
      this.diversion.depth++;
      return;
    }
    const field = this.lookup(name, nameStart);
    if (!field || field.kind !== "message" || !this.checkSingular(field, nameStart)) {
      if (field && field.kind !== "message") {
        this.report(colon ? "expected-scalar" : "expected-colon", openStart, openStart + 1, { field: name, found: "{" });
      }
      this.divert(field ? undefined : this.keepUnknown());
      this.diversion!.builder?.openMessage(name, nameStart, colon, openStart);
      this.diversion!.depth = 1;
      return;
    }
    this.enter(field, nameStart, openStart, false);
  }

  private enter(field: FieldInfo, nameStart: number, openStart: number, inList: boolean): void {
    const child: BoundMessage = {};
    const parent = this.frame.obj;
    if (field.repeated) {
      const arr = parent[field.name] as BoundMessage[] | undefined;
      if (arr) arr.push(child);
      else parent[field.name] = [child];
    } else {
      parent[field.name] = child;
    }
    let loc: MessageLocation | undefined;
    if (this.frame.loc) {
      const nameRange = { offset: nameStart, length: field.name.length };
      // A list item's range is its own braces; a plain field's range is shared with the parent's field table.
      const range = inList ? { offset: openStart, length: 1 } : this.noteField(field.name, nameStart, openStart + 1)!;
      loc = this.newLocation(range, nameRange);
      this.sourceMap.set(child, loc);
    }
    this.frames.push(this.frame);
    this.listStack.push(this.list);
    this.list = null;
    this.frame = { info: field.message!, obj: child, loc };
  }

  closeMessage(end: number): void {
    if (this.diversion) {
      this.diversion.builder?.closeMessage(end);
      this.diversion.depth--;
      this.endDiversionIfDone();
      return;
    }
    const loc = this.frame.loc;
    if (loc) loc.range.length = end - loc.range.offset;
    this.frame = this.frames.pop()!;
    this.list = this.listStack.pop() ?? null;
  }

  scalar(name: string, nameStart: number, colon: boolean, token: ScalarToken): void {
    if (this.diversion) {
      this.diversion.builder?.scalar(name, nameStart, colon, token);
      return;
    }
    const field = this.lookup(name, nameStart);
    if (!field) {
      const loc = this.frame.loc;
      if (loc && this.options.allowUnknown) {
        loc.unknown.push({ name, start: nameStart, end: token.end, colon, value: scalarValueOf(this.text, token) });
      }
      return;
    }
    if (!this.checkSingular(field, nameStart)) return;
    // The scanner has reported what is wrong with a malformed token; its value means nothing.
    if (token.malformed) return;
    const value = this.convert(field, token, nameStart, colon);
    if (value === undefined) return;
    this.noteField(name, nameStart, token.end);
    if (field.repeated) {
      const arr = this.frame.obj[name] as unknown[] | undefined;
      if (arr) arr.push(value);
      else this.frame.obj[name] = [value];
    } else {
      this.frame.obj[name] = value;
    }
  }

  /**
   * Converts a token for `field`, reporting failures; undefined when it cannot be stored.
   * `nameStart`/`colon` locate the field, for keeping an unknown enum value aside.
   */
  private convert(field: FieldInfo, token: ScalarToken, nameStart: number, colon: boolean): unknown {
    if (field.kind === "message") {
      this.report("expected-message", token.start, token.end, { field: field.name, found: this.text.slice(token.start, token.end) });
      return undefined;
    }
    const result = convertScalar(field, token, this.text);
    if (result.ok) {
      if (result.warning) this.report(result.warning.code, token.start, token.end, result.warning.data, "warning");
      return result.value;
    }
    if (result.code === "unknown-enum-value") {
      const fork = forkOfEnumValue(String(result.data["value"]));
      const suggestion = fork ? undefined : didYouMean(String(result.data["value"]), field.enumInfo!.values.keys());
      // protoc reports it having consumed the value: at the next token.
      this.report(result.code, token.start, token.end,
        { ...result.data, fork: fork ?? null, suggestion: suggestion ?? null, protoc_offset: token.nextStart },
        this.options.allowUnknown ? "warning" : "error");
      // Lenient reading keeps the value aside, with the unknown fields, for fork-aware readers.
      const loc = this.frame.loc;
      if (loc && this.options.allowUnknown) {
        loc.unknown.push({ name: field.name, start: nameStart, end: token.end, colon, value: scalarValueOf(this.text, token) });
      }
      return undefined;
    }
    const data: Diagnostic["data"] = { ...result.data };
    if (result.code === "invalid-bool" && token.kind === ScalarKind.Identifier && !token.negative) {
      // protoc has consumed the word when it finds it is no bool.
      data["protoc_offset"] = token.nextStart;
    } else if (token.negative && SIGN_CONSUMED.has(field.kind)) {
      data["protoc_offset"] = token.tokenStart;
    }
    this.report(result.code, token.start, token.end, data);
    return undefined;
  }

  openList(name: string, nameStart: number, colon = true): void {
    if (this.diversion) {
      this.diversion.builder?.openList(name, nameStart, colon);
      return;
    }
    const field = this.lookup(name, nameStart);
    this.listStart = nameStart;
    let refused = false;
    if (field && !colon && field.kind !== "message") {
      // protoc makes `:` optional before a list of messages only: "Expected ":", found "["".
      const bracket = this.afterName(name, nameStart);
      this.report("expected-colon", bracket, bracket + 1, { field: name, found: "[" });
      refused = true;
    } else if (field && !field.repeated) {
      // protoc: "Expected <type>, got: [" (or `Expected "{", found "["`), at the bracket.
      const bracket = colon ? tokenStartAfter(this.text, this.afterName(name, nameStart) + 1) : this.afterName(name, nameStart);
      this.report("list-for-singular-field", nameStart, nameStart + name.length, { field: name, protoc_offset: bracket });
      refused = true;
    }
    if (refused || !field) {
      this.divert(field ? undefined : this.keepUnknown(), true);
      this.diversion!.builder?.openList(name, nameStart, colon);
      return;
    }
    this.list = field;
    this.noteField(name, nameStart, nameStart + name.length);
    if (field.kind !== "message" && this.frame.obj[name] === undefined) this.frame.obj[name] = [];
  }

  listScalar(token: ScalarToken): void {
    if (this.diversion) {
      this.diversion.builder?.listScalar(token);
      return;
    }
    const field = this.list;
    if (!field || token.malformed) return;
    const value = this.convert(field, token, this.listStart, true);
    if (value !== undefined) (this.frame.obj[field.name] as unknown[]).push(value);
  }

  listOpenMessage(openStart: number): void {
    if (this.diversion) {
      this.diversion.builder?.listOpenMessage(openStart);
      this.diversion.depth++;
      return;
    }
    const field = this.list;
    if (!field || field.kind !== "message") {
      if (field) this.report("expected-scalar", openStart, openStart + 1, { field: field.name, found: "{" });
      this.divert(undefined);
      this.diversion!.depth = 1;
      return;
    }
    this.enter(field, this.listStart, openStart, true);
  }

  closeList(end: number): void {
    if (this.diversion) {
      this.diversion.builder?.closeList(end);
      this.endDiversionIfDone(true);
      return;
    }
    const field = this.list;
    if (field && this.frame.loc) {
      const ranges = this.frame.loc.fields.get(field.name);
      const last = ranges?.[ranges.length - 1];
      if (last) last.length = end - last.offset;
    }
    this.list = null;
  }

  missingValue(name: string, nameStart: number, colon: boolean, end: number): void {
    if (this.diversion) {
      this.diversion.builder?.missingValue(name, nameStart, colon, end);
      return;
    }
    this.lookup(name, nameStart);
  }
}

/** Re-export for callers that only need the unknown-field syntax type. */
export type { FieldNode };
