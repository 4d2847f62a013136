/** A span of source text, as a UTF-16 offset and length into the original string. */
export interface Range {
  offset: number;
  length: number;
}

/** A 1-based line and column, used only at the edges (formatters, CLI). */
export interface Position {
  line: number;
  column: number;
}

/**
 * Maps offsets to 1-based line:column. Built once per text; lookups are a binary search
 * over line starts. "\r\n" and "\n" both end a line (a lone "\r" does too, as protoc's tokenizer
 * only counts "\n"; we follow protoc and count "\n" only).
 */
export class LineIndex {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  /** Line starts, computed on first use: most reads of a large file never need a position. */
  private get starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const text = this.text;
    const starts = [0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return (this.lineStarts = starts);
  }

  /** 1-based line and column of `offset` (column counts UTF-16 units; a tab counts as one). */
  position(offset: number): Position {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    // A byte-order mark is not a column of the first line.
    const bom = lo === 0 && this.text.charCodeAt(0) === 0xfeff && offset > 0 ? 1 : 0;
    return { line: lo + 1, column: offset - starts[lo]! + 1 - bom };
  }

  /** The text of a 1-based line without its line break. */
  lineText(line: number): string {
    let start = this.starts[line - 1];
    if (start === undefined) return "";
    if (start === 0 && this.text.charCodeAt(0) === 0xfeff) start = 1;
    const next = this.starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  /** Offset of the start of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1]!;
  }

  get lineCount(): number {
    return this.starts.length;
  }
}
