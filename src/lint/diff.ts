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
 * The shortest edit script between two line arrays (Myers' O(ND) algorithm). Fix diffs touch a
 * few lines, so D is small and the saved traces stay small.
 */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  // trace[d] is the furthest-reaching x per diagonal k before step d.
  const trace: Int32Array[] = [];
  search: for (let d = 0; d <= n + m; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) break search;
    }
  }
  // Walk back from (n, m) to (0, 0), one edit per step, with the diagonal (kept) runs between.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const prev = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && prev[offset + k - 1]! < prev[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = prev[offset + prevK]!;
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
    out += hunk(ops, start, stop);
    i = stop;
  }
  return out;
}

function hunk(ops: readonly Op[], start: number, stop: number): string {
  let oldStart = 1;
  let newStart = 1;
  for (let i = 0; i < start; i++) {
    if (ops[i]!.kind !== "+") oldStart++;
    if (ops[i]!.kind !== "-") newStart++;
  }
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
