/**
 * Text format → protobuf bytes in one pass, with no bound objects in between: the parser's
 * events go through the same schema checks as the Binder's (bind-core.ts), and every accepted
 * value is written straight into one growing buffer. For a 20 MB prototxt this avoids building
 * (and collecting) a million small objects and walking them twice more to encode them.
 *
 * The bytes are protoc's (MessageLite::SerializeToString), as encode.ts writes them from bound
 * objects; what differs is only when each byte is known:
 * - A message's length comes before its body but is known only at its end: a guess of its
 *   size is reserved (the size of the last value of the same field), and the body is moved by
 *   the difference when the guess was wrong.
 * - protoc writes fields in field-number order, text may give them in any order: every field
 *   occurrence of an open message is recorded as a segment (key, start); at the end of a
 *   message given out of order, its segments are stably sorted, so repeated elements keep their
 *   order.
 * - `[packed = true]` elements (BlobShape.dim, BlobProto.data…) are written without tags and
 *   gathered at the end of their message into one run: tag, payload length, payloads.
 */
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { codeUnits, type CodeUnits } from "../textproto/chars.js";
import { parseInto } from "../textproto/parser.js";
import { ScalarKind, type ScalarToken } from "../textproto/sink.js";
import { SchemaSink } from "./bind-core.js";
import { ByteWriter } from "./byte-writer.js";
import { Op, type FieldCodec } from "./encode-codec.js";
import type { MessageInfo } from "./load.js";
import { SegmentSorter } from "./segments.js";
import { utf8Length } from "./wire.js";

/** The result of encoding text: the bytes (null when there were errors) and the diagnostics. */
export interface EncodeTextResult {
  bytes: Uint8Array | null;
  diagnostics: Diagnostic[];
}

/**
 * Parses text format as message `root` and serializes it, byte for byte as
 * `bindText` + `encodeMessage` would (and so as protoc --encode does), with the same
 * diagnostics in the same order. Never throws on user input.
 */
export function encodeText(text: string, root: MessageInfo, options: { allowUnknown?: boolean } = {}, codes: CodeUnits = codeUnits(text)): EncodeTextResult {
  const diagnostics: Diagnostic[] = [];
  const sink = new EncodeSink(text, codes, root, options.allowUnknown ?? false, diagnostics);
  parseInto(text, sink, diagnostics, codes);
  // Syntax errors and binding errors interleave in reading order, as bindText orders them.
  diagnostics.sort((a, b) => (a.range?.offset ?? 0) - (b.range?.offset ?? 0));
  return { bytes: hasErrors(diagnostics) ? null : sink.finish(), diagnostics };
}

/** Flags of an open message. */
const UNSORTED = 1;
const PACKED = 2;

/** Writes the accepted values of SchemaSink as wire bytes. */
class EncodeSink extends SchemaSink {
  private readonly w: ByteWriter;
  private readonly sorter = new SegmentSorter();
  /** A DataView of the code units when they are bytes (ASCII text), for copying string values. */
  private readonly codeView: DataView | undefined;
  /** Open messages, innermost at `depth` (0 is the root): where each body starts and what it needs at its end. */
  private depth = 0;
  private bodyStart = new Int32Array(32);
  private reserved = new Uint8Array(32);
  private segBase = new Int32Array(32);
  private lastKey = new Int32Array(32);
  private flags = new Uint8Array(32);
  private seenBase = new Int32Array(32);
  /** A number no other open or earlier message had: what `seen` holds for this one's fields. */
  private stamp = new Int32Array(32);
  private stamps = 1;
  private readonly openFields: FieldCodec[] = [];
  /** Field occurrences of the open messages: key (field number × 2, +1 when packed) and start. */
  private segKey = new Int32Array(1024);
  private segStart = new Int32Array(1024);
  private segCount = 0;
  /**
   * For each open message, one slot per field of its type, holding the message's stamp once a
   * singular field has a value. Stamps instead of flags: a new message need not clear its slots.
   */
  private seen = new Int32Array(1024);
  private seenTop: number;

  constructor(
    text: string,
    /** The text's code units, shared with the scanner: string values are copied from them. */
    private readonly codes: CodeUnits,
    root: MessageInfo,
    allowUnknown: boolean,
    diagnostics: Diagnostic[],
  ) {
    super(text, root, allowUnknown, diagnostics);
    this.codeView = codes instanceof Uint8Array ? new DataView(codes.buffer, codes.byteOffset, codes.byteLength) : undefined;
    // Nets encode to about 45% of their text; start near that to grow at most once or twice.
    this.w = new ByteWriter(Math.max(1024, text.length >> 1));
    this.seenTop = this.codec.info.ordered.length;
    this.stamp[0] = this.stamps;
  }

  /**
   * The bytes written (after the last event), in a buffer of their own: a view of the larger
   * working buffer would carry its slack along to callers that use `.buffer` (one memcpy).
   */
  finish(): Uint8Array {
    this.endBody(0);
    // A view, not a copy: the writer's buffer is at most twice the output, and a copy would
    // hold both at the peak (for a 200 MB prototxt, 88 MB of output).
    return this.w.buf.subarray(0, this.w.pos);
  }

  protected override isSet(f: FieldCodec): boolean {
    const d = this.depth;
    return this.seen[this.seenBase[d]! + f.index] === this.stamp[d];
  }

