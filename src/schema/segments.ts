/**
 * Reordering a message body written in text order into protoc's order, for encode-sink.ts.
 * The body is a list of segments, each one field occurrence (or a run of occurrences of one
 * field); a segment's key is its field number × 2, plus 1 for packed fields, whose elements
 * were written without tags. protoc serializes fields by number, repeated elements in their
 * order, and a packed field as one length-delimited run; so the segments are sorted stably by
 * key and each group of packed segments gets one tag and length in front of its payloads.
 */
import type { ByteWriter } from "./byte-writer.js";
import { WireType } from "./wire.js";

/** Rewrites bodies in place; keeps its scratch buffers between messages. */
export class SegmentSorter {
  private scratch = new Uint8Array(4096);

  /**
   * Reorders the body `[bodyStart, w.pos)` of `w.buf`, whose segments are
   * `keys/starts[from..to)` (each ends where the next starts), and returns the new end.
   */
  rewrite(w: ByteWriter, bodyStart: number, keys: Int32Array, starts: Int32Array, from: number, to: number): number {
    const end = w.pos;
    const size = end - bodyStart;
    const order = sortedSegments(keys, from, to);
    // Room for the packed runs' headers: a tag and a length, at most 5 bytes each, per run.
    let extra = 0;
    for (let i = 0; i < order.length; i++) if (keys[order[i]!]! & 1) extra += 10;
    w.ensure(extra);
    if (this.scratch.length < size) this.scratch = new Uint8Array(Math.max(size, this.scratch.length * 2));
    const scratch = this.scratch;
    scratch.set(w.buf.subarray(bodyStart, end));
    const segEnd = (s: number): number => (s + 1 < to ? starts[s + 1]! : end) - bodyStart;
    const buf = w.buf;
    w.pos = bodyStart;
    for (let i = 0; i < order.length; ) {
      const s = order[i]!;
      const key = keys[s]!;
      if ((key & 1) === 0) {
        buf.set(scratch.subarray(starts[s]! - bodyStart, segEnd(s)), w.pos);
        w.pos += segEnd(s) - (starts[s]! - bodyStart);
        i++;
        continue;
      }
      // A packed field: every segment of this key, in order, as one run.
      let j = i;
      let payload = 0;
      for (; j < order.length && keys[order[j]!] === key; j++) payload += segEnd(order[j]!) - (starts[order[j]!]! - bodyStart);
      w.varint32((((key >>> 1) << 3) | WireType.LengthDelimited) >>> 0);
      w.varint32(payload);
      for (; i < j; i++) {
        const t = order[i]!;
        buf.set(scratch.subarray(starts[t]! - bodyStart, segEnd(t)), w.pos);
        w.pos += segEnd(t) - (starts[t]! - bodyStart);
      }
    }
    return w.pos;
  }
}

/** Segment indices `from..to-1` sorted by key, ties in their original order. */
function sortedSegments(keys: Int32Array, from: number, to: number): number[] {
  const order: number[] = [];
  for (let s = from; s < to; s++) order.push(s);
  // Array.prototype.sort is stable (ES2019), which keeps repeated elements in text order.
  return order.sort((a, b) => keys[a]! - keys[b]!);
}
