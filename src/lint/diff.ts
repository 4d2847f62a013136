/** One line of an edit script: kept, removed from the old text, or added in the new. */
interface Op {
  kind: " " | "-" | "+";
  line: string;
}

/** Splits text into lines that keep their terminators (so a missing final newline is visible). */
function splitLines(text: string): string[] {
  if (text === "") return [];
  return text.split(/(?<=\n)/);
}

/**
 * Most edits the exact search (Myers) looks for between the common head and tail. Fix diffs
 * usually touch a few lines; a file with thousands of fixes would cost O((N + M)·D) time and
 * O(D²) memory, so past this the script is built line by line instead (see editScript).
 */
const MAX_EXACT_EDITS = 1000;

/**
 * An edit script between two line arrays: the common head and tail kept, and between them the
 * shortest script (Myers' O(ND) algorithm) when it has at most MAX_EXACT_EDITS edits; otherwise
 * the lines are paired in order (kept when equal, else removed and added; the longer side's
 * extra lines removed or added at the end), which is exact for fixes that change lines in place
 * and linear in any case.
 */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: " ", line: a[i]! });
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const exact = shortestScript(midA, midB, MAX_EXACT_EDITS);
  if (exact) ops.push(...exact);
  else pairInOrder(midA, midB, ops);
  for (let i = a.length - tail; i < a.length; i++) ops.push({ kind: " ", line: a[i]! });
  return ops;
}

/** The lines paired in order: equal ones kept, the others removed then added. */
function pairInOrder(a: readonly string[], b: readonly string[], ops: Op[]): void {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    if (a[i] === b[i]) ops.push({ kind: " ", line: a[i]! });
    else ops.push({ kind: "-", line: a[i]! }, { kind: "+", line: b[i]! });
  }
  for (let i = common; i < a.length; i++) ops.push({ kind: "-", line: a[i]! });
  for (let i = common; i < b.length; i++) ops.push({ kind: "+", line: b[i]! });
}

/**
 * The shortest edit script (Myers' O(ND) algorithm), or null when it needs more than `maxEdits`
 * edits. Each step's furthest-reaching points are saved for the walk back, only for the
 * diagonals that step can reach (2d + 1 of them), so memory is O(D²), not O((N + M)·D).
 */
function shortestScript(a: readonly string[], b: readonly string[], maxEdits: number): Op[] | null {
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  // trace[d][k + d] is the furthest-reaching x on diagonal k before step d (k in −d…d).
  const trace: Int32Array[] = [];
  const at = (d: number, k: number): number => trace[d]![k + d]!;
  let found = false;
  search: for (let d = 0; d <= n + m; d++) {
    if (d > maxEdits) return null;
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break search;
      }
    }
  }
  if (!found) return [];
  // Walk back from (n, m) to (0, 0), one edit per step, with the diagonal (kept) runs between.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const k = x - y;
    // Diagonals outside −d…d were not reachable before step d; `at` reads 0 there only for d = 0.
    const prevK = k === -d || (k !== d && at(d, k - 1) < at(d, k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(d, prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: " ", line: a[x]! });
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: "+", line: b[prevY]! });
      else ops.push({ kind: "-", line: a[prevX]! });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/**
 * A unified diff of `before` → `after` (as `diff -u` / `git diff`), with `context` lines around
 * each change; empty when the texts are equal. Names get `a/` and `b/` so `git apply` takes it.
 */
export function unifiedDiff(before: string, after: string, name: string, context = 3): string {
  if (before === after) return "";
  const ops = editScript(splitLines(before), splitLines(after));
  let out = `--- a/${name}\n+++ b/${name}\n`;
  let i = 0;
  let counted = 0;
  let oldLine = 1;
  let newLine = 1;
  while (i < ops.length) {
    if (ops[i]!.kind === " ") {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is within 2·context lines of the previous one.
    const start = Math.max(0, i - context);
    let end = i;
    let j = i;
    while (j < ops.length) {
      if (ops[j]!.kind !== " ") {
        end = j;
        j++;
        continue;
      }
      let run = 0;
      while (j + run < ops.length && ops[j + run]!.kind === " ") run++;
      if (j + run >= ops.length || run > 2 * context) break;
      j += run;
    }
    const stop = Math.min(ops.length, end + 1 + context);
    // Line numbers where the hunk starts: counted on from the previous hunk, not from the top
    // (a file with thousands of fixes has thousands of hunks).
    for (; counted < start; counted++) {
      if (ops[counted]!.kind !== "+") oldLine++;
      if (ops[counted]!.kind !== "-") newLine++;
    }
    out += hunk(ops, start, stop, oldLine, newLine);
    i = stop;
  }
  return out;
}

function hunk(ops: readonly Op[], start: number, stop: number, oldStart: number, newStart: number): string {
  let oldCount = 0;
  let newCount = 0;
  let body = "";
  for (let i = start; i < stop; i++) {
    const op = ops[i]!;
    if (op.kind !== "+") oldCount++;
    if (op.kind !== "-") newCount++;
    body += op.kind + op.line;
    if (!op.line.endsWith("\n")) body += "\n\\ No newline at end of file\n";
  }
  const range = (from: number, count: number): string => `${count === 0 ? from - 1 : from}${count === 1 ? "" : `,${count}`}`;
  return `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n${body}`;
}
