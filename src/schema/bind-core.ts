/**
 * The schema checks of reading text format, shared by the two consumers of parser events: the
 * Binder (bind.ts), which builds plain objects, and the EncodeSink (encode-sink.ts), which
 * writes protobuf bytes while parsing. Both must accept and refuse exactly the same input with
 * exactly the same diagnostics, so everything that decides *whether* a field is taken lives
 * here; the subclasses only decide *how* a taken value is kept.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { tokenStartAfter } from "../textproto/scanner.js";
import { ScalarKind, type ParseSink, type ScalarToken } from "../textproto/sink.js";
import type { TreeBuilder } from "../textproto/tree-builder.js";
import { messageCodec, Op, type FieldCodec, type MessageCodec } from "./encode-codec.js";
import { forkOfEnumValue, forkOfField } from "./forks.js";
import type { MessageInfo } from "./load.js";
import type { MessageLocation } from "./locations.js";
import { convertScalar, quickScalar } from "./scalars.js";
import { didYouMeanIn } from "./suggest.js";

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

/**
 * A ParseSink that checks what protoc checks while reading a message: field names, value types
 * and ranges, enum values, and non-repeated fields given twice. Never throws on user input.
 * Subclasses keep the accepted values through the abstract hooks below.
 */
export abstract class SchemaSink implements ParseSink {
  /** The type of the innermost open message. */
  protected codec: MessageCodec;
  private readonly codecStack: MessageCodec[] = [];
  /** The repeated field of the open list, or null for a list being ignored. */
  private list: FieldCodec | null = null;
  private listStart = 0;
  private readonly listStack: (FieldCodec | null)[] = [];
  private diversion: Diversion | undefined;

  constructor(
    protected readonly text: string,
    root: MessageInfo,
    protected readonly allowUnknown: boolean,
    protected readonly diagnostics: Diagnostic[],
  ) {
    this.codec = messageCodec(root);
  }

  /** Whether singular field `f` of the innermost open message already has a value. */
  protected abstract isSet(f: FieldCodec): boolean;
  /** Opens a message value of `f` (a list item when `inList`). */
  protected abstract enterMessage(f: FieldCodec, nameStart: number, openStart: number, inList: boolean): void;
  /** Closes the innermost message; `end` is past its closing delimiter. */
  protected abstract leaveMessage(end: number): void;
  /** Keeps an accepted scalar value of `f` (`nameStart`/`end` locate the field; list items have end -1). */
  protected abstract store(f: FieldCodec, value: unknown, nameStart: number, end: number): void;
  /** A list of repeated field `f` opens (`name: [`). */
  protected abstract openedList(f: FieldCodec, nameStart: number): void;
  /** The list of `f` closes at `end`. */
  protected abstract closedList(f: FieldCodec, end: number): void;

  /**
   * Keeps a well-formed scalar token without converting it to a JS value first, when that can
   * be done with the result convertScalar would give (success, no warning); false otherwise,
   * and the value goes the general way. The Binder has no such shortcut.
   */
  protected storeToken(_f: FieldCodec, _token: ScalarToken): boolean {
    return false;
  }

  /** Lenient reading with locations: keeps an unknown field's value (or unknown enum value) aside. */
  protected keepUnknownValue(_name: string, _nameStart: number, _token: ScalarToken, _colon: boolean): void {}

  /** Lenient reading with locations: a tree builder for an unknown field's syntax and where it goes. */
  protected unknownTree(): { builder: TreeBuilder; into: MessageLocation | undefined } | undefined {
    return undefined;
  }

  private report(code: string, start: number, end: number, data: Diagnostic["data"], severity: Diagnostic["severity"] = "error"): void {
    this.diagnostics.push(diagnostic(code, severity, { offset: start, length: Math.max(end - start, 1) }, data));
  }

  /**
   * Where protoc reports an error about a field name: it has consumed the name by then, so the
   * position is the next token (the `:` or the value), possibly on a later line.
   */
  private afterName(name: string, nameStart: number): number {
    return tokenStartAfter(this.text, nameStart + name.length);
  }

  /** Looks a field up; reports an unknown one (with fork or did-you-mean) and returns undefined. */
  private lookup(name: string, nameStart: number): FieldCodec | undefined {
    const field = this.codec.byName.get(name);
    if (field) return field;
    const info = this.codec.info;
    const fork = forkOfField(name);
    const suggestion = fork ? undefined : didYouMeanIn(info.fields, name);
    this.report("unknown-field", nameStart, nameStart + name.length, {
      field: name,
      message: info.fullName,
      fork: fork ?? null,
      suggestion: suggestion ?? null,
      protoc_offset: this.afterName(name, nameStart),
    }, this.allowUnknown ? "warning" : "error");
    return undefined;
  }

  /** A singular field set twice is an error, as protoc reports it (at the token after the name). */
  private checkSingular(f: FieldCodec, nameStart: number): boolean {
    if (f.repeated || !this.isSet(f)) return true;
    const name = f.field.name;
    this.report("duplicate-field", nameStart, nameStart + name.length, { field: name, protoc_offset: this.afterName(name, nameStart) });
    return false;
  }

  /** Sends the rest of the current field elsewhere: to a tree builder for a kept unknown field, or nowhere. */
  private divert(keep: boolean, list = false): void {
    const tree = keep ? this.unknownTree() : undefined;
    this.diversion = { builder: tree?.builder, depth: 0, into: tree?.into, list };
  }

  /** Ends a diversion when its field is complete; keeps an unknown field's syntax if asked to. */
  private endDiversionIfDone(listClosed = false): void {
    const d = this.diversion!;
    if (d.depth !== 0 || (d.list && !listClosed)) return;
    this.diversion = undefined;
    if (d.builder && d.into) d.into.unknown.push(...d.builder.root);
  }

