import type { Range } from "../diagnostics/range.js";

/**
 * The syntax tree of a protobuf text-format document. Schema-agnostic: the parser does not
 * know Caffe; the binder (src/schema) gives the tree its meaning.
 *
 * Nodes carry plain `start`/`end` offsets rather than Range objects: a 20 MB prototxt has
 * over a million fields, and one object less per node is the difference between fitting the
 * memory budget and not. Use {@link rangeOf} and {@link nameRangeOf} to get Ranges.
 */

/** A number token (optionally preceded by `-`), kept as its text; the binder interprets it. */
export interface NumberValue {
  kind: "number";
  /** The token text without the sign, e.g. `0x1F`, `1e-5`, `.5`, `1f`. */
  text: string;
  negative: boolean;
  start: number;
  end: number;
}

/** An identifier value: an enum name, `true`/`false`, `inf`, `nan` (optionally `-`). */
export interface IdentifierValue {
  kind: "identifier";
  text: string;
  negative: boolean;
  start: number;
  end: number;
}

/** One or more adjacent string literals, concatenated, with escapes decoded. */
export interface StringValue {
  kind: "string";
  /** The decoded bytes read as UTF-8 (invalid sequences become U+FFFD). */
  value: string;
  /** The decoded bytes, present only when they are not valid UTF-8 (so encoding stays exact). */
  bytes?: Uint8Array;
  start: number;
  end: number;
}

/** A nested message value `{ … }` or `< … >`. */
export interface MessageValue {
  kind: "message";
  fields: FieldNode[];
  /** Offset of the opening delimiter. */
  start: number;
  /** Offset just past the closing delimiter (or the end of input when it is missing). */
  end: number;
}

/** A scalar value. */
export type ScalarValue = NumberValue | IdentifierValue | StringValue;

/** One value: a scalar or a nested message. */
export type Value = ScalarValue | MessageValue;

/** `name: value`, `name { … }`, `name: [a, b]`. */
export interface FieldNode {
  name: string;
  /** Offset of the field-name token. */
  start: number;
  /** Offset just past the field's last value (or its name when the value is missing). */
  end: number;
  /** Whether a `:` followed the name. */
  colon: boolean;
  /** The value of a plain field; undefined for a list or when the value is missing. */
  value?: Value;
  /** The items of a `[ … ]` list (possibly empty); undefined for a plain field. */
  items?: Value[];
}

/** A comment token, `#` to the end of the line (kept for suppression comments and fixes). */
export interface Comment {
  start: number;
  end: number;
}

/** A whole document: the top-level fields of the root message. */
export interface Document {
  fields: FieldNode[];
  comments: Comment[];
  /** Length of the text (the root's end). */
  end: number;
}

/** The values of a field: its list items, or its single value. */
export function valuesOf(field: FieldNode): Value[] {
  if (field.items) return field.items;
  return field.value ? [field.value] : [];
}

/** The whole field, from its name to the end of its value. */
export function rangeOf(node: { start: number; end: number }): Range {
  return { offset: node.start, length: node.end - node.start };
}

/** The field-name token. */
export function nameRangeOf(field: FieldNode): Range {
  return { offset: field.start, length: field.name.length };
}
