/**
 * Reordering a message body written in text order into protoc's order, for encode-sink.ts.
 * The body is a list of segments, each one field occurrence (or a run of occurrences of one
 * field); a segment's key is its field number × 2, plus 1 for packed fields, whose elements
 * were written without tags. protoc serializes fields by number, repeated elements in their
 * order, and a packed field as one length-delimited run; so the segments are sorted stably by
 * key and each group of packed segments gets one tag and length in front of its payloads.
 *
 * This runs for most layers of a net (Caffe files usually put `bottom`/`top`, fields 3 and 4,
 * before `name` and `type`, fields 1 and 2), so it allocates nothing: the body is copied past
 * the end of the buffer and the segments are copied back from there in order.
 */
import type { ByteWriter } from "./byte-writer.js";
import { WireType } from "./wire.js";

/** Segments shorter than this are copied byte by byte (cheaper than a copyWithin call). */
const SHORT = 24;

/** Rewrites bodies in place; keeps its index buffer between messages. */
export class SegmentSorter {
  private order = new Int32Array(64);

  /**
   * Reorders the body `[bodyStart, w.pos)` of `w.buf`, whose segments are
   * `keys/starts[from..to)` (each ends where the next starts), and leaves `w.pos` at its new end.
   */
  rewrite(w: ByteWriter, bodyStart: number, keys: Int32Array, starts: Int32Array, from: number, to: number): void {
    const end = w.pos;
    const n = to - from;
    const order = this.sort(keys, from, n);
    let packed = false;
    for (let i = 0; i < n; i++) if (keys[from + i]! & 1) packed = true;
    // Without packed runs, segments already in their sorted place stay where they are: only
    // the span from the first misplaced one to the last moves (in a layer, usually
    // `bottom top name type` before an in-place `convolution_param`).
    let lo = 0;
    let hi = n;
    if (!packed) {
      while (lo < n && order[lo] === from + lo) lo++;
      while (hi > lo && order[hi - 1] === from + hi - 1) hi--;
      if (lo === hi) return;
    }
    const spanStart = lo === 0 ? bodyStart : starts[from + lo]!;
    const spanEnd = hi === n ? end : starts[from + hi]!;
    // Room for a copy of the span, and for the packed runs' headers (a tag and a length, at
    // most 5 bytes each, per run) which the rewritten body may gain.
    const extra = packed ? 10 * n : 0;
    w.ensure(extra + spanEnd - spanStart);
    const buf = w.buf;
    // The copy sits past the rewritten body's largest possible end.
    const copy = end + extra;
    copyBytes(buf, copy, spanStart, spanEnd);
    const shift = copy - spanStart;
    let out = spanStart;
    for (let i = lo; i < hi; ) {
      const s = order[i]!;
      const key = keys[s]!;
      if ((key & 1) === 0) {
        out = copyBytes(buf, out, starts[s]! + shift, (s + 1 < to ? starts[s + 1]! : end) + shift);
        i++;
        continue;
      }
      // A packed field: every segment of this key, in order, as one run.
      let j = i;
      let payload = 0;
      for (; j < hi && keys[order[j]!] === key; j++) {
        const t = order[j]!;
        payload += (t + 1 < to ? starts[t + 1]! : end) - starts[t]!;
      }
      w.pos = out;
      w.varint32((((key >>> 1) << 3) | WireType.LengthDelimited) >>> 0);
      w.varint32(payload);
      out = w.pos;
      for (; i < j; i++) {
        const t = order[i]!;
        out = copyBytes(buf, out, starts[t]! + shift, (t + 1 < to ? starts[t + 1]! : end) + shift);
      }
    }
    // Without packed runs the span keeps its size, and what follows it is already in place.
    w.pos = packed ? out : end;
  }

  /** Segment indices `from..from+n-1` sorted by key, ties in their original order (stable). */
  private sort(keys: Int32Array, from: number, n: number): Int32Array {
    if (this.order.length < n) this.order = new Int32Array(Math.max(n, this.order.length * 2));
    const order = this.order;
    if (n > 64) {
      // Large bodies (a blob written field by field): Array.prototype.sort is stable (ES2019).
      const sorted = Array.from({ length: n }, (_, i) => from + i).sort((a, b) => keys[a]! - keys[b]!);
      order.set(sorted);
      return order;
    }
    // Insertion sort: a layer has a handful of segments, nearly in order.
    for (let i = 0; i < n; i++) {
      const s = from + i;
      const key = keys[s]!;
      let j = i;
      while (j > 0 && keys[order[j - 1]!]! > key) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = s;
    }
    return order;
  }
}

/** Copies `buf[from, to)` to `out` (ranges do not overlap); returns the end of the copy. */
function copyBytes(buf: Uint8Array, out: number, from: number, to: number): number {
  if (to - from < SHORT) {
    while (from < to) buf[out++] = buf[from++]!;
    return out;
  }
  buf.copyWithin(out, from, to);
  return out + (to - from);
}
