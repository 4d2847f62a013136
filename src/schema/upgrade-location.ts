import type { Range } from "../diagnostics/range.js";
import type { BoundMessage } from "./bind.js";
import type { MessageLocation, SourceMap } from "./locations.js";

/**
 * Source-location bookkeeping for the legacy-format upgrade. Caffe's upgrade builds new
 * messages and forgets where the old ones were; we keep a MessageLocation on every message we
 * build, pointing at the text it came from, so diagnostics about the upgraded net still land on
 * the user's own lines. All functions are no-ops when the net was read without locations.
 */

/** The ranges of every occurrence of `field` in `message`, or undefined when it has none. */
export function fieldRanges(sourceMap: SourceMap, message: BoundMessage | undefined, field: string): Range[] | undefined {
  if (!message) return undefined;
  const ranges = sourceMap.get(message)?.fields.get(field);
  return ranges && ranges.length > 0 ? ranges : undefined;
}

/**
 * The range of the `index`-th of `count` values of a repeated field. Values written one per
 * occurrence map one to one. A `[a, b]` list is one range for several values and the ranges do
 * not say which occurrence was the list, so the value lies between the earliest and the latest
 * occurrence that could hold it: one of them when they agree, else the span covering both.
 */
export function valueRange(ranges: readonly Range[] | undefined, index: number, count: number): Range | undefined {
  if (!ranges || ranges.length === 0) return undefined;
  const lo = ranges[Math.max(0, Math.min(index - (count - ranges.length), ranges.length - 1))]!;
  const hi = ranges[Math.min(index, ranges.length - 1)]!;
  if (lo === hi) return lo;
  return { offset: lo.offset, length: hi.offset + hi.length - lo.offset };
}

/**
 * A location for a message that takes over from `from` (same text span, same unknown fields),
 * with no field ranges yet: the caller copies over the ones whose names survive.
 */
export function successorLocation(from: MessageLocation): MessageLocation {
  return { range: from.range, nameRange: from.nameRange, fields: new Map(), unknown: from.unknown };
}

/** Copies the ranges of `names` (where present) from one location to another, under the same names. */
export function copyFieldRanges(from: MessageLocation, to: MessageLocation, names: Iterable<string>): void {
  for (const name of names) {
    const ranges = from.fields.get(name);
    if (ranges && ranges.length > 0) to.fields.set(name, ranges.slice());
  }
}

/**
 * Records that `field` of `target` was filled from text at `ranges` (a field moved there by the
 * upgrade). A target built by the upgrade has no location yet: it gets one spanning the first
 * moved field, whose name token (`sourceName`, as written) stands in for the message's name.
 * `append` adds to the field's ranges (a repeated field filled in steps) instead of replacing them.
 */
export function noteMovedField(
  sourceMap: SourceMap,
  target: BoundMessage,
  field: string,
  ranges: readonly Range[] | undefined,
  sourceName: string,
  append = false,
): void {
  if (!ranges || ranges.length === 0) return;
  let loc = sourceMap.get(target);
  if (!loc) {
    const first = ranges[0]!;
    loc = { range: first, nameRange: { offset: first.offset, length: sourceName.length }, fields: new Map(), unknown: [] };
    sourceMap.set(target, loc);
  }
  const existing = append ? loc.fields.get(field) : undefined;
  loc.fields.set(field, existing ? [...existing, ...ranges] : ranges.slice());
}

/**
 * Makes `parent` list `field` at the range of its (possibly synthesised) child message, so that
 * `sourceMap.rangeOf(parent, field)` answers for fields the upgrade created.
 */
export function linkChild(sourceMap: SourceMap, parent: BoundMessage, field: string, child: BoundMessage): void {
  const parentLoc = sourceMap.get(parent);
  const childLoc = sourceMap.get(child);
  if (!parentLoc || !childLoc || parentLoc.fields.has(field)) return;
  parentLoc.fields.set(field, [childLoc.range]);
}

/** The range a diagnostic about a whole message should carry: its name token. */
export function messageRange(sourceMap: SourceMap, message: BoundMessage | undefined): Range | undefined {
  return message ? sourceMap.get(message)?.nameRange : undefined;
}
