/**
 * Reordering a message body written in text order into protoc's order, for encode-sink.ts.
 * The body is a list of segments, each one field occurrence (or a run of occurrences of one
 * field); a segment's key is its field number × 2, plus 1 for packed fields, whose elements
 * were written without tags. protoc serializes fields by number, repeated elements in their
 * order, and a packed field as one length-delimited run; so the segments are sorted stably by
 * key and each group of packed segments gets one tag and length in front of its payloads.
 *
 * This runs for most layers of a net (Caffe files usually put `bottom`/`top`, fields 3 and 4,
 * before `name` and `type`, fields 1 and 2), so it allocates nothing: the part that moves is
 * copied past the end of the buffer and the segments are copied back from there in order.
 */
import type { ByteWriter } from "./byte-writer.js";
import { WireType } from "./wire.js";

/**
 * Spans up to this long are copied four bytes at a time through a DataView, which TurboFan
 * turns into plain loads and stores; copyWithin is a C++ builtin whose call costs more than
 * copying a layer's fields (measured: instruction counts under callgrind).
 */
const LONG = 256;

/** Rewrites bodies in place; keeps its index buffer between messages. */
export class SegmentSorter {
  private order = new Int32Array(64);

  /**
   * Reorders the body `[bodyStart, w.pos)` of `w.buf`, whose segments are `keys/starts[from..to)`
   * (each ends where the next starts) and none of them packed. Segments already in their
   * sorted place stay where they are: only the span from the first misplaced one to the last
   * moves (in a layer, usually `bottom top name type` before an in-place `convolution_param`),
   * and the body keeps its size.
   */
  reorder(w: ByteWriter, bodyStart: number, keys: Int32Array, starts: Int32Array, from: number, to: number): void {
    const end = w.pos;
    const n = to - from;
    const order = this.sort(keys, from, n);
    let lo = 0;
    let hi = n;
    while (lo < n && order[lo] === from + lo) lo++;
    while (hi > lo && order[hi - 1] === from + hi - 1) hi--;
    if (lo === hi) return;
    const spanStart = lo === 0 ? bodyStart : starts[from + lo]!;
    const spanEnd = hi === n ? end : starts[from + hi]!;
    // The common case: two runs swap places (`bottom top | name type`); three copies do it.
    const k = order[lo]! - from;
    if (isRotation(order, from, lo, hi, k)) {
      const middle = starts[from + k]!;
      const tail = spanEnd - middle;
      w.ensure(tail);
      const buf = w.buf;
      buf.copyWithin(end, middle, spanEnd);
      buf.copyWithin(spanStart + tail, spanStart, middle);
      buf.copyWithin(spanStart, end, end + tail);
      return;
    }
    w.ensure(spanEnd - spanStart);
    // A copy of the span past the end of the body, from which the segments come back in order.
    copyBytes(w, end, spanStart, spanEnd);
    const shift = end - spanStart;
    let out = spanStart;
    for (let i = lo; i < hi; i++) {
      const s = order[i]!;
      out = copyBytes(w, out, starts[s]! + shift, (s + 1 < to ? starts[s + 1]! : end) + shift);
    }
  }

  /**
   * Like reorder, for a body with packed segments: each group of segments of one packed key
   * becomes one run (tag, payload length, payloads), so the body grows; `w.pos` ends at its new end.
   */
  rewritePacked(w: ByteWriter, bodyStart: number, keys: Int32Array, starts: Int32Array, from: number, to: number): void {
    const end = w.pos;
    const n = to - from;
    const order = this.sort(keys, from, n);
    // Room for a copy of the body and for the runs' headers (a tag and a length, at most 5
    // bytes each, per segment at most).
    const extra = 10 * n;
    w.ensure(extra + end - bodyStart);
    const buf = w.buf;
    // The copy sits past the rewritten body's largest possible end.
    const copy = end + extra;
    copyBytes(w, copy, bodyStart, end);
    const shift = copy - bodyStart;
    const segEnd = (s: number): number => (s + 1 < to ? starts[s + 1]! : end);
    let out = bodyStart;
    for (let i = 0; i < n; ) {
      const s = order[i]!;
      const key = keys[s]!;
      if ((key & 1) === 0) {
        out = copyBytes(w, out, starts[s]! + shift, segEnd(s) + shift);
        i++;
        continue;
      }
      let j = i;
      let payload = 0;
      for (; j < n && keys[order[j]!] === key; j++) payload += segEnd(order[j]!) - starts[order[j]!]!;
      w.pos = out;
      w.varint32((((key >>> 1) << 3) | WireType.LengthDelimited) >>> 0);
      w.varint32(payload);
      out = w.pos;
      for (; i < j; i++) out = copyBytes(w, out, starts[order[i]!]! + shift, segEnd(order[i]!) + shift);
    }
    w.pos = out;
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

/** Whether `order[lo..hi)` is `k..hi-1` then `lo..k-1` (offsets from `from`): two runs swapped. */
function isRotation(order: Int32Array, from: number, lo: number, hi: number, k: number): boolean {
  if (k <= lo || k >= hi) return false;
  let i = lo;
  for (let s = k; s < hi; s++) if (order[i++] !== from + s) return false;
  for (let s = lo; s < k; s++) if (order[i++] !== from + s) return false;
  return true;
}

/** Copies `[from, to)` of the writer's buffer to `out` (ranges do not overlap); returns the end of the copy. */
function copyBytes(w: ByteWriter, out: number, from: number, to: number): number {
  const n = to - from;
  const buf = w.buf;
  if (n > LONG) {
    buf.copyWithin(out, from, to);
    return out + n;
  }
  const view = w.view;
  let i = 0;
  for (; i + 4 <= n; i += 4) view.setUint32(out + i, view.getUint32(from + i, true), true);
  for (; i < n; i++) buf[out + i] = buf[from + i]!;
  return out + n;
}