  /** Starts an occurrence of `f` in the innermost message: records its segment, writes its tag. */
  private beginField(f: FieldCodec): void {
    const d = this.depth;
    const w = this.w;
    const key = f.packed ? f.field.id * 2 + 1 : f.field.id * 2;
    const last = this.lastKey[d]!;
    // Occurrences of one field in a row are one segment (no key is 0, the value at a message's start).
    if (key !== last) {
      if (key < last) this.flags[d]! |= UNSORTED;
      this.lastKey[d] = key;
      if (this.segCount === this.segKey.length) this.growSegments();
      this.segKey[this.segCount] = key;
      this.segStart[this.segCount++] = w.pos;
    }
    if (f.packed) {
      // The run's tag and length are written when the message ends (segments.ts).
      this.flags[d]! |= PACKED;
      return;
    }
    if (!f.repeated) this.seen[this.seenBase[d]! + f.index] = this.stamp[d]!;
    w.ensure(16);
    w.varint32(f.tag);
  }

  protected override store(f: FieldCodec, value: unknown): void {
    this.beginField(f);
    const w = this.w;
    if (f.op === Op.String || f.op === Op.Bytes) {
      if (typeof value === "string") {
        const len = utf8Length(value);
        w.ensure(len + 5);
        w.varint32(len);
        w.string(value, len);
      } else {
        const bytes = value as Uint8Array;
        w.ensure(bytes.length + 5);
        w.varint32(bytes.length);
        w.bytes(bytes);
      }
      return;
    }
    w.ensure(10);
    w.scalar(f, value);
  }

  protected override storeToken(f: FieldCodec, t: ScalarToken): boolean {
    // A string literal of ASCII without escapes is its own UTF-8: copy it from the text.
    if (t.kind !== ScalarKind.String || t.plainStart < 0 || f.op !== Op.String) return false;
    this.beginField(f);
    const w = this.w;
    const start = t.plainStart;
    const len = t.plainEnd - start;
    w.ensure(len + 5);
    w.varint32(len);
    const p = w.pos;
    let i = 0;
    // Four bytes at a time through DataViews: a third of the instructions of a byte loop in
    // V8's optimized code (callgrind). A non-ASCII text has two-byte units: copied one by one.
    const from = this.codeView;
    if (from) {
      const to = w.view;
      for (; i + 4 <= len; i += 4) to.setUint32(p + i, from.getUint32(start + i, true), true);
    }
    const buf = w.buf;
    const codes = this.codes;
    for (; i < len; i++) buf[p + i] = codes[start + i]!;
    w.pos = p + len;
    return true;
  }

  protected override enterMessage(f: FieldCodec): void {
    this.beginField(f);
    const w = this.w;
    // Reserve the length prefix this field's last value needed: sibling layers are alike.
    const reserve = f.prefixHint;
    w.ensure(reserve);
    w.pos += reserve;
    const d = ++this.depth;
    if (d === this.bodyStart.length) this.growFrames();
    this.bodyStart[d] = w.pos;
    this.reserved[d] = reserve;
    this.segBase[d] = this.segCount;
    this.lastKey[d] = 0;
    this.flags[d] = 0;
    const n = f.message!.info.ordered.length;
    this.seenBase[d] = this.seenTop;
    this.stamp[d] = ++this.stamps;
    if (this.seenTop + n > this.seen.length) this.seen = grow(this.seen, this.seenTop + n);
    this.seenTop += n;
    this.openFields[d] = f;
  }

  protected override leaveMessage(): void {
    const d = this.depth;
    this.endBody(d);
    const w = this.w;
    const start = this.bodyStart[d]!;
    const len = w.pos - start;
    const reserve = this.reserved[d]!;
    const need = len < 0x80 ? 1 : len < 0x4000 ? 2 : len < 0x200000 ? 3 : len < 0x10000000 ? 4 : 5;
    if (need !== reserve) {
      // The guess was wrong: move the body so the prefix fits exactly.
      w.ensure(need - reserve);
      w.buf.copyWithin(start + need - reserve, start, w.pos);
      w.pos += need - reserve;
      this.openFields[d]!.prefixHint = need;
    }
    const end = w.pos;
    w.pos = start - reserve;
    w.varint32(len);
    w.pos = end;
    this.seenTop = this.seenBase[d]!;
    this.depth = d - 1;
  }

  /** Puts the body of open message `d` in protoc's order (fields by number, packed runs joined); drops its segments. */
  private endBody(d: number): void {
    const base = this.segBase[d]!;
    const flags = this.flags[d]!;
    if (flags & PACKED) this.sorter.rewritePacked(this.w, this.bodyStart[d]!, this.segKey, this.segStart, base, this.segCount);
    else if (flags & UNSORTED) this.sorter.reorder(this.w, this.bodyStart[d]!, this.segKey, this.segStart, base, this.segCount);
    this.segCount = base;
  }

  protected override openedList(): void {}

  protected override closedList(): void {}

  private growSegments(): void {
    this.segKey = grow(this.segKey, this.segCount + 1);
    this.segStart = grow(this.segStart, this.segCount + 1);
  }

  private growFrames(): void {
    const n = this.depth + 1;
    this.bodyStart = grow(this.bodyStart, n);
    this.reserved = grow(this.reserved, n);
    this.segBase = grow(this.segBase, n);
    this.lastKey = grow(this.lastKey, n);
    this.flags = grow(this.flags, n);
    this.seenBase = grow(this.seenBase, n);
    this.stamp = grow(this.stamp, n);
  }
}

/** A typed array at least `n` long (doubling), with the old contents. */
function grow<T extends Int32Array | Uint8Array>(a: T, n: number): T {
  const out = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  out.set(a);
  return out;
}
