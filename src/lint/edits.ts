/**
 * Fixes as data: an edit replaces `length` characters at `offset` of the ORIGINAL text with
 * `content` (as jsonc-parser's Edit). Edits never see each other's results, so a fix keeps every
 * byte it does not name: comments, indentation and line endings stay as they were.
 */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

/** Whether two edits touch the same text (two insertions at one offset count: their order is ambiguous). */
export function editsOverlap(a: TextEdit, b: TextEdit): boolean {
  if (a.length === 0 && b.length === 0) return a.offset === b.offset;
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

/**
 * Applies non-overlapping edits to `text`. Overlapping edits are a bug in a rule (fix groups are
 * made disjoint by {@link selectFixes} first), so this throws rather than guess an order.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.length - b.length);
  let out = "";
  let at = 0;
  for (const edit of sorted) {
    if (edit.offset < at || edit.offset + edit.length > text.length) {
      throw new Error(`overlapping or out-of-range edit at offset ${edit.offset}`);
    }
    out += text.slice(at, edit.offset) + edit.content;
    at = edit.offset + edit.length;
  }
  return out + text.slice(at);
}

/** Width of the text spans by which selectFixes files the edits it has taken. */
const BUCKET = 256;

/**
 * Picks fix groups (one per finding, all-or-nothing) that do not overlap any group picked before,
 * in the order given. Skipped groups are applied by a later fix pass, on the fixed text.
 *
 * The edits taken are filed under every BUCKET-character span they touch, so a new edit is
 * compared only with the edits near it: a file with tens of thousands of fixes costs linear
 * time, where comparing each edit with all those taken was quadratic.
 */
export function selectFixes(groups: readonly (readonly TextEdit[])[]): { edits: TextEdit[]; skipped: number } {
  const edits: TextEdit[] = [];
  const taken = new Map<number, TextEdit[]>();
  let skipped = 0;
  for (const group of groups) {
    const clash = group.some((e) => overlapsTaken(e, taken)) || groupOverlapsItself(group);
    if (clash) {
      skipped++;
      continue;
    }
    for (const e of group) {
      for (let b = firstBucket(e); b <= lastBucket(e); b++) {
        const list = taken.get(b);
        if (list) list.push(e);
        else taken.set(b, [e]);
      }
    }
    edits.push(...group);
  }
  return { edits, skipped };
}

// Two edits that overlap share a character position (an insertion: its offset), so they share a bucket.
const firstBucket = (e: TextEdit): number => Math.floor(e.offset / BUCKET);
const lastBucket = (e: TextEdit): number => Math.floor((e.offset + Math.max(e.length, 1) - 1) / BUCKET);

function overlapsTaken(e: TextEdit, taken: ReadonlyMap<number, readonly TextEdit[]>): boolean {
  for (let b = firstBucket(e); b <= lastBucket(e); b++) {
    const list = taken.get(b);
    if (list && list.some((t) => editsOverlap(e, t))) return true;
  }
  return false;
}

function groupOverlapsItself(group: readonly TextEdit[]): boolean {
  for (let i = 0; i < group.length; i++) {
    for (let j = i + 1; j < group.length; j++) if (editsOverlap(group[i]!, group[j]!)) return true;
  }
  return false;
}
