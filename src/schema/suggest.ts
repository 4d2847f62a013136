/**
 * Edit distance counting an insertion, a deletion, a substitution or a swap of two adjacent
 * characters as one edit (optimal string alignment), so `lr_mlut` is one edit from `lr_mult`.
 * With `max`, stops as soon as the distance is known to exceed it and returns `max + 1`: a row
 * whose every entry exceeds `max` can only grow.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  const n = b.length;
  // Three rows of n + 1 entries, reused across calls (suggestions run once per unknown name,
  // and a hostile file has hundreds of thousands of them).
  if (rows.length < 3 * (n + 1)) rows = new Int32Array(3 * (n + 1) * 2);
  let before = 0;
  let prev = n + 1;
  let row = 2 * (n + 1);
  for (let j = 0; j <= n; j++) rows[prev + j] = j;
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    rows[row] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let d = Math.min(rows[prev + j]! + 1, rows[row + j - 1]! + 1, rows[prev + j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) d = Math.min(d, rows[before + j - 2]! + 1);
      rows[row + j] = d;
      if (d < rowMin) rowMin = d;
    }
    // A swap reaches back two rows, so both must exceed `max` before stopping.
    if (rowMin > max && prevMin > max) return max + 1;
    prevMin = rowMin;
    const t = before;
    before = prev;
    prev = row;
    row = t;
  }
  return Math.min(rows[prev + n]!, max + 1);
}

let rows = new Int32Array(96);

/** The most edits a suggestion may be away from the name. */
const MAX_EDITS = 2;

/**
 * The closest candidate to a misspelt name, when it is close enough to be a likely typo:
 * at most 2 edits, and fewer than a third of the name's length.
 *
 * Each edit changes the length by at most one, so a candidate whose length differs by more
 * than the limit is skipped without computing a distance: a file with a hundred thousand
 * unknown (or very long) names costs a length comparison per candidate for most of them.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(MAX_EDITS, Math.max(1, Math.floor(name.length / 3)));
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) > limit) continue;
    const d = editDistance(lower, c.toLowerCase(), Math.min(limit, bestDistance));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Suggestions already computed, per candidate set: a file repeats its misspellings. */
const cache = new WeakMap<object, Map<string, string | undefined>>();
/** Entries kept per candidate set, so that a file of a million distinct names cannot grow it without bound. */
const CACHE_LIMIT = 4096;

/** {@link didYouMean} over a fixed candidate set `owner` (e.g. a message's field table), memoised. */
export function didYouMeanIn(owner: ReadonlyMap<string, unknown>, name: string): string | undefined {
  let known = cache.get(owner);
  if (!known) cache.set(owner, (known = new Map()));
  if (known.has(name)) return known.get(name);
  const suggestion = didYouMean(name, owner.keys());
  if (known.size < CACHE_LIMIT) known.set(name, suggestion);
  return suggestion;
}
