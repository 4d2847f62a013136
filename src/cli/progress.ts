/**
 * A one-line progress bar on standard error for long runs (`verify` on big nets or shapes).
 *
 * It appears only when stderr is a terminal and only once the run has taken longer than a delay
 * (a second by default), redraws at most every 100 ms, and erases itself at the end, so short runs,
 * pipes and CI logs never see it. Pure apart from the io and clock it is given.
 */
import { visible } from "../diagnostics/visible.js";
import type { CliIo } from "./io-types.js";

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** A clock in milliseconds (e.g. `performance.now`). */
  readonly now: () => number;
  /** Stay hidden until this many milliseconds have passed (default 1000). */
  readonly delayMs?: number;
  /** Minimum time between redraws (default 100). */
  readonly intervalMs?: number;
  /** The line's width in columns (default: COLUMNS from the environment, else 80). */
  readonly columns?: number;
  /** Text before the bar (default "verify"). */
  readonly label?: string;
}

/** A progress bar. */
export interface Progress {
  /** Reports `done` of `total` units, working on `item`. */
  update(done: number, total: number, item: string): void;
  /** Erases the bar if it was drawn. Call once at the end (also on failure). */
  finish(): void;
}

/** ANSI: carriage return, then erase the whole line. */
const ERASE_LINE = "\r\u001b[2K";

/**
 * The bar's text for a fraction in [0, 1]: `label [#####-----]  42% item`, cut to `columns − 1`.
 * The item (a layer name from the file) is shown {@link visible}: the bar is drawn on a terminal.
 */
export function renderProgress(label: string, fraction: number, rawItem: string, columns: number): string {
  const item = visible(rawItem);
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const barWidth = Math.max(10, Math.min(30, columns - label.length - 20));
  const filled = Math.round(f * barWidth);
  const percent = `${Math.floor(f * 100)}%`.padStart(4);
  const head = `${label} [${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${percent} `;
  const room = Math.max(0, columns - 1 - head.length);
  const shown = item.length <= room ? item : room > 1 ? `${item.slice(0, room - 1)}…` : "";
  return head + shown;
}

/** A progress bar writing to `io.stderr`; a no-op unless `io.isTTY.stderr`. */
export function createProgress(io: CliIo, options: ProgressOptions): Progress {
  if (!io.isTTY.stderr) return { update: () => {}, finish: () => {} };
  const start = options.now();
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const envColumns = Number(io.env["COLUMNS"]);
  const columns = options.columns ?? (Number.isInteger(envColumns) && envColumns > 20 ? envColumns : 80);
  const label = options.label ?? "verify";
  let drawn = false;
  let last = -Infinity;
  return {
    update(done, total, item) {
      const t = options.now();
      if (t - start < delay || t - last < interval) return;
      last = t;
      drawn = true;
      io.stderr(ERASE_LINE + renderProgress(label, total > 0 ? done / total : 0, item, columns));
    },
    finish() {
      if (drawn) io.stderr(ERASE_LINE);
      drawn = false;
    },
  };
}
