/**
 * Small wording helpers for `explain`: numbers as PyTorch users type them, name lists that stay
 * short, plurals, and word wrapping that ignores colour codes. Pure.
 */
import { pyFloat } from "../emit/python-literals.js";

/**
 * A number as Python's repr prints it (`1e-05`, `0.001`, `0.999`), so a value can be pasted into
 * PyTorch code; integers keep no trailing `.0` (`1`, `0`) because they read as Caffe wrote them.
 */
export function num(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  return pyFloat(value);
}

/** A Python float literal (`1.0`, `0.001`), for constructor arguments. */
export function pyNum(value: number): string {
  return pyFloat(value);
}

/** `1 block` / `53 blocks`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/**
 * Names joined by commas; long lists show the first `head` names, an ellipsis and the last one,
 * then the total: `a, b, c, … z (53)`.
 */
export function nameList(names: readonly string[], head = 4): string {
  if (names.length <= head + 2) return names.join(", ");
  return `${names.slice(0, head).join(", ")}, … ${names[names.length - 1]!} (${names.length})`;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]!}`;
}

/** Counts of `key(item)`, in first-seen order. */
export function tally<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts];
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Length as shown on a terminal (colour codes take no room). */
export function visibleLength(s: string): number {
  return s.replace(ANSI, "").length;
}

/**
 * Wraps `text` to `width` columns: the first line starts with `first`, later lines with `rest`
 * (a hanging indent). Words are never split; colour codes are not counted. Existing line breaks
 * are kept.
 */
export function wrap(text: string, width: number, first = "", rest = first): string {
  const out: string[] = [];
  let prefix = first;
  for (const paragraph of text.split("\n")) {
    let line = prefix;
    let lineHasWord = false;
    for (const word of paragraph.split(" ")) {
      if (word === "") continue;
      const candidate = lineHasWord ? `${line} ${word}` : `${line}${word}`;
      if (lineHasWord && visibleLength(candidate) > width) {
        out.push(line);
        line = `${rest}${word}`;
      } else line = candidate;
      lineHasWord = true;
      prefix = rest;
    }
    out.push(line);
    prefix = rest;
  }
  return out.join("\n");
}