  openMessage(name: string, nameStart: number, colon: boolean, openStart: number): void {
    if (this.diversion) {
      this.diversion.builder?.openMessage(name, nameStart, colon, openStart);
      this.diversion.depth++;
      return;
    }
    const f = this.lookup(name, nameStart);
    if (!f || f.op !== Op.Message || !this.checkSingular(f, nameStart)) {
      if (f && f.op !== Op.Message) {
        this.report(colon ? "expected-scalar" : "expected-colon", openStart, openStart + 1, { field: name, found: "{" });
      }
      this.divert(!f);
      this.diversion!.builder?.openMessage(name, nameStart, colon, openStart);
      this.diversion!.depth = 1;
      return;
    }
    this.enter(f, nameStart, openStart, false);
  }

  private enter(f: FieldCodec, nameStart: number, openStart: number, inList: boolean): void {
    this.enterMessage(f, nameStart, openStart, inList);
    this.codecStack.push(this.codec);
    this.listStack.push(this.list);
    this.list = null;
    this.codec = f.message!;
  }

  closeMessage(end: number): void {
    if (this.diversion) {
      this.diversion.builder?.closeMessage(end);
      this.diversion.depth--;
      this.endDiversionIfDone();
      return;
    }
    this.leaveMessage(end);
    this.codec = this.codecStack.pop()!;
    this.list = this.listStack.pop() ?? null;
  }

  scalar(name: string, nameStart: number, colon: boolean, token: ScalarToken): void {
    if (this.diversion) {
      this.diversion.builder?.scalar(name, nameStart, colon, token);
      return;
    }
    // lookup and checkSingular, with their common outcome first (this runs for every value).
    const f = this.codec.byName.get(name) ?? this.lookup(name, nameStart);
    if (!f) {
      if (this.allowUnknown) this.keepUnknownValue(name, nameStart, token, colon);
      return;
    }
    if (!f.repeated && !this.checkSingular(f, nameStart)) return;
    // The scanner has reported what is wrong with a malformed token; its value means nothing.
    if (token.malformed) return;
    if (this.storeToken(f, token)) return;
    const quick = quickScalar(f, token, this.text);
    if (quick !== undefined) return this.store(f, quick, nameStart, token.end);
    const value = this.convert(f, token, nameStart, colon);
    if (value !== undefined) this.store(f, value, nameStart, token.end);
  }

  /**
   * Converts a token for `f`, reporting failures; undefined when it cannot be stored.
   * `nameStart`/`colon` locate the field, for keeping an unknown enum value aside.
   */
  private convert(f: FieldCodec, token: ScalarToken, nameStart: number, colon: boolean): unknown {
    const field = f.field;
    if (f.op === Op.Message) {
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
      const suggestion = fork ? undefined : didYouMeanIn(field.enumInfo!.values, String(result.data["value"]));
      // protoc reports it having consumed the value: at the next token.
      this.report(result.code, token.start, token.end,
        { ...result.data, fork: fork ?? null, suggestion: suggestion ?? null, protoc_offset: token.nextStart },
        this.allowUnknown ? "warning" : "error");
      // Lenient reading keeps the value aside, with the unknown fields, for fork-aware readers.
      if (this.allowUnknown) this.keepUnknownValue(field.name, nameStart, token, colon);
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
    const f = this.lookup(name, nameStart);
    this.listStart = nameStart;
    let refused = false;
    if (f && !colon && f.op !== Op.Message) {
      // protoc makes `:` optional before a list of messages only: "Expected ":", found "["".
      const bracket = this.afterName(name, nameStart);
      this.report("expected-colon", bracket, bracket + 1, { field: name, found: "[" });
      refused = true;
    } else if (f && !f.repeated) {
      // protoc: "Expected <type>, got: [" (or `Expected "{", found "["`), at the bracket.
      const bracket = colon ? tokenStartAfter(this.text, this.afterName(name, nameStart) + 1) : this.afterName(name, nameStart);
      this.report("list-for-singular-field", nameStart, nameStart + name.length, { field: name, protoc_offset: bracket });
      refused = true;
    }
    if (refused || !f) {
      this.divert(!f, true);
      this.diversion!.builder?.openList(name, nameStart, colon);
      return;
    }
    this.list = f;
    this.openedList(f, nameStart);
  }

  listScalar(token: ScalarToken): void {
    if (this.diversion) {
      this.diversion.builder?.listScalar(token);
      return;
    }
    const f = this.list;
    if (!f || token.malformed) return;
    if (this.storeToken(f, token)) return;
    const quick = quickScalar(f, token, this.text);
    if (quick !== undefined) return this.store(f, quick, this.listStart, -1);
    const value = this.convert(f, token, this.listStart, true);
    if (value !== undefined) this.store(f, value, this.listStart, -1);
  }

  listOpenMessage(openStart: number): void {
    if (this.diversion) {
      this.diversion.builder?.listOpenMessage(openStart);
      this.diversion.depth++;
      return;
    }
    const f = this.list;
    if (!f || f.op !== Op.Message) {
      if (f) this.report("expected-scalar", openStart, openStart + 1, { field: f.field.name, found: "{" });
      this.divert(false);
      this.diversion!.depth = 1;
      return;
    }
    this.enter(f, this.listStart, openStart, true);
  }

  closeList(end: number): void {
    if (this.diversion) {
      this.diversion.builder?.closeList(end);
      this.endDiversionIfDone(true);
      return;
    }
    if (this.list) this.closedList(this.list, end);
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
