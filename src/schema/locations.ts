import type { Range } from "../diagnostics/range.js";
import type { FieldNode } from "../textproto/tree.js";

/**
 * Where each bound message came from in the text. Kept beside the plain objects (not on them),
 * so the objects stay exactly the shape of caffe.proto.
 */
export interface MessageLocation {
  /** The field that holds this message (name to closing brace); for the root, the whole text. */
  range: Range;
  /** Range of the field-name token that introduced the message (root: offset 0, length 0). */
  nameRange: Range;
  /** For each field set in the message: the range of every occurrence (name to end of value). */
  fields: Map<string, Range[]>;
  /** Fields the schema does not know (lenient mode), kept as raw syntax for fork-aware readers. */
  unknown: FieldNode[];
  /**
   * Enum fields written as a number, with the number (last occurrence): a fork's enum may give the
   * number another name than BVLC's (R-FCN's `normalization: 3` is PRE_FIXED, BVLC's 3 is NONE).
   */
  enumNumbers?: Map<string, number>;
}

/** A side table from bound message objects to their source locations. */
export class SourceMap {
  private readonly table = new WeakMap<object, MessageLocation>();

  /** Records where `message` came from. */
  set(message: object, location: MessageLocation): void {
    this.table.set(message, location);
  }

  /** Where `message` came from, if it came from text. */
  get(message: object): MessageLocation | undefined {
    return this.table.get(message);
  }

  /** The range of a field of `message` (occurrence `index`, default the first), or of the message itself. */
  rangeOf(message: object, field?: string, index = 0): Range | undefined {
    const loc = this.table.get(message);
    if (!loc) return undefined;
    if (field === undefined) return loc.nameRange;
    return loc.fields.get(field)?.[index];
  }

  /** Fields of `message` that the schema did not know (lenient reading). */
  unknownFields(message: object): FieldNode[] {
    return this.table.get(message)?.unknown ?? [];
  }
}
