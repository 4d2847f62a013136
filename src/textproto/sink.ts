/**
 * Parser events. The parser reports what it reads to a sink instead of building objects itself,
 * so the same grammar code serves two consumers: the TreeBuilder (a schema-agnostic tree, used
 * by edits, lint fixes and tests) and the schema binder, which builds typed messages directly
 * and so never holds a second copy of a large file in memory.
 */

/** Kinds of scalar token a sink may receive. */
export const enum ScalarKind {
  Number = 0,
  Identifier = 1,
  String = 2,
}

/**
 * The current scalar, valid only during the `scalar` call (the parser reuses it).
 * `start` includes a leading `-`; `tokenStart` is where the number or identifier itself starts.
 */
export interface ScalarToken {
  kind: ScalarKind;
  negative: boolean;
  start: number;
  tokenStart: number;
  end: number;
  /** Number tokens: whether the token has a `.`, an exponent or an `f` suffix. */
  isFloat: boolean;
  /** String tokens: the decoded, concatenated value. */
  stringValue: string;
  /** String tokens: the bytes when not valid UTF-8. */
  stringBytes: Uint8Array | undefined;
  /**
   * String tokens whose value is one literal of ASCII characters without escapes: the value's
   * range in the text (between the quotes), so that a consumer can copy it without making a
   * string. -1 for other string values.
   */
  plainStart: number;
  plainEnd: number;
  /**
   * Start of the token after the value (the text length at the end of input). protoc reports
   * some errors there (an unknown enum value, an invalid bool word), having consumed the value.
   */
  nextStart: number;
  /** Whether the scanner reported an error inside the token (e.g. `08`, `1e`, `"\q"`): do not bind it. */
  malformed: boolean;
}

/** Receives the structure of a document as the parser reads it. */
export interface ParseSink {
  /** A field whose value is a message: `name {`, `name: {`, `name <`. */
  openMessage(name: string, nameStart: number, colon: boolean, openStart: number): void;
  /** The end of the message opened last (`end` is past the closing delimiter). */
  closeMessage(end: number): void;
  /** `name: scalar`. */
  scalar(name: string, nameStart: number, colon: boolean, token: ScalarToken): void;
  /**
   * `name: [` — items follow through listScalar/listOpenMessage, then closeList. `colon` is false
   * for `name [`, which protoc allows for message fields only (the binder decides).
   */
  openList(name: string, nameStart: number, colon: boolean): void;
  listScalar(token: ScalarToken): void;
  /** A message item of a list; closed by closeMessage. */
  listOpenMessage(openStart: number): void;
  closeList(end: number): void;
  /** A field whose value could not be read (the parser has reported why). */
  missingValue(name: string, nameStart: number, colon: boolean, end: number): void;
}
